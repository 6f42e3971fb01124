"""GitHub Actions from inside a step: its variables and files, and workflow commands.

A step talks to the runner through files named by variables (GITHUB_OUTPUT for outputs,
GITHUB_STEP_SUMMARY for the job summary) and through workflow commands printed on
stdout (`::warning file=…,line=…::message`). Outside text in a command is escaped the
way the runner unescapes it: `%`, CR and LF in the message; also `:` and `,` in a
property's value. While followup prints text from documents and from GitHub (titles),
workflow commands are switched off (`::stop-commands::`), so a title reading
`::add-mask::…` is only text.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal, TextIO

from followup.cli.ci.markdown import clean

Level = Literal["error", "warning", "notice"]
PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})


@dataclass(frozen=True, slots=True)
class ActionsEnv:
    """What GitHub Actions tells a step about its run; every field optional outside it."""

    active: bool = False
    event_name: str | None = None
    event: Mapping[str, Any] | None = None
    repository: str | None = None
    workspace: Path | None = None
    output: Path | None = None
    summary: Path | None = None
    server_url: str = "https://github.com"
    sha: str | None = None
    run_url: str | None = None

    @classmethod
    def from_environ(cls, env: Mapping[str, str] | None = None) -> ActionsEnv:
        """Read the run's variables (and its event file) from the environment."""
        env = os.environ if env is None else env

        def path(name: str) -> Path | None:
            value = env.get(name)
            return Path(value) if value else None

        server = (env.get("GITHUB_SERVER_URL") or "https://github.com").rstrip("/")
        repository = env.get("GITHUB_REPOSITORY") or None
        run_id = env.get("GITHUB_RUN_ID")
        return cls(
            active=env.get("GITHUB_ACTIONS") == "true",
            event_name=env.get("GITHUB_EVENT_NAME") or None,
            event=_read_event(path("GITHUB_EVENT_PATH")),
            repository=repository,
            workspace=path("GITHUB_WORKSPACE"),
            output=path("GITHUB_OUTPUT"),
            summary=path("GITHUB_STEP_SUMMARY"),
            server_url=server,
            sha=env.get("GITHUB_SHA") or None,
            run_url=f"{server}/{repository}/actions/runs/{run_id}"
            if repository and run_id
            else None,
        )

    @property
    def is_pull_request(self) -> bool:
        """Tell whether the run was started by a pull request."""
        return self.event_name in PULL_REQUEST_EVENTS

    @property
    def pull_request(self) -> int | None:
        """Return the number of the pull request the run is for, if any."""
        if not self.is_pull_request or not self.event:
            return None
        pull = self.event.get("pull_request")
        number = pull.get("number") if isinstance(pull, Mapping) else self.event.get("number")
        return number if isinstance(number, int) and number > 0 else None

    @property
    def head_sha(self) -> str | None:
        """Return the commit the files were read at: a pull request's head, else GITHUB_SHA."""
        pull = (self.event or {}).get("pull_request")
        head = pull.get("head") if isinstance(pull, Mapping) else None
        sha = head.get("sha") if isinstance(head, Mapping) else None
        return sha if isinstance(sha, str) and sha else self.sha

    def relative(self, file: str) -> str:
        """Return a file as the runner names it: relative to the workspace, with slashes."""
        path = Path(file)
        if not path.is_absolute():
            path = Path.cwd() / path
        base = (self.workspace or Path.cwd()).resolve()
        try:
            return PurePosixPath(path.resolve().relative_to(base)).as_posix()
        except ValueError:
            return PurePosixPath(file).as_posix()

    def blob_url(self, file: str, line: int | None = None) -> str | None:
        """Return the address of a file (at a line) in the repository at the run's commit."""
        sha = self.head_sha
        if not self.repository or not sha:
            return None
        anchor = f"#L{line}" if line else ""
        return f"{self.server_url}/{self.repository}/blob/{sha}/{self.relative(file)}{anchor}"


def _read_event(path: Path | None) -> Mapping[str, Any] | None:
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# -- workflow commands -------------------------------------------------------------------


def escape_data(value: object) -> str:
    """Return a command's message as the runner reads it back: %, CR and LF encoded."""
    return str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: object) -> str:
    """Return a command property's value: also : and , encoded."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: object = "", **properties: object) -> str:
    """Return one workflow command line, e.g. ::warning file=a.md,line=3::text."""
    props = ",".join(
        f"{key}={escape_property(clean(value))}"
        for key, value in properties.items()
        if value is not None and value != ""
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(clean(message))}"


def annotation(
    level: Level,
    message: str,
    *,
    file: str | None = None,
    line: int | None = None,
    title: str | None = None,
) -> str:
    """Return an annotation line; with file and line it shows on that line of the diff."""
    return command(level, message, file=file, line=line, title=title)


@contextmanager
def commands_stopped(out: TextIO, active: bool) -> Iterator[None]:
    """Switch workflow commands off while outside text is printed (only inside Actions)."""
    if not active:
        yield
        return
    token = secrets.token_hex(16)
    out.write(f"::stop-commands::{token}\n")
    out.flush()
    try:
        yield
    finally:
        out.flush()
        out.write(f"::{token}::\n")
        out.flush()


# -- files -------------------------------------------------------------------------------


def output_lines(outputs: Mapping[str, object]) -> str:
    """Return outputs in GITHUB_OUTPUT's form, each value between delimiters of its own."""
    chunks = []
    for name, value in outputs.items():
        text = "" if value is None else str(value)
        delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
        chunks.append(f"{name}<<{delimiter}\n{text}\n{delimiter}\n")
    return "".join(chunks)


def append(path: Path, text: str) -> None:
    """Append to a file the runner reads after the step (outputs, the job summary)."""
    with path.open("a", encoding="utf-8") as fh:
        fh.write(text)
