"""The one error family a user can cause; the CLI prints it as `error:` / `hint:` and exits 1.

Anything that is not a `SkinternError` is a bug and keeps its traceback.
"""

from __future__ import annotations


class SkinternError(Exception):
    """A problem the user can fix: says where, what was expected, what was found, what to do."""

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None):
        self.message = message
        self.where = where
        self.hint = hint
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(SkinternError):
    """A config file, a key=value override or a command-line option is wrong."""


class DataError(SkinternError):
    """A data file is missing, malformed, empty or lacks a field."""


class ModelError(SkinternError):
    """A model cannot be found, converted or loaded."""


class TeacherError(SkinternError):
    """The teacher backend cannot be reached or refuses the requests."""


class ResumeError(SkinternError):
    """A run directory holds state that cannot be resumed with this config."""
