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
    for level in report["levels"]:
        number = level["level"]
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
    console.print(f"[bold]total: {report['score']}/{report['max_score']}[/bold]")
