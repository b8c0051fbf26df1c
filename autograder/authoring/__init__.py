"""What an instructor makes from the reference: the exercises (stubs), the nbgrader course and its
grade cells, and the pytest plugin behind the student's self-check."""
