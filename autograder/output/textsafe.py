"""Text a student controls, made safe for where it goes: the instructor's terminal and spreadsheet."""

import unicodedata

KEEP = {"\n"}


def for_terminal(text):
    """Control characters (ANSI and OSC escape sequences start with one) shown as \\xNN, never sent."""
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for char in text:
        if char in KEEP or char == "\t":
            out.append(char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn") or char in "\u2028\u2029":
            out.append(char.encode("unicode_escape", "backslashreplace").decode("ascii"))
        else:
            out.append(char)
    return "".join(out)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def for_csv(cell):
    """A CSV cell a spreadsheet will not run as a formula (OWASP's CSV injection guidance: prefix
    a cell starting with = + - @ tab or CR with a single quote). Numbers are left as they are."""
    if isinstance(cell, (int, float)) or cell is None:
        return cell
    text = str(cell)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
