"""An independent judge of protection: what is looser than before, what is not in effect.

Written apart from followup's own comparison (github/protection_compare.py), on the fake's
own state, so that the fault suite can catch a mistake in followup's.
"""

from __future__ import annotations

from typing import Any

from tests.fakegithub.protection_shapes import FLAGS, LOOSE_WHEN_TRUE


def _fewer(
    then: dict[str, list[str]] | None, now: dict[str, list[str]] | None, *, open_when_none: bool
) -> bool:
    """Tell whether `now` lets more people do something than `then` did."""
    if then == now:
        return False
    if open_when_none:
        if now is None:
            return True
        if then is None:
            return False
    else:
        if then is None:
            return now is not None and any(now.values())
        if now is None:
            return False
    return any(not set(now[k]) <= set(then[k]) for k in ("users", "teams", "apps"))


def classic_weaker(then: dict[str, Any] | None, now: dict[str, Any] | None) -> list[str]:
    if then is None:
        return []
    if now is None:
        return ["protection removed"]
    out = []
    for name in FLAGS:
        loose = name in LOOSE_WHEN_TRUE
        if then[name] != now[name] and now[name] == loose:
            out.append(name)
    if then["checks"] is not None:
        if now["checks"] is None:
            out.append("status checks removed")
        else:
            bound = dict(now["checks"])
            for context, app in then["checks"]:
                if context not in bound:
                    out.append(f"check {context} removed")
                elif app is not None and bound[context] != app:
                    out.append(f"check {context} lost its app")
            if then["strict"] and not now["strict"]:
                out.append("strict checks")
    if then["reviews"] is not None:
        rev, new = then["reviews"], now["reviews"]
        if new is None:
            out.append("reviews removed")
        else:
            if new["count"] < rev["count"]:
                out.append("review count")
            for key in (
                "dismiss_stale_reviews",
                "require_code_owner_reviews",
                "require_last_push_approval",
            ):
                if rev[key] and not new[key]:
                    out.append(key)
            if _fewer(rev["dismissal"], new["dismissal"], open_when_none=True):
                out.append("dismissal restrictions")
            if _fewer(rev["bypass"], new["bypass"], open_when_none=False):
                out.append("bypass allowances")
    if _fewer(then["restrictions"], now["restrictions"], open_when_none=True):
        out.append("push restrictions")
    return out


def ruleset_weaker(then: dict[str, Any], now: dict[str, Any] | None) -> list[str]:
    if now is None:
        return ["deleted"]
    out = []
    if then.get("enforcement") == "active" and now.get("enforcement") != "active":
        out.append("no longer active")
    kinds = {r["type"]: r.get("parameters") for r in now.get("rules", [])}
    for rule in then.get("rules", []):
        if rule["type"] not in kinds:
            out.append(f"rule {rule['type']} removed")
            continue
        old, new = rule.get("parameters") or {}, kinds[rule["type"]] or {}
        if int(new.get("required_approving_review_count") or 0) < int(
            old.get("required_approving_review_count") or 0
        ):
            out.append("review count")
        checks = {c["context"] for c in new.get("required_status_checks") or []}
        out += [
            f"check {c['context']} removed"
            for c in old.get("required_status_checks") or []
            if c["context"] not in checks
        ]
    added = [a for a in now.get("bypass_actors", []) if a not in then.get("bypass_actors", [])]
    if added:
        out.append("bypass actors added")
    return out


def classic_missing(state: dict[str, Any], requested: dict[str, Any]) -> list[str]:
    out = []
    for name, wanted in requested.items():
        if name == "contexts":
            have = [c for c, _ in state["checks"] or []]
            ok = all(c in have for c in wanted)
        elif name == "required_approving_review_count":
            ok = state["reviews"] is not None and state["reviews"]["count"] >= wanted
        elif name in LOOSE_WHEN_TRUE:
            ok = wanted or not state[name]
        else:
            ok = state[name] or not wanted
        if not ok:
            out.append(name)
    return out


_RULE_OF = {
    "allow_deletions": "deletion",
    "allow_force_pushes": "non_fast_forward",
    "required_linear_history": "required_linear_history",
    "required_signatures": "required_signatures",
    "lock_branch": "update",
}


def ruleset_missing(ruleset: dict[str, Any], requested: dict[str, Any]) -> list[str]:
    kinds = {r["type"]: r.get("parameters") or {} for r in ruleset["rules"]}
    out = []
    for name, wanted in requested.items():
        if name in _RULE_OF:
            ok = (_RULE_OF[name] in kinds) or (wanted is (name in LOOSE_WHEN_TRUE))
        elif name == "required_approving_review_count":
            ok = int(kinds.get("pull_request", {}).get(name, -1)) >= wanted
        elif name == "contexts":
            have = {
                c["context"]
                for c in kinds.get("required_status_checks", {}).get("required_status_checks", [])
            }
            ok = set(wanted) <= have
        else:
            ok = False
        if not ok:
            out.append(name)
    return out
