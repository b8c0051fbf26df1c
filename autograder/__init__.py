"""Checks, grader and course tools for the five-level PyTorch linear regression kit."""

__version__ = "0.1.0"
