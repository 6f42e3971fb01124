"""Who the token belongs to."""

from __future__ import annotations

from followup.github.client import GitHub
from followup.github.errors import BadAnswer


def authenticated_login(client: GitHub) -> str:
    """Return the login of the token's user (GET /user)."""
    response = client.get("/user")
    login = response.object().get("login")
    if not isinstance(login, str) or not login:
        raise BadAnswer(f"GitHub's answer to {response.where} names no login")
    return login
