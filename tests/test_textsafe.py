"""Output that student text reaches (autograder/output/textsafe.py): no control sequence reaches a
terminal, no CSV cell is a formula."""

import pytest

from autograder.output.textsafe import for_csv, for_terminal


def test_control_sequences_never_reach_the_terminal():
    text = for_terminal("done\x1b]52;c;aGFjaw==\x07 \x1b[2J\u202eevil")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
    assert "\\x1b" in text


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_are_not_formulas(cell):
    assert for_csv(cell).startswith("'")


def test_plain_ids_and_numbers_are_unchanged():
    assert for_csv("ann") == "ann" and for_csv(25) == 25 and for_csv(-1.5) == -1.5
