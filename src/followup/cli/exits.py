"""The exit codes of every command, in one table, and the code each kind of error maps to."""

from __future__ import annotations

from enum import IntEnum

from followup.errors import ConfigError, FollowupError, InputError, NotFoundError


class ExitCode(IntEnum):
    """What a run's exit status means; the same for every command."""

    OK = 0
    FAILED = 1
    USAGE = 2
    CONFIG = 3
    AUTH = 4
    NOT_FOUND = 5
    INTERNAL = 70
    CANCELLED = 130


MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "everything asked for was done (or, for a dry run, could be done)",
    ExitCode.FAILED: "some items failed, regressed or could not be checked; the rest was done",
    ExitCode.USAGE: "bad command line, argument or input file; nothing was changed",
    ExitCode.CONFIG: "a setting (config file, FOLLOWUP_* variable or flag) is invalid",
    ExitCode.AUTH: "no GitHub token was found, or GitHub refused it",
    ExitCode.NOT_FOUND: "an item or post-mortem named on the command line is not in the store",
    ExitCode.INTERNAL: "an unexpected error inside followup (a bug: please report it)",
    ExitCode.CANCELLED: "cancelled (Ctrl-C, or a confirmation declined); work done is kept",
}


def exit_code_for(exc: FollowupError) -> ExitCode:
    """Return the exit code a command ends with when exc stops it."""
    # Imported here: the GitHub layer pulls in the HTTP client, which `followup list` skips.
    from followup.github.errors import AuthError

    if isinstance(exc, ConfigError):
        return ExitCode.CONFIG
    if isinstance(exc, AuthError):
        return ExitCode.AUTH
    if isinstance(exc, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(exc, InputError):
        return ExitCode.USAGE
    return ExitCode.FAILED


def epilog() -> str:
    """Return the exit-code table as `followup --help` shows it."""
    rows = "\n".join(f"  {int(code):>3}  {MEANING[code]}" for code in ExitCode)
    return f"Exit codes:\n\n\b\n{rows}"
