"""Every error paperset raises on purpose, in three tiers named by what the caller does.

- `UsageError`: a mistake the user must fix (an option, the output folder, a busy lock, a
  release asked for wrongly). Told in one line, nothing run: the CLI exits 2.
- `InputRejected`: one raw file or record cannot be used. It goes to the quarantine with
  the message as its reason, and the run carries on.
- `RunFailed`: the run cannot commit (bad input over the error budget, a broken invariant or
  contract, an upload that failed). The dataset is left as it was, the report says why: the
  CLI exits 1.

Each error's message carries its context (the file, folder, run or paper it is about).
"""

from __future__ import annotations


class PapersetError(Exception):
    """Any error paperset raises on purpose."""


class UsageError(PapersetError):
    """A mistake the user must fix; the message is one line that says what."""


class InputRejected(PapersetError):
    """A raw file or record that cannot be used; the message is its quarantine reason."""


class RunFailed(PapersetError):
    """The run must not commit; the message is the cause the report records."""


class OutputError(UsageError):
    """A problem with the output folder that the user must fix."""


class LockedError(OutputError):
    """Another run holds the output folder; the message names it."""


class ReleaseRefused(UsageError):
    """The release cannot be made as asked; the message says what to fix."""


class PaperNotFound(UsageError, LookupError):
    """No paper of the dataset has that id, arXiv id or alias."""


class UnreadableDump(InputRejected):
    """A whole file that cannot be turned into text."""


class ErrorBudgetExceeded(RunFailed):
    """More of the run's input was quarantined than the error budget allows."""


class InvariantBroken(RunFailed):
    """Something that always holds did not (records read are not those accepted plus those
    quarantined, a paper would be committed twice): a bug, fail the run."""


class ContractViolation(RunFailed):
    """The dataset about to be committed breaks the contract."""


class UploadFailed(RunFailed):
    """The release was built but could not be uploaded; retrying may help."""
