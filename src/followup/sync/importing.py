"""Import post-mortem files into the store, all or nothing, in bounded memory.

Files are read and stored a batch at a time in one transaction: a tree of 10,000
post-mortems never sits in memory at once, and any unreadable file still leaves the
store as it was. A file whose bytes did not change since it was last imported (by the
same version of followup, with the same default repository) is not parsed again. When
enough files are to be parsed, worker processes read them ahead while this process stores
the ones before (sync/reading.py); the result is the same as reading them here.
"""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select
from sqlmodel import Session, col

from followup import __version__, collector
from followup.errors import InputError
from followup.policy import DuePolicy
from followup.postmortem.model import PostMortem
from followup.store import retry
from followup.store.importer import ImportResult, import_all
from followup.store.models import ItemRow, PostMortemRow, Status
from followup.sync import reading
from followup.sync.reading import Job, Reading, Unreadable

if TYPE_CHECKING:
    from followup.postmortem.diagnosis import Diagnosis

# Documents parsed and stored at a time: enough for bulk inserts to pay off.
BATCH = 250
# Larger files are left to the reader, which refuses them with its own message.
MAX_HASHED_BYTES = 5_000_000


@dataclass(frozen=True, slots=True)
class FileProblem:
    """A file that could not be read, with the one-line reason."""

    path: str
    message: str
    # Why the file was refused, when forcing would import it anyway.
    refused: str | None = None


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
    # The files read this time whose items have no repository of their own or by default.
    without_repo: list[str] = field(default_factory=list)
    # What the reader took from each document read this time, and what it left (by slug).
    diagnoses: dict[str, Diagnosis] = field(default_factory=dict)


RepoOf = Callable[[Path], str | None]


def file_hash(path: Path, default_repo: str | None) -> str | None:
    """Return the hash an import keeps of a regular file, or None to leave it to the reader.

    It covers followup's version and the default repository too: a newer reader, or
    another --repo, reads the file again.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    digest = hashlib.sha256(f"followup {__version__}\0{default_repo or ''}\0".encode())
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Known:
    """What the store holds of a file imported before."""

    file_hash: str | None
    result: ImportResult


def _known(session: Session, resolved: Sequence[str]) -> dict[str, _Known]:
    """Return what the store knows of these files (resolved paths), in one query."""
    live = func.count(col(ItemRow.id)).filter(col(ItemRow.status) != Status.REMOVED.value)
    query = (
        select(
            col(PostMortemRow.path),
            col(PostMortemRow.file_hash),
            col(PostMortemRow.slug),
            col(PostMortemRow.title),
            col(PostMortemRow.status),
            live,
        )
        .outerjoin(ItemRow, col(ItemRow.postmortem_id) == col(PostMortemRow.id))
        .where(col(PostMortemRow.path).in_(resolved))
        .group_by(col(PostMortemRow.id))
    )
    return {
        path: _Known(
            stored_hash,
            ImportResult(slug, path, title, int(items), 0, 0, 0, True, (), status),
        )
        for path, stored_hash, slug, title, status, items in session.execute(query)
    }


@dataclass(frozen=True, slots=True)
class _Options:
    """How an import reads its files."""

    default_repo: str | None
    repo_of: RepoOf | None
    skip_invalid: bool
    policy: DuePolicy | None
    force: bool


def _stored_hashes(session: Session, resolved: Sequence[str]) -> dict[str, str | None]:
    """Return the file hash the store keeps of each of these files it knows, a batch a query."""
    hashes: dict[str, str | None] = {}
    for start in range(0, len(resolved), BATCH):
        query = select(col(PostMortemRow.path), col(PostMortemRow.file_hash)).where(
            col(PostMortemRow.path).in_(resolved[start : start + BATCH])
        )
        hashes.update((path, digest) for path, digest in session.execute(query))
    return hashes


def _import(session: Session, files: Sequence[tuple[Path, str]], opts: _Options) -> ImportReport:
    results: list[ImportResult] = []
    problems: list[FileProblem] = []
    without_repo: list[str] = []
    diagnoses: dict[str, Diagnosis] = {}
    defaults = [
        opts.default_repo or (opts.repo_of(path) if opts.repo_of is not None else None)
        for path, _ in files
    ]
    digests = [file_hash(path, default) for (path, _), default in zip(files, defaults, strict=True)]
    jobs = [
        Job(path, default, opts.force) for (path, _), default in zip(files, defaults, strict=True)
    ]
    ahead: list[int] = []
    if reading.workers():
        # The files that will likely be read, to read ahead: the store says for sure, batch
        # by batch below, just before each; one it says is unchanged after all is dropped.
        stored = _stored_hashes(session, [resolved for _, resolved in files])
        ahead = [
            i
            for i, (_, resolved) in enumerate(files)
            if digests[i] is None or stored.get(resolved, "") != digests[i]
        ]
    with Reading(jobs, ahead) as documents:
        for start in range(0, len(files), BATCH):
            chunk = range(start, min(start + BATCH, len(files)))
            known = _known(session, [files[i][1] for i in chunk])
            docs: list[PostMortem] = []
            found: list[Diagnosis] = []
            hashes: dict[str, str] = {}
            resolved_paths: dict[str, str] = {}
            for i in chunk:
                path, resolved = files[i]
                digest = digests[i]
                seen = known.get(resolved)
                if digest is not None and seen is not None and seen.file_hash == digest:
                    results.append(seen.result)
                    continue
                read = documents.take(i)
                if isinstance(read, Unreadable):
                    problems.append(FileProblem(str(path), read.message, refused=read.refused))
                    continue
                doc = read.doc
                docs.append(doc)
                found.append(read.diagnosis)
                resolved_paths[doc.slug] = resolved
                if doc.repo is None:
                    without_repo.append(str(doc.path))
                if digest is not None:
                    hashes[doc.slug] = digest
            if problems and not opts.skip_invalid:
                continue  # nothing will be kept: read on only to report every bad file
            imported = import_all(
                session,
                docs,
                default_repo=opts.default_repo,
                policy=opts.policy,
                file_hashes=hashes,
                paths=resolved_paths,
            )
            # By the slug each is stored under: a moved file keeps its earlier one.
            diagnoses.update(zip((r.slug for r in imported), found, strict=True))
            results.extend(imported)
            # The rows are written; letting the session forget them bounds its memory.
            session.flush()
            session.expunge_all()
    if problems and not opts.skip_invalid:
        raise ImportFailed(problems)
    return ImportReport(
        results=results, skipped=problems, without_repo=without_repo, diagnoses=diagnoses
    )


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
    # The same file named twice (a glob and a path) is read once.
    files = [(path, resolved) for resolved, path in {str(p.resolve()): p for p in paths}.items()]
    with collector.paused():
        # Run again from a fresh read if someone edits an item of these documents meanwhile.
        # Imports take turns by the store's import lock (store/locks.exclusive), taken first.
        return retry.write(
            engine,
            lambda session: _import(
                session,
                files,
                _Options(default_repo, repo_of, skip_invalid, policy, force),
            ),
            snapshot=False,
        )
