"""Every error type the kit raises across its modules, in one place, by who is at fault.

- UsageError: the user's mistake (a bad option or path): one line naming it, exit status 2.
- NotGraded: the grader, not the submission, failed: no score may be recorded, and the report says why.
Errors of student code are never raised here: the probe side turns them into data, and the judges
into verdicts.
"""


class UsageError(Exception):
    """A bad option, path or folder, said in one line that names it."""


class DaskUnavailable(UsageError):
    """--dask without the [dask] extra installed."""


class NotGraded(Exception):
    """The grader, not the submission, failed: no score may be recorded."""


class SandboxUnavailable(NotGraded):
    """No working bubblewrap here: user namespaces are off, or no bwrap binary."""
