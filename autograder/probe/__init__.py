"""The probe side of the trust boundary: the only kit code a student's sandbox holds.

Everything here runs beside student code: it imports a level file, hands the student's stubs the
grader's inputs (made from the run's challenge) and reports what came back as plain data. It
never judges, holds no closed form and no reference, and imports nothing from the rest of the kit
(a test enforces that): what it sends back is judged in the grading process by autograder.checks.
"""
