"""Repository names are validated before any request is built."""

from __future__ import annotations

import pytest

from followup.errors import InputError
from followup.github.repos import normalise_repo, parse_repo, repo_path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("googleapis/docs", ("googleapis", "docs")),
        (" Octo-Org/my.repo_2 ", ("Octo-Org", "my.repo_2")),
    ],
)
def test_valid_names(text: str, expected: tuple[str, str]) -> None:
    assert parse_repo(text) == expected


@pytest.mark.parametrize("text", ["docs", "a/b/c", "-x/y", "o/..", "o/", "/r", "o/r space"])
def test_invalid_names_are_one_line_errors(text: str) -> None:
    with pytest.raises(InputError, match="expected owner/name"):
        parse_repo(text)


def test_paths_quote_branch_names() -> None:
    assert normalise_repo("GoogleAPIs/Docs") == "googleapis/docs"
    assert (
        repo_path("o/r", "branches", "release/2.x", "protection")
        == "/repos/o/r/branches/release%2F2.x/protection"
    )
