"""Grading a whole class: students (the folders and their ids), two backends (local threads, a Dask
cluster) that hand every failure to one policy, the run that writes OUT, and the class summary."""
