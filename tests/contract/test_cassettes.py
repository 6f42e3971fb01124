"""Every request followup sends is valid against GitHub's API; every answer has GitHub's shape."""

from __future__ import annotations

import pytest

from tests.contract.github_api import (
    Exchange,
    documented_statuses,
    graphql_answer_errors,
    graphql_errors,
    graphql_variable_errors,
    load_exchanges,
    validate_request,
    validate_response,
)

EXCHANGES = list(load_exchanges())
REST = [e for e in EXCHANGES if not e.is_graphql]
GRAPHQL = [e for e in EXCHANGES if e.is_graphql]


def test_cassettes_hold_no_token() -> None:
    for exchange in EXCHANGES:
        headers = {k.lower(): v for k, v in exchange.request_headers.items()}
        assert headers.get("authorization") in (None, "<redacted>"), exchange.name


@pytest.mark.parametrize("exchange", REST, ids=lambda e: e.name)
def test_request_follows_the_openapi_description(exchange: Exchange) -> None:
    validate_request(exchange)


# Cassettes whose answers are malformed on purpose (an HTML page, a JSON string, a list
# where an object is due): what followup does with such answers is what they test.
MALFORMED_ON_PURPOSE = ("test_bad_answers/",)


@pytest.mark.parametrize("exchange", REST, ids=lambda e: e.name)
def test_response_follows_the_openapi_description(exchange: Exchange) -> None:
    # Injected failures (a 502 from a proxy, a 304 with no body) are not described by
    # GitHub; the request beside them is still checked above.
    if str(exchange.status) not in documented_statuses(exchange):
        pytest.skip(f"GitHub does not describe a {exchange.status} here")
    if exchange.cassette.startswith(MALFORMED_ON_PURPOSE):
        pytest.skip("malformed on purpose")
    validate_response(exchange)


@pytest.mark.parametrize("exchange", GRAPHQL, ids=lambda e: e.name)
def test_graphql_query_is_valid_against_the_schema(exchange: Exchange) -> None:
    assert graphql_errors(exchange) == []


@pytest.mark.parametrize("exchange", GRAPHQL, ids=lambda e: e.name)
def test_graphql_variables_fit_the_types_the_query_declares(exchange: Exchange) -> None:
    assert graphql_variable_errors(exchange) == []


@pytest.mark.parametrize("exchange", GRAPHQL, ids=lambda e: e.name)
def test_graphql_answer_has_the_shape_the_query_asks_for(exchange: Exchange) -> None:
    if exchange.cassette.startswith(MALFORMED_ON_PURPOSE):
        pytest.skip("malformed on purpose")
    assert graphql_answer_errors(exchange) == []
