"""How protection plans, results and verdicts read in reports, shared by protect, verify, sync."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from sqlalchemy import Engine

from followup.cli.reporting import Entry
from followup.github.protection_mapping import DiffRow, Shortfall
from followup.store import session_scope
from followup.store.queries import get_item
from followup.sync.drift import VerifyResult
from followup.sync.protect import ProtectionPlan, ProtectionResult

VERIFY_TEXT: dict[str, tuple[str, str, str]] = {
    "ok": ("✔ ", "green", "in effect"),
    "restored": ("✔ ", "green", "back in effect: done again"),
    "regressed": ("▲ ", "bold red", "regressed"),
    "still_regressed": ("▲ ", "red", "still regressed"),
    "error": ("? ", "yellow", "not checked"),
}


def _values(rows: Sequence[DiffRow], which: str) -> dict[str, Any]:
    return {row.setting: row.to_json()[which] for row in rows}


def missing_json(missing: Sequence[Shortfall]) -> list[dict[str, Any]]:
    """Return the requested settings not in effect: setting, wanted, live."""
    return [shortfall.to_json() for shortfall in missing]


def protection_json(plan: ProtectionPlan, result: ProtectionResult | None = None) -> dict[str, Any]:
    """Return a plan (and what applying it did) as before/after settings."""
    after: dict[str, Any] | None = _values(plan.rows, "new")
    if plan.error is not None or (result is not None and not result.ok):
        after = None
    return {
        "repo": plan.repo,
        "branch": plan.branch,
        "method": (result.method if result else None) or plan.method,
        "before": _values(plan.rows, "live") if plan.error is None else None,
        "after": after,
        "changes": [
            {"setting": r.setting, "before": j["live"], "after": j["new"], "note": r.note}
            for r in plan.changes
            for j in (r.to_json(),)
        ],
        "missing": missing_json(result.missing) if result else [],
    }


def verify_entry(result: VerifyResult, reason: str | None = None) -> Entry:
    """Return a verdict as an entry whose line says why, e.g. '… still regressed: …'."""
    icon, style, words = VERIFY_TEXT[result.outcome]
    why = result.message or reason or ""
    line = Text.assemble((icon, style), (result.item_id, "bold"), f"  {result.target}: ")
    line.append(words, style=style if result.outcome != "ok" else "")
    if why:
        line.append(f": {why}", style=style)
    return Entry(
        id=result.item_id,
        action=result.outcome,
        ok=result.outcome in ("ok", "restored"),
        target=result.target,
        message=why or None,
        error=why if result.outcome == "error" else None,
        details={"status": result.status, "missing": missing_json(result.missing)},
        text=line,
    )


def verdicts(engine: Engine, results: Sequence[VerifyResult]) -> list[Entry]:
    """Return an entry per verdict; one still regressed since last time gives that cause."""
    entries = []
    with session_scope(engine) as session:
        for result in results:
            reason = None
            if not result.message and result.outcome == "still_regressed":
                # GitHub answered "not modified": the cause is the one stored last time.
                reason = get_item(session, result.item_id).status_reason
            entries.append(verify_entry(result, reason))
    return entries
