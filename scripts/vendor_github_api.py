"""Write the trimmed copies of GitHub's API descriptions that the contract tests use.

    python scripts/vendor_github_api.py [--source ../shared/github-api]

Reads GitHub's OpenAPI description (api.github.com.json, from the npm package
@octokit/openapi) and GraphQL introspection schema (@octokit/graphql-schema) and writes
tests/contract/github-openapi.json (only the operations followup sends, with the
components they reference) and tests/contract/github-graphql-schema.json.gz.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "contract"

# Every REST operation followup sends. A request outside this list fails the contract test.
OPERATIONS: dict[str, tuple[str, ...]] = {
    "/user": ("get",),
    "/rate_limit": ("get",),
    "/repos/{owner}/{repo}": ("get",),
    "/repos/{owner}/{repo}/issues": ("get", "post"),
    "/repos/{owner}/{repo}/issues/{issue_number}": ("get", "patch"),
    "/repos/{owner}/{repo}/issues/{issue_number}/assignees": ("post", "delete"),
    "/repos/{owner}/{repo}/issues/{issue_number}/comments": ("get", "post"),
    "/repos/{owner}/{repo}/issues/comments/{comment_id}": ("patch", "delete"),
    "/repos/{owner}/{repo}/issues/{issue_number}/labels": ("post", "delete"),
    "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}": ("delete",),
    "/repos/{owner}/{repo}/labels": ("get", "post"),
    "/repos/{owner}/{repo}/labels/{name}": ("get",),
    "/repos/{owner}/{repo}/assignees/{assignee}": ("get",),
    "/repos/{owner}/{repo}/branches/{branch}": ("get",),
    "/repos/{owner}/{repo}/branches/{branch}/protection": ("get", "put"),
    "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks": ("patch",),
    "/repos/{owner}/{repo}/branches/{branch}/protection/required_status_checks/contexts": ("post",),
    "/repos/{owner}/{repo}/branches/{branch}/protection/required_pull_request_reviews": ("patch",),
    "/repos/{owner}/{repo}/branches/{branch}/protection/enforce_admins": ("post",),
    "/repos/{owner}/{repo}/branches/{branch}/protection/required_signatures": (
        "get",
        "post",
        "delete",
    ),
    "/repos/{owner}/{repo}/commits/{ref}/check-runs": ("get",),
    "/repos/{owner}/{repo}/commits/{ref}/status": ("get",),
    "/repos/{owner}/{repo}/rulesets": ("get", "post"),
    "/repos/{owner}/{repo}/rulesets/{ruleset_id}": ("get", "put"),
    "/repos/{owner}/{repo}/rules/branches/{branch}": ("get",),
}


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            found.add(ref)
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _allow_null_in_nullable_enums(node: Any) -> None:
    # GitHub marks some enums nullable without listing null among their values (an
    # issue's state_reason, for one). openapi-core follows the enum strictly and would
    # reject real GitHub responses, so null is added to such enums here.
    if isinstance(node, dict):
        enum = node.get("enum")
        if node.get("nullable") is True and isinstance(enum, list) and None not in enum:
            enum.append(None)
        for value in node.values():
            _allow_null_in_nullable_enums(value)
    elif isinstance(node, list):
        for value in node:
            _allow_null_in_nullable_enums(value)


def trim_openapi(spec: dict[str, Any]) -> dict[str, Any]:
    """Return the description cut down to OPERATIONS and what they reference."""
    paths: dict[str, Any] = {}
    for path, methods in OPERATIONS.items():
        item = spec["paths"].get(path)
        if item is None:
            raise SystemExit(f"{path} is not in this OpenAPI description")
        kept = {m: item[m] for m in methods if m in item}
        missing = set(methods) - set(kept)
        if missing:
            raise SystemExit(f"{path}: no {', '.join(sorted(missing))} in this description")
        if "parameters" in item:
            kept["parameters"] = item["parameters"]
        paths[path] = kept

    wanted: set[str] = set()
    _refs(paths, wanted)
    done: set[str] = set()
    while wanted - done:
        ref = sorted(wanted - done)[0]
        done.add(ref)
        _refs(_resolve(spec, ref), wanted)

    components: dict[str, dict[str, Any]] = {}
    for ref in sorted(done):
        _, _, section, name = ref.split("/", 3)
        components.setdefault(section, {})[name] = _resolve(spec, ref)

    trimmed = {
        "openapi": spec["openapi"],
        "info": {**spec["info"], "description": "Trimmed by scripts/vendor_github_api.py"},
        "servers": spec["servers"],
        "paths": paths,
        "components": components,
    }
    _allow_null_in_nullable_enums(trimmed)
    return trimmed


def _strip_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_descriptions(v) for k, v in node.items() if k != "description"}
    if isinstance(node, list):
        return [_strip_descriptions(v) for v in node]
    return node


def main(argv: list[str] | None = None) -> int:
    """Write both trimmed files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "github-api")
    args = parser.parse_args(argv)
    openapi_path = args.source / "api.github.com.json"
    schema_path = args.source / "graphql-schema.json"
    for path in (openapi_path, schema_path):
        if not path.exists():
            print(f"error: {path} not found (see --source)", file=sys.stderr)
            return 2

    spec = json.loads(openapi_path.read_text(encoding="utf-8"))
    trimmed = trim_openapi(spec)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "github-openapi.json").write_text(
        json.dumps(trimmed, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    slim = json.dumps(_strip_descriptions(schema), separators=(",", ":"), sort_keys=True)
    # mtime=0 keeps the file byte-for-byte the same when nothing changed.
    with gzip.GzipFile(OUT / "github-graphql-schema.json.gz", "wb", mtime=0) as fh:
        fh.write(slim.encode())
    print(f"wrote {len(OPERATIONS)} paths and the GraphQL schema to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
