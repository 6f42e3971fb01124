"""What each refusal of a protection endpoint tells the user."""

from __future__ import annotations

import pytest

from followup.github.errors import Forbidden
from followup.github.protection import NotAdmin, PlanLacksProtection, ProtectionError, refused

REPO = "octo-org/followup-scratch"


def forbidden(message: str) -> Forbidden:
    return Forbidden(f"GitHub refused PUT (403: {message})", status=403, github_message=message)


@pytest.mark.parametrize(
    ("message", "kind", "words"),
    [
        (
            "Upgrade to GitHub Pro or make this repository public to enable this feature.",
            PlanLacksProtection,
            "make it public or move it to GitHub Pro",
        ),
        ("Resource not accessible by integration", NotAdmin, "Administration: write"),
        ("Resource not accessible by personal access token", NotAdmin, "Administration: write"),
        ("Must have admin rights to Repository.", NotAdmin, "needs an admin"),
        ("Repository was archived so is read-only.", ProtectionError, "unarchive it first"),
        ("Something new", ProtectionError, "(403: Something new); an admin"),
    ],
)
def test_each_403_says_what_to_do(message: str, kind: type[ProtectionError], words: str) -> None:
    error = refused(REPO, forbidden(message))
    assert type(error) is kind
    assert words in str(error) and REPO in str(error)
    assert "\n" not in str(error) and error.status == 403
