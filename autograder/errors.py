"""The one error type for a user's mistake (a bad option or path): one line naming it, exit status 2."""


class UsageError(Exception):
    pass
