"""Run followup's own commands with --format json, in this process, and read their documents.

`followup ci` is the commands a person would type (import, file, protect), each with
--format json; their documents (docs/schemas/) are what it reads. Running them in this
process rather than as child processes keeps one Python start-up, and lets the tests
replay GitHub for all of them from one cassette.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from contextlib import redirect_stdout
from dataclasses import dataclass
from typing import Any

from followup.cli.exits import ExitCode


@dataclass(frozen=True, slots=True)
class Ran:
    """A command's exit code and its JSON document (None if it printed none)."""

    args: tuple[str, ...]
    code: int
    document: dict[str, Any] | None

    @property
    def ok(self) -> bool:
        """Tell whether the command exited 0."""
        return self.code == ExitCode.OK


def run_json(args: Sequence[str], global_args: Sequence[str] = ()) -> Ran:
    """Run `followup [global_args] args --format json` and return what it printed."""
    # Imported here: cli/__init__ imports this package's command lazily, never the reverse.
    from followup.cli import cli

    argv = [*global_args, *args, "--format", "json"]
    captured = io.StringIO()
    code = 0
    with redirect_stdout(captured):
        try:
            cli.main(argv, prog_name="followup")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(ExitCode.FAILED)
    printed = captured.getvalue().strip()
    document = None
    if printed:
        try:
            parsed = json.loads(printed)
        except ValueError:
            parsed = None
        document = parsed if isinstance(parsed, dict) else None
    return Ran(tuple(args), code, document)
