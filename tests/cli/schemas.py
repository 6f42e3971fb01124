"""Validate followup's JSON output against the JSON Schemas published in docs/schemas/."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

SCHEMAS = Path(__file__).resolve().parents[2] / "docs" / "schemas"
BASE = "https://schemas.followup.invalid/1/"

# The schema each command's JSON output follows.
SCHEMA_OF = {
    "list": "list",
    "show": "show",
    "config": "config",
    "import": "import",
    "file": "file",
    "protect": "protect",
    "verify": "verify",
    "sync": "sync",
    "close": "edit",
    "reopen": "edit",
    "assign": "edit",
    "due": "edit",
    "priority": "edit",
    "accept": "suggestion",
    "dismiss": "suggestion",
    "forget": "forget",
    "ci": "ci",
    "report": "review",
    "remind": "remind",
}


@cache
def registry() -> Registry[Any]:
    """Return every published schema, by its $id."""
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$id"] == BASE + path.name, path
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """Return a validator for docs/schemas/<name>.schema.json, formats checked."""
    schema = registry().contents(f"{BASE}{name}.schema.json")
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=registry(), format_checker=FormatChecker())


def problems(document: Any, name: str) -> list[str]:
    """Return what in document breaks the schema, one line each (empty when valid)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in validator(name).iter_errors(document)
    ]


def check(document: Any, name: str) -> Any:
    """Fail the test when document breaks its schema; return it otherwise."""
    found = problems(document, name)
    assert not found, f"{name}.schema.json: " + "; ".join(found)
    return document


def command_of(args: Sequence[str]) -> str | None:
    """Return the command an argument list runs, if any."""
    return next((arg for arg in args if arg in SCHEMA_OF), None)


def wants_json(args: Sequence[str]) -> bool:
    """Tell whether an argument list asks for JSON output."""
    pairs = zip(args, [*args[1:], ""], strict=True)
    return any(a == "--format=json" or (a == "--format" and b == "json") for a, b in pairs)


def check_output(args: Sequence[str], stdout: str) -> None:
    """Validate the JSON a command printed (one document, or one per line with --watch)."""
    command = command_of(args)
    if command is None or not wants_json(args) or not stdout.strip():
        return
    name = SCHEMA_OF[command]
    if "--watch" in args:
        for line in stdout.splitlines():
            if line.strip():
                check(json.loads(line), name)
        return
    check(json.loads(stdout), name)
