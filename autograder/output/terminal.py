"""The grade report in the terminal: a table per level (check, points, verdict, message) and the total."""

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.levels import LEVEL_FILES
from autograder.output.textsafe import for_terminal


def print_report(report, console=None):
    console = console or Console()
    console.print(Text(for_terminal(f"{report['submission']} graded on {report['device']}"), style="bold"))
    if report.get("isolation"):
        console.print(Text(f"isolation: {report['isolation']}"))
    for flag in report.get("flags", []):
        where = f"{flag['file']}:{flag['line']}" if flag.get("line") else flag["file"]
        console.print(Text(for_terminal(f"flagged: {where}: {flag['why']}"), style="bold red"))
    notes = {f["level"]: f for f in report.get("files", []) if f.get("note")}
    for level in report["levels"]:
        number = level["level"]
        if number in notes:  # which file was graded, when its name is not the level's own
            taken = notes[number]
            console.print(Text(for_terminal(f"level {number}: graded {taken['file']}: {taken['note']}")))
        table = Table(title=f"Level {number}: {LEVEL_FILES[number]}  {level['score']}/{level['max_score']}",
                      title_justify="left", show_lines=False, expand=True)
        table.add_column("check", no_wrap=True)
        table.add_column("points", justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        table.add_column("message", ratio=1, overflow="fold")
        for check in report["checks"]:
            if check["level"] != number:
                continue
            verdict = "[green]pass[/green]" if check["passed"] else "[red]FAIL[/red]"
            table.add_row(check["id"], f"{check['points']}/{check['max_points']}", verdict, Text(for_terminal(check["message"])))
        console.print(table)
    if report.get("status") == "flagged":
        console.print(f"[bold]held for review[/bold]: the code reaches into the grader (the lines above); it would "
                      f"score {report['score']}/{report['max_score']}, which is not a grade until an instructor has "
                      "looked")
    else:
        console.print(f"[bold]total: {report['score']}/{report['max_score']}[/bold]")
