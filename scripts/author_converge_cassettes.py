"""Author the cassettes of converging, and add the converge list to older filing cassettes.

    python scripts/author_converge_cassettes.py scenarios
    python scripts/author_converge_cassettes.py [pytest arguments, e.g. tests/sync/test_filing.py]

`scenarios` writes tests/cassettes/test_converge/: each scenario of
tests/sync/test_converge.py (runs that raced, a server without `duplicate`, a duplicate
someone reopened) is arranged on tests/fakegithub, run once against it in this process
(no HTTP: the fake carries out each request and its answer is written down, with
ScriptedGitHub from author_fault_cassettes.py), and the exchanges become the cassette
the test replays.

With pytest arguments:

Since filing converges after creating (src/followup/sync/converge.py), a run that
created issues in a repository lists that repository's followup issues once more. A
cassette authored before that lacks the list. This runs the given tests with vcrpy
patched: when a test sends that list and its cassette has no unplayed answer for it,
the answer is made from the cassette itself, as GitHub would give it (the last list
answered for that URL, plus every issue created since, newest first) and put into the
cassette right after the last exchange played. The cassettes are then written back in
the kit's YAML layout. Read the diff before committing.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from vcr.cassette import Cassette

LIST_QUERY = "labels=followup&state=all"
_inserted: dict[str, list[tuple[int, dict[str, Any]]]] = {}


def _is_list(method: str, uri: str) -> bool:
    return (
        method == "GET" and uri.split("?", maxsplit=1)[0].endswith("/issues") and LIST_QUERY in uri
    )


def _body(response: dict[str, Any]) -> Any:
    raw = response["body"]["string"]
    if isinstance(raw, bytes):
        raw = raw.decode()
    return json.loads(raw) if raw else None


def _answer(cassette: Any, uri: str, upto: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Return (request, response) of the list: the last one answered, plus issues made since."""
    base = uri.split("?", maxsplit=1)[0]
    last = max(
        i
        for i in range(upto + 1)
        if _is_list(cassette.data[i][0].method, cassette.data[i][0].uri)
        and cassette.data[i][0].uri.split("?")[0] == base
        and cassette.play_counts[i]
    )
    request, response = cassette.data[last]
    issues = {issue["number"]: issue for issue in _body(response) or []}
    for i in range(last + 1, upto + 1):
        req, resp = cassette.data[i]
        if (
            cassette.play_counts[i]
            and req.method == "POST"
            and req.uri == base
            and resp["status"]["code"] == 201
        ):
            created = _body(resp)
            issues[created["number"]] = created
    body = json.dumps([issues[n] for n in sorted(issues, reverse=True)])
    new = copy.deepcopy({**response, "body": {"string": body.encode()}})
    return request, new


def play_response(self: Any, request: Any) -> Any:
    """Play as vcrpy does, noting which exchange was played last."""
    before = dict(self.play_counts)
    response = _original_play(self, request)
    for index, count in self.play_counts.items():
        if count != before.get(index, 0):
            self._last_played = index
    return response


def can_play_response_for(self: Any, request: Any) -> bool:
    """Answer as vcrpy does; first make up the converge list when the cassette lacks it."""
    if not _is_list(request.method, request.uri):
        return bool(_original_can(self, request))
    upto = getattr(self, "_last_played", -1)
    unplayed = [i for i, _ in self._responses(request) if self.play_counts[i] == 0]
    # vcrpy would play any unplayed list of the same URL, even a later run's: the list
    # must be the very next exchange, or it is one the cassette lacks.
    if unplayed and min(unplayed) == upto + 1:
        return True
    new_request, new_response = _answer(self, request.uri, upto)
    at = upto + 1
    self.data.insert(at, (new_request, new_response))
    shifted = {(i + 1 if i >= at else i): n for i, n in self.play_counts.items()}
    self.play_counts.clear()
    self.play_counts.update(shifted)
    self._loaded_count += 1
    done = _inserted.setdefault(self._path, [])
    if all(at != earlier for earlier, _ in done):  # another test may share the cassette
        done.append((at, _interaction(new_request, new_response)))
    return bool(_original_can(self, request))


def _interaction(request: Any, response: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": {
            "body": request.body.decode() if isinstance(request.body, bytes) else request.body,
            "headers": {k: [v] for k, v in request.headers.items()},
            "method": request.method,
            "uri": request.uri,
        },
        "response": {
            **copy.deepcopy(response),
            "body": {"string": response["body"]["string"].decode()},
        },
    }


_original_play = Cassette.play_response
_original_can = Cassette.can_play_response_for


class Plugin:
    """Patch vcrpy for the run; write the cassettes that gained a list at its end."""

    def pytest_configure(self) -> None:
        Cassette.play_response = play_response  # type: ignore[method-assign]
        Cassette.can_play_response_for = can_play_response_for  # type: ignore[method-assign]

    def pytest_unconfigure(self) -> None:
        Cassette.play_response = _original_play  # type: ignore[method-assign]
        Cassette.can_play_response_for = _original_can  # type: ignore[method-assign]
        for path, inserts in _inserted.items():
            target = Path(path)
            if not target.exists():
                continue  # a test replaying another test's cassette: that test adds the list
            data = yaml.safe_load(target.read_text(encoding="utf-8"))
            for at, interaction in inserts:
                # The request as the cassette already writes it, headers included.
                interaction["request"] = copy.deepcopy(
                    next(
                        i["request"]
                        for i in data["interactions"]
                        if i["request"]["uri"] == interaction["request"]["uri"]
                    )
                )
                data["interactions"].insert(at, interaction)
            target.write_text(yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")
            print(f"{target}: {len(inserts)} list(s) added")


def _route(fake: Any) -> Any:
    def route(method: str, url: str, headers: dict[str, str], body: Any) -> Any:
        answer = fake.process(method, url, body)
        return answer.status, answer.body, answer.headers

    return route


def scenarios() -> None:
    """Write the cassette of every scenario of tests/sync/test_converge.py."""
    import tempfile
    from datetime import UTC, datetime
    from unittest import mock

    from tests.fakegithub import FakeGitHub
    from tests.sync import test_converge as t

    from followup import clock
    from followup.github import ClientOptions, GitHub
    from followup.store import create_store_engine
    from scripts.author_fault_cassettes import CASSETTES, ScriptedGitHub

    moment = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)  # test_filing's frozen clock
    for name, arrange in t.SCENARIOS.items():
        with tempfile.TemporaryDirectory() as tmp, mock.patch.object(clock, "now", lambda: moment):
            engine = create_store_engine(f"sqlite:///{tmp}/store.db")
            fake = FakeGitHub()
            fake.url = "https://api.github.com"
            pm_path = Path(tmp) / f"{t.SLUG}.md"

            scripted = ScriptedGitHub(_route(fake))
            t.load(engine, pm_path, t.document(t.REPO, t.OWNER))
            arrange(fake, t.item_ids(engine))
            with scripted.serving():
                client = GitHub("test-token-not-real", ClientOptions(write_interval=0, backoff=0))
                t.run(engine, client, pm_path)
            engine.dispose()
            scripted.cassette.write(CASSETTES / "test_converge" / f"{name}.yaml")
            print(f"{name}: {len(scripted.cassette.interactions)} exchanges")


if __name__ == "__main__":
    if sys.argv[1:] == ["scenarios"]:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        scenarios()
    else:
        sys.exit(pytest.main(["-p", "no:xdist", "-q", *sys.argv[1:]], plugins=[Plugin()]))
