"""Everything the kit writes: result files (one atomic write), the terminal, HTML feedback pages
and the class report, grades.csv, Gradescope's results.json, and the JSON Schema of a report."""
