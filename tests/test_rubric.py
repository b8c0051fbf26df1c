from autograder.checks import RUBRIC, all_checks, checks_for_level
from autograder.levels import LEVELS


def test_rubric_totals_100_and_matches_the_checks():
    assert sum(RUBRIC.values()) == 100
    assert set(RUBRIC) == set(all_checks())
    assert [sum(c.points for c in checks_for_level(level)) for level in LEVELS] == [25, 20, 15, 20, 20]


def test_check_ids_name_their_level():
    for check_id, check in all_checks().items():
        assert check_id.startswith(f"level{check.level}.")
        assert check.title
