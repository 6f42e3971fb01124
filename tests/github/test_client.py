"""The client's policy: retries on reads only, paced writes, rate limits, one-line errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from followup.github import (
    AuthError,
    ClientOptions,
    GitHub,
    Gone,
    NotFound,
    RateLimited,
    TransientError,
    Unprocessable,
)
from followup.github.transport import RawResponse

REPO = "/repos/octo-org/followup-scratch"


class FakeTime:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def make_client(github_token: str, fake_time: FakeTime) -> Callable[..., GitHub]:
    def make(**options: object) -> GitHub:
        opts = ClientOptions(**{"write_interval": 0.0, "backoff": 0.5, **options})  # type: ignore[arg-type]
        return GitHub(github_token, opts, sleep=fake_time.sleep, monotonic=fake_time.monotonic)

    return make


@pytest.mark.vcr
def test_a_read_is_retried_with_backoff_after_5xx(
    make_client: Callable[..., GitHub], fake_time: FakeTime
) -> None:
    client = make_client()
    response = client.get(f"{REPO}/labels")
    assert response.status == 200
    assert [label["name"] for label in response.data] == ["bug", "enhancement"]
    assert fake_time.sleeps == [0.5, 1.0]
    assert client.stats.requests == 3
    assert client.stats.retries == 2


@pytest.mark.vcr
def test_a_read_gives_up_after_max_retries(make_client: Callable[..., GitHub]) -> None:
    client = make_client(max_retries=1)
    with pytest.raises(
        TransientError, match=r"502 to GET /repos/octo-org/followup-scratch/labels"
    ) as info:
        client.get(f"{REPO}/labels")
    assert info.value.maybe_applied is False


@pytest.mark.vcr
def test_a_write_is_never_resent_after_a_5xx(
    make_client: Callable[..., GitHub], fake_time: FakeTime
) -> None:
    client = make_client()
    with pytest.raises(TransientError) as info:
        client.post(f"{REPO}/issues", {"title": "Protect gh-pages"})
    assert info.value.maybe_applied is True
    assert info.value.status == 502
    assert client.stats.requests == 1
    assert fake_time.sleeps == []


@pytest.mark.vcr
def test_a_secondary_rate_limit_is_waited_out_even_for_writes(
    make_client: Callable[..., GitHub], fake_time: FakeTime
) -> None:
    client = make_client()
    response = client.post(f"{REPO}/labels", {"name": "followup", "color": "5319e7"})
    assert response.status == 201
    assert fake_time.sleeps == [7.0]


@pytest.mark.vcr
def test_a_secondary_limit_without_retry_after_waits_a_minute(
    make_client: Callable[..., GitHub], fake_time: FakeTime
) -> None:
    assert make_client().get(f"{REPO}/labels").status == 200
    assert fake_time.sleeps == [60.0]


@pytest.mark.vcr
def test_an_exhausted_primary_limit_is_reported_with_its_reset(
    make_client: Callable[..., GitHub],
) -> None:
    client = make_client()
    with pytest.raises(RateLimited, match="rate limit is used up until") as info:
        client.get("/user")
    assert info.value.reset_at is not None
    assert info.value.reset_at.year == 2027
    assert client.rate.remaining == 0


@pytest.mark.vcr
def test_an_exhausted_primary_limit_is_waited_for_when_asked(
    make_client: Callable[..., GitHub], fake_time: FakeTime
) -> None:
    client = make_client(wait_for_rate_limit=True)
    assert client.get("/user").data["login"] == "octocat"
    assert len(fake_time.sleeps) == 1 and fake_time.sleeps[0] > 0


@pytest.mark.vcr
def test_bad_credentials_say_so_without_the_token(
    make_client: Callable[..., GitHub], github_token: str
) -> None:
    client = make_client()
    with pytest.raises(AuthError) as info:
        client.get("/user")
    message = str(info.value)
    assert "401" in message and "token" in message
    assert github_token not in message
    assert github_token not in repr(client)
    assert "\n" not in message


@pytest.mark.vcr
def test_client_errors_map_to_typed_one_line_errors(make_client: Callable[..., GitHub]) -> None:
    client = make_client()
    with pytest.raises(NotFound, match=r"GET /repos/octo-org/missing \(404\)"):
        client.get("/repos/octo-org/missing")
    with pytest.raises(Gone, match="Issues are disabled for this repo"):
        client.post(f"{REPO}/issues", {"title": "x"})
    with pytest.raises(Unprocessable, match=r"Label invalid|color") as info:
        client.post(f"{REPO}/labels", {"name": "followup", "color": "zzz"})
    assert info.value.errors[0]["field"] == "color"


@pytest.mark.vcr
def test_pagination_follows_the_link_header(make_client: Callable[..., GitHub]) -> None:
    client = make_client()
    names = [label["name"] for label in client.paginate(f"{REPO}/labels")]
    assert len(names) == 2
    assert client.stats.requests == 2


@pytest.mark.vcr
def test_a_conditional_get_answers_304_when_nothing_changed(
    make_client: Callable[..., GitHub],
) -> None:
    client = make_client()
    first = client.get(f"{REPO}/labels")
    assert first.etag == 'W/"5f3c8e1a"'
    second = client.get(f"{REPO}/labels", etag=first.etag)
    assert second.not_modified
    assert second.data is None
    assert client.stats.not_modified == 1


@pytest.mark.vcr
def test_graphql_returns_partial_data_with_errors(make_client: Callable[..., GitHub]) -> None:
    result = make_client().graphql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Issue { number state } } }",
        {"ids": ["I_kwDOAAAA1", "I_kwDOAAAA2"]},
    )
    assert result.data["nodes"][1] is None
    assert result.errors[0]["type"] == "NOT_FOUND"


@pytest.mark.vcr
def test_enterprise_server_uses_one_base_url_for_rest_and_graphql(
    make_client: Callable[..., GitHub],
) -> None:
    client = make_client(base_url="https://ghe.example.com/api/v3")
    assert client.get("/user").data["login"] == "octocat"
    assert client.graphql("query { viewer { login } }").data == {"viewer": {"login": "octocat"}}


def test_writes_are_paced(
    github_token: str, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = GitHub(
        github_token,
        ClientOptions(write_interval=1.0),
        sleep=fake_time.sleep,
        monotonic=fake_time.monotonic,
    )
    sent: list[str] = []

    def fake_send(method: str, url: str, **kwargs: object) -> RawResponse:
        sent.append(method)
        fake_time.now += 0.25
        return RawResponse(201, {}, "{}")

    monkeypatch.setattr(client._transport, "send", fake_send)
    client.post(f"{REPO}/labels", {"name": "a"})
    client.get(f"{REPO}/labels")
    client.post(f"{REPO}/labels", {"name": "b"})
    assert sent == ["POST", "GET", "POST"]
    # The second write waits out the rest of the interval since the first one ended.
    assert fake_time.sleeps == [pytest.approx(0.75)]
