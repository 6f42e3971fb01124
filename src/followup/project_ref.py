"""Name a GitHub Project (v2) as gh does: `OWNER/NUMBER` or the project's URL.

Low in the stack because the settings check a `project` value as they are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followup.errors import InputError

_REF = re.compile(r"^(?P<owner>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))/(?:projects/)?(?P<number>\d+)$")
_URL = re.compile(
    r"^https?://[^/]+/(?:orgs|users)/(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})"
    r"/projects/(?P<number>\d+)(?:/.*)?$"
)


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project as the user names it: its owner's login and its number."""

    owner: str
    number: int

    def __str__(self) -> str:
        return f"{self.owner}/{self.number}"

    @property
    def key(self) -> str:
        """Return the reference as the store keeps it (GitHub ignores a login's case)."""
        return f"{self.owner.lower()}/{self.number}"


def parse_project(text: str) -> ProjectRef:
    """Return the project OWNER/NUMBER or its URL names; one line on anything else."""
    value = text.strip()
    found = _REF.match(value) or _URL.match(value)
    if found is None or int(found["number"]) < 1:
        raise InputError(
            f"not a GitHub project: {text!r} (expected OWNER/NUMBER, e.g. octo-org/5, "
            "or the project's URL)"
        )
    return ProjectRef(found["owner"], int(found["number"]))
