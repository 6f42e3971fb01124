"""What a TUI job is: a spec (name, words, work, summary) and what the work hands back.

A job is declared once, as a JobSpec in `registry.py`; the app runs any spec the same way:
in a thread worker, with a JobContext for the store, the settings and GitHub, reporting
the Outcome its summary makes of the work's result. Nothing here touches a widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from followup.config import Settings
from followup.errors import FollowupError
from followup.sync.progress import Progress
from followup.text import clean

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from textual.content import Content

    from followup.github.client import GitHub

A = TypeVar("A")
R = TypeVar("R")
Severity = Literal["information", "warning", "error"]
ItemState = Literal["done", "skipped", "failed"]

NO_GITHUB_SESSION = "GitHub is not available in this session"


def one_line(exc: BaseException) -> str:
    """Return an error as the one line a notification shows."""
    if isinstance(exc, FollowupError):
        return str(exc)
    detail = clean(" ".join(str(exc).split())) or type(exc).__name__
    return f"unexpected {type(exc).__name__}: {detail}"


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What a job did with one item, for the per-item results screen."""

    item_id: str
    title: str
    state: ItemState
    message: str


@dataclass(frozen=True, slots=True)
class Preview:
    """What a confirmation dialog shows; blocked says why confirming is impossible."""

    title: str
    headline: str
    body: Content
    confirm_label: str = "Confirm"
    blocked: str | None = None


@dataclass(frozen=True, slots=True)
class Job(Generic[A]):
    """A spec with its arguments: work ready to start."""

    spec: JobSpec[A, Any]
    args: A


@dataclass(frozen=True, slots=True)
class Proposal:
    """A plan waiting for the user's yes, and the job that carries it out."""

    preview: Preview
    then: Job[Any]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to tell the user when a job ends, and what follows from it."""

    summary: str
    severity: Severity = "information"
    changed: bool = True
    # When only these items changed, re-reading them is enough (not the whole store).
    items: tuple[str, ...] | None = None
    # One line per item the job touched, when it touched several, and what the job was.
    results: tuple[ItemResult, ...] = ()
    title: str = ""
    # A plan to confirm before the real work starts.
    proposal: Proposal | None = None

    @property
    def failures(self) -> int:
        """Return how many items failed."""
        return sum(1 for r in self.results if r.state == "failed")


QUIET = Outcome("", changed=False)


@dataclass(frozen=True, slots=True)
class JobContext:
    """What work in a thread may use: the store, the settings and a client per thread."""

    engine: Engine
    settings: Settings
    github: Callable[[], GitHub] | None
    # Called when no token turns up, so the UI can say GitHub actions are off.
    token_missing: Callable[[], None]

    def client(self) -> GitHub:
        """Return a new client for this thread; AuthError when there is no token."""
        from followup.github.errors import AuthError

        if self.github is None:
            raise AuthError(NO_GITHUB_SESSION)
        try:
            return self.github()
        except AuthError:
            self.token_missing()
            raise

    def client_or_none(self) -> GitHub | None:
        """Return a client, or None without a token (the work stays local)."""
        from followup.github.errors import AuthError

        try:
            return self.client()
        except AuthError:
            return None


Work = Callable[[JobContext, A, Progress], R]


@dataclass(frozen=True, slots=True)
class Palette(Generic[A]):
    """A command-palette entry that starts the job with fixed arguments."""

    title: str
    help: str
    args: A


@dataclass(frozen=True, slots=True)
class JobSpec(Generic[A, R]):
    """One kind of background work, declared once.

    `description` (words, or words made from the arguments) shows in the status bar while
    the job runs; `failure` titles the notification when it fails. `work` runs in a thread
    and returns a result that `summary` turns into the Outcome shown. A job runs once at a
    time, or once per what `exclusive_per` returns (edits of different items side by side).
    """

    name: str
    description: str | Callable[[A], str]
    failure: str
    work: Work[A, R]
    summary: Callable[[R], Outcome]
    needs_github: bool = False
    exclusive_per: Callable[[A], str] | None = None
    palette: Palette[A] | None = None

    def key(self, args: A) -> str:
        """Return the name under which this run is known while it runs."""
        if self.exclusive_per is None:
            return self.name
        return f"{self.name}:{self.exclusive_per(args)}"

    def describe(self, args: A) -> str:
        """Return what the status bar says while this run works."""
        if isinstance(self.description, str):
            return self.description
        return self.description(args)

    def __call__(self, args: A) -> Job[A]:
        """Return this job bound to its arguments."""
        return Job(self, args)

    def run(self, context: JobContext, args: A, progress: Progress) -> Outcome:
        """Do the work and summarise it (in the worker thread)."""
        return self.summary(self.work(context, args, progress))
