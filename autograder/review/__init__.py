"""Review: code held for an instructor's eyes. flag_submission(files) reads a student's level files
before they run and returns a Flag (file, line, why) for each line that reaches into the grader
or lies through torch; honest code earns none. Flags never change a score."""

from autograder.review.flagger import Flag, flag_file, flag_submission

__all__ = ["Flag", "flag_file", "flag_submission"]
