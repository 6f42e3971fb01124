"""Who the token belongs to."""

from __future__ import annotations

from followup.github.client import GitHub


def authenticated_login(client: GitHub) -> str:
    """Return the login of the token's user (GET /user)."""
    response = client.get("/user")
    return str(response.data["login"])
