"""The JSON Schemas in docs/schemas/: valid, complete, and strict enough to catch a wrong field."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from followup.cli import COMMANDS
from tests.cli.schemas import SCHEMA_OF, SCHEMAS, check, problems, registry, validator

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_schema_is_valid_draft_2020_12() -> None:
    names = sorted(p.name.removesuffix(".schema.json") for p in SCHEMAS.glob("*.schema.json"))
    assert names == sorted({*SCHEMA_OF.values(), "report"})
    for name in names:
        schema = registry().contents(f"https://schemas.followup.invalid/1/{name}.schema.json")
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
        validator(name)


def test_every_command_with_json_output_has_a_schema() -> None:
    assert set(COMMANDS) - set(SCHEMA_OF) == {"tui"}


def _readme_example() -> dict[str, Any]:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"```json\n(.*?)```", text, re.DOTALL)
    assert block is not None
    data: dict[str, Any] = json.loads(block[1])
    return data


def test_the_readme_example_follows_the_schema() -> None:
    check(_readme_example(), "file")


def _report(**changes: Any) -> dict[str, Any]:
    report = copy.deepcopy(_readme_example())
    report.update(changes)
    return report


@pytest.mark.parametrize(
    "change",
    [
        {"ok": True, "exit_code": 1},
        {"ok": False, "exit_code": 0},
        {"exit_code": 9},
        {"schema_version": 2},
        {"command": "forget"},
        {"dry_run": True},  # a run's actions and counts in a dry run's document
        {"summary": {"created": 1}},
        {"unexpected": 1},
    ],
    ids=repr,
)
def test_the_report_schema_refuses_a_wrong_envelope(change: dict[str, Any]) -> None:
    assert problems(_report(), "file") == []
    assert problems(_report(**change), "file") != []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("action", "filed"),
        ("ok", "yes"),
        ("issue", {"repo": "googleapis/docs", "number": 0, "url": None}),
        ("issue", "googleapis/docs#1"),
        ("source", {"file": "x.md", "line": 0}),
        ("extra", True),
    ],
)
def test_the_report_schema_refuses_a_wrong_item(field: str, value: object) -> None:
    report = _report()
    report["items"][0][field] = value
    assert problems(report, "file") != []


VERDICT = {
    "id": "abc1234",
    "action": "still_regressed",
    "ok": False,
    "title": None,
    "postmortem": None,
    "source": None,
    "issue": None,
    "target": "acme/docs:main",
    "message": "allow deletions is yes (wanted no)",
    "error": None,
    "warnings": [],
    "status": "regressed",
    "missing": [],
}


def _verify(*items: dict[str, Any]) -> dict[str, Any]:
    counts = dict.fromkeys(("ok", "restored", "regressed", "still_regressed", "error", "reads"), 0)
    return {
        "schema_version": 1,
        "command": "verify",
        "dry_run": False,
        "ok": False,
        "exit_code": 1,
        "summary": counts,
        "items": list(items),
        "warnings": [],
        "errors": [],
    }


def test_a_regression_must_say_why() -> None:
    assert problems(_verify(VERDICT), "verify") == []
    assert problems(_verify({**VERDICT, "message": None}), "verify") != []
    assert problems(_verify({**VERDICT, "ok": True}), "verify") != []
    assert problems(_verify({**VERDICT, "action": "ok", "ok": False}), "verify") != []
