"""Errors that reach the user as one line naming the file (or instance) and line."""

from __future__ import annotations

import errno


class InputError(Exception):
    """Bad input: a file, line or instance that cannot be used, and why.

    The CLI prints ``str(error)`` and exits with status 2, never a traceback.
    """

    def __init__(self, source: str, line: int, message: str):
        super().__init__(message)
        self.source = source
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


class RunError(Exception):
    """A run that stopped short (a worker process died): finished answers are on disk and
    the same command resumes. The CLI prints the message and exits with status 1."""


# A write refused for want of space: the disk (ENOSPC), a quota (EDQUOT), or a limit on a
# file's size (EFBIG). Nothing but freeing space lets the command go on.
DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def is_disk_full(error: BaseException) -> bool:
    return isinstance(error, OSError) and error.errno in DISK_FULL


def write_failed(error: OSError, path, kept: str) -> Exception:
    """The one line for an output that could not be written, saying what was kept: a full
    disk stops the command (exit 1: free space and run it again), a place that cannot be
    written is bad input (exit 2)."""
    reason = error.strerror or str(error)
    if is_disk_full(error):
        return RunError(f"{path}: the disk is full ({reason}); {kept}")
    return InputError(str(path), 0, f"cannot write there ({reason}); {kept}")
