"""Import post-mortem files into the store, all or nothing."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine

from followup import postmortem
from followup.errors import InputError
from followup.policy import DuePolicy
from followup.postmortem.model import PostMortem
from followup.store import session_scope
from followup.store.importer import ImportResult, import_all


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be read, with the one-line reason."""

    path: str
    message: str


class ImportFailed(InputError):
    """Report that some files could not be read, so nothing was imported."""

    def __init__(self, problems: Sequence[FileProblem]) -> None:
        self.problems = tuple(problems)
        count = len(self.problems)
        noun = "file" if count == 1 else "files"
        super().__init__(f"{count} {noun} could not be read; nothing was imported")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, file by file."""

    results: list[ImportResult]
    skipped: list[FileProblem] = field(default_factory=list)
    documents: list[PostMortem] = field(default_factory=list)


RepoOf = Callable[[Path], str | None]


def read_documents(
    paths: Sequence[Path],
    *,
    default_repo: str | None,
    repo_of: RepoOf | None = None,
    force: bool = False,
) -> tuple[list[PostMortem], list[FileProblem]]:
    """Parse every file, collecting the ones that fail instead of stopping at the first.

    repo_of gives a file's repository when default_repo is None (e.g. its git remote); force
    reads files that do not look like post-mortems (or are not named .md) too.
    """
    docs: list[PostMortem] = []
    problems: list[FileProblem] = []
    for path in paths:
        default = default_repo or (repo_of(path) if repo_of is not None else None)
        try:
            docs.append(postmortem.read(path, default_repo=default, force=force))
        except InputError as exc:
            problems.append(FileProblem(str(path), str(exc)))
    return docs, problems


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause the cycle collector for a bulk load; it resumes afterwards, even on failure.

    An import keeps every parsed document until it writes them all (all or nothing), so
    each of the collector's full passes rescans a growing heap: about a fifth of the time
    of a thousand-document import. Reference counting still frees everything meanwhile.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_files(
    engine: Engine,
    paths: Sequence[Path],
    *,
    default_repo: str | None = None,
    repo_of: RepoOf | None = None,
    skip_invalid: bool = False,
    force: bool = False,
    policy: DuePolicy | None = None,
) -> ImportReport:
    """Read and store the files in one transaction; any unreadable file stops it all.

    With the due-date policy, undated items get their deadline in the same transaction.
    """
    if not paths:
        raise InputError("no post-mortem files given")
    with _cyclic_gc_paused():
        docs, problems = read_documents(
            paths, default_repo=default_repo, repo_of=repo_of, force=force
        )
        if problems and not skip_invalid:
            raise ImportFailed(problems)
        with session_scope(engine) as session:
            results = import_all(session, docs, default_repo=default_repo, policy=policy)
    return ImportReport(results=results, skipped=problems, documents=docs)
