"""The grade report in the terminal: when, with what and how it was graded, a table per level (check,
points, verdict, message) and the total. Checks that an unfilled stub (or a missing file) fails all
together are one row: the stub, its message once, and the checks it blocks under it."""

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.assignment import span
from autograder.checks.explain import group_blocked, points_text
from autograder.levels import LEVEL_FILES
from autograder.output.textsafe import for_terminal
from autograder.results import number


def about(report):
    """[(label, value)]: what every report and page says about how it was made: the date, the kit's
    version, the device, the isolation and the assignment's levels."""
    assignment = report.get("assignment") or {}
    levels = assignment.get("levels") if isinstance(assignment, dict) else None
    if levels is None:  # a report that does not name its assignment: its scored levels
        levels = [lvl["level"] for lvl in report.get("levels", [])]
    graded_at = str(report.get("graded_at") or "unknown")
    return [("graded", graded_at.replace("T", " ").replace("Z", " UTC")),
            ("kit", str(report.get("kit_version") or "unknown")),
            ("device", str(report.get("device") or "unknown")),
            ("isolation", str(report.get("isolation") or ("none recorded" if report.get("status") != "not_graded"
                                                         else "not graded"))),
            ("assignment", span(levels) if levels else "levels unknown")]


def about_text(report):
    return "; ".join(f"{label} {value}" if label != "isolation" else f"isolation: {value}"
                     for label, value in about(report))


def blocks_text(group):
    """The checks a stub blocks, with their points: "level1.forward 3 points, level1.gradient 3 points"."""
    return ", ".join(f"{c['id']} ({points_text(c['max_points'])})" for c in group["checks"])


def print_report(report, console=None):
    console = console or Console()
    console.print(Text(for_terminal(str(report["submission"])), style="bold"))
    console.print(Text(for_terminal(about_text(report))))
    for flag in report.get("flags", []):
        where = f"{flag['file']}:{flag['line']}" if flag.get("line") else flag["file"]
        console.print(Text(for_terminal(f"flagged: {where}: {flag['why']}"), style="bold red"))
    notes = {f["level"]: f for f in report.get("files", []) if f.get("note")}
    for level in report["levels"]:
        level_number = level["level"]
        if level_number in notes:  # which file was graded, when its name is not the level's own
            taken = notes[level_number]
            console.print(Text(for_terminal(f"level {level_number}: graded {taken['file']}: {taken['note']}")))
        table = Table(title=f"Level {level_number}: {LEVEL_FILES[level_number]}  {level['score']}/{level['max_score']}",
                      title_justify="left", show_lines=False, expand=True)
        table.add_column("check", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        table.add_column("message", ratio=1, overflow="fold")
        for entry in group_blocked(c for c in report["checks"] if c["level"] == level_number):
            if "check" in entry:
                check = entry["check"]
                verdict = "[green]pass[/green]" if check["passed"] else "[red]FAIL[/red]"
                table.add_row(for_terminal(check["id"]), f"{check['points']}/{check['max_points']}", verdict,
                              Text(for_terminal(check["message"])))
                continue
            group = entry["group"]  # one row for every check the same stub (or missing file) fails
            message = Text(for_terminal(group["brief"]))
            count = len(group["checks"])
            message.append(for_terminal(f"\nblocks {count} check{'s' if count > 1 else ''}: {blocks_text(group)}"),
                           style="dim")
            table.add_row(for_terminal(group["label"]) if group["diagnosis"] == "not_implemented" else "every check",
                          f"{number(group['points'])}/{number(group['max_points'])}", "[red]FAIL[/red]", message)
        console.print(table)
    if report.get("status") == "flagged":
        console.print(f"[bold]held for review[/bold]: the code reaches into the grader (the lines above); it would "
                      f"score {report['score']}/{report['max_score']}, which is not a grade until an instructor has "
                      "looked")
    else:
        console.print(f"[bold]total: {report['score']}/{report['max_score']}[/bold]")
