"""Errors that reach the user as one line naming the file (or instance) and line."""

from __future__ import annotations


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
