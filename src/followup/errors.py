"""Errors that reach the user as one line."""

from __future__ import annotations

from followup.text import clean


class FollowupError(Exception):
    """Report a problem the user can act on, in one line."""

    exit_code = 1

    def __str__(self) -> str:
        # One line, whatever the cause carried: newlines would break the CLI's
        # "error: ..." output and the TUI's notifications. A message may quote a
        # document or GitHub, so its control characters are made visible too.
        return clean(" ".join(super().__str__().split()))


class InputError(FollowupError):
    """Reject input the user gave: a file, an argument, a setting."""

    exit_code = 2


class RefusedFile(InputError):
    """Refuse a file that forcing would read all the same: not a post-mortem, odd front matter."""

    def __init__(self, where: str, reason: str, hint: str) -> None:
        self.reason = reason
        super().__init__(f"{where}{reason} ({hint})")


class ConfigError(InputError):
    """Reject a setting from the config file, the environment or a flag."""


class NotFoundError(FollowupError):
    """Report that something asked for by name is not in the store."""
