"""Take the README's screenshot of the HTML report: a demo store, rendered, in headless chromium.

    python scripts/report_screenshot.py [--out docs/report.png] [--width 1000]

Builds a throwaway store of four post-mortems whose items were closed over the past
weeks, writes `followup report --format html` of it, and screenshots the page's top
with Debian's chromium and chromium-driver (apt-get install chromium chromium-driver).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from sqlmodel import select  # noqa: E402

from followup import clock  # noqa: E402
from followup.policy import DEFAULT_POLICY  # noqa: E402
from followup.postmortem.model import ActionItem, PostMortem, ProtectionSpec  # noqa: E402
from followup.store import create_store_engine, session_scope  # noqa: E402
from followup.store.history import Changes  # noqa: E402
from followup.store.importer import import_all  # noqa: E402
from followup.store.models import ItemRow  # noqa: E402
from followup.sync import review  # noqa: E402

TODAY = date(2026, 3, 18)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)

# (title, owner, priority, due, closed how many days after the import, or None)
DOCS: list[tuple[str, str, date, list[tuple[str, str, str, date | None, int | None]]]] = [
    (
        "Checkout errors after the payments deploy",
        "payments",
        date(2026, 3, 9),
        [
            ("Add a canary stage to the payments pipeline", "dana", "P0", None, 2),
            ("Alert on checkout error rate above 2%", "lee", "P0", None, 4),
            ("Write the rollback runbook", "sam", "P1", None, None),
            ("Load-test the card tokeniser", "kim", "P2", None, None),
        ],
    ),
    (
        "Queue backlog took the API down",
        "queue",
        date(2026, 2, 16),
        [
            ("Page on queue depth", "lee", "P1", None, 5),
            ("Cap consumer retries", "dana", "P1", None, 12),
            ("Drain the queue from the admin tool", "sam", "P2", date(2026, 3, 6), None),
            ("Document the failover", "ola", "P1", None, None),
            ("Split the bulk import queue", "kim", "P2", None, 20),
        ],
    ),
    (
        "Docs offline after the gh-pages branch was deleted",
        "docs",
        date(2026, 1, 19),
        [
            ("Protect gh-pages", "dana", "P1", None, 3),
            ("Investigate Pages build logs", "lee", "P2", None, 25),
            ("Evaluate another docs host", "sam", "P3", date(2026, 4, 30), None),
        ],
    ),
    (
        "Expired certificate on the CDN",
        "cdn",
        date(2026, 1, 5),
        [
            ("Rotate certificates automatically", "raj", "P0", None, 6),
            ("Alert 30 days before expiry", "mei", "P1", None, 9),
            ("Inventory every certificate", "raj", "P2", None, 30),
            ("Move the CDN config to git", "mei", "P2", None, 44),
        ],
    ),
]


def build(url: str) -> None:
    """Fill a store with the demo post-mortems and their history."""
    engine = create_store_engine(url)
    closures: list[tuple[str, datetime]] = []
    for title, slug, incident, items in DOCS:
        imported = datetime(incident.year, incident.month, incident.day, 15, tzinfo=UTC)
        imported += timedelta(days=1)
        setattr(clock, "now", lambda moment=imported: moment)  # noqa: B010
        actions = []
        for n, (text, owner, priority, due, closed) in enumerate(items):
            protection = ProtectionSpec(branch="gh-pages", repo="acme/docs", allow_deletions=False)
            actions.append(
                ActionItem(
                    title=text,
                    line=10 + n,
                    owner=owner,
                    priority=priority,
                    due=due,
                    protection=protection if text.startswith("Protect") else None,
                )
            )
            if closed is not None:
                closures.append((text, imported + timedelta(days=closed)))
        doc = PostMortem(
            title=title, slug=slug, source="# x\n", items=tuple(actions), date=incident
        )
        with session_scope(engine) as session:
            import_all(session, [doc], policy=DEFAULT_POLICY)
    with session_scope(engine) as session:
        for text, when in closures:
            row = session.exec(select(ItemRow).where(ItemRow.title == text)).one()
            changes = Changes(source="github", at=when)
            changes.add(row.id, "status", row.status, "done")
            row.status = "done"
            changes.flush(session)
    engine.dispose()


def main() -> None:
    """Build, render and screenshot."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "report.png")
    parser.add_argument("--width", type=int, default=1000)
    parser.add_argument("--height", type=int, default=1250)
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'demo.db'}"
        build(url)
        engine = create_store_engine(url)
        report = review.make_report(engine, since=review.parse_since("7d", TODAY), today=TODAY)
        context = review.context_for(report, DEFAULT_POLICY, "7d")
        page = Path(folder) / "report.html"
        review.write_report(page, review.render(report, "html", context))
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in (*FLAGS, "--hide-scrollbars", f"--user-data-dir={Path(folder) / 'profile'}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        try:
            driver.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": args.width,
                    "height": args.height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            )
            driver.get(page.as_uri())
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
        finally:
            driver.quit()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
