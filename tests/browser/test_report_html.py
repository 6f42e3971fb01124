"""The HTML report in a real headless browser: it renders, its charts hold data, and the
page never scrolls sideways at 1280 and at 400 pixels.

It needs Debian's chromium and chromium-driver (.ci/run installs them in CI); without
them the test is skipped, with the reason, outside CI and fails in CI.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from followup.policy import DuePolicy
from followup.postmortem.model import PostMortem
from followup.store import session_scope
from followup.store.importer import import_all
from followup.sync import review
from tests.store.report_world import POLICY, TODAY, act, seed

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
# Selenium talks to chromedriver on the loopback address; nothing else is reached.
LOOPBACK = pytest.mark.block_network(allowed_hosts=[r"127\.0\.0\.1", r"::1", r"localhost"])
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
LONG = "https://example.invalid/" + "averylongpathsegmentwithoutanybreaks" * 8


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    """Start headless chromium through chromedriver, with a fresh profile."""
    if CHROMIUM is None or DRIVER is None:
        message = (
            "chromium and chromium-driver are not installed "
            "(apt-get install chromium chromium-driver)"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; .ci/run installs them in CI")
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def page(engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Write the seeded store's report, with a long unbroken title, as a page."""
    seed(engine, monkeypatch)
    wide = PostMortem(
        title=f"Links everywhere {LONG}",
        slug="links",
        source="# links\n",
        items=(act(f"Read {LONG}", owner="a-very-long-github-login-of-39-chars-x", priority="P0"),),
    )
    with session_scope(engine) as session:
        import_all(session, [wide], policy=POLICY)
    report = review.make_report(engine, since=review.parse_since("7d", TODAY), today=TODAY)
    context = review.context_for(report, DuePolicy(), "7d")
    path = tmp_path / "report.html"
    review.write_report(path, review.render(report, "html", context))
    return path


PROBE = """
const charts = [...document.querySelectorAll('svg.chart')];
return {
  title: document.title,
  heading: document.querySelector('h1').textContent,
  scrollWidth: document.documentElement.scrollWidth,
  innerWidth: window.innerWidth,
  charts: charts.map(svg => ({
    kind: svg.getAttribute('class'),
    width: svg.getBoundingClientRect().width,
    height: svg.getBoundingClientRect().height,
    values: [...svg.querySelectorAll('.bar')].map(bar => Number(bar.dataset.value)),
    drawn: [...svg.querySelectorAll('.bar')].filter(
      bar => bar.getBoundingClientRect().width > 0 && bar.getBoundingClientRect().height > 0
    ).length,
  })),
  cards: [...document.querySelectorAll('.cards .value')].map(v => v.textContent),
};
"""


@LOOPBACK
@pytest.mark.parametrize("width", [1280, 400])
def test_the_page_renders_with_its_charts_and_never_scrolls_sideways(
    browser: Any, page: Path, tmp_path: Path, width: int
) -> None:
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    browser.get(page.as_uri())
    seen = browser.execute_script(PROBE)
    browser.save_screenshot(str(tmp_path / f"report-{width}.png"))
    assert seen["heading"].startswith("Post-mortem follow-ups: week 2026-W12")
    assert seen["title"] == seen["heading"]
    assert seen["innerWidth"] == width
    assert seen["scrollWidth"] <= seen["innerWidth"], seen
    weekly, completion = seen["charts"]
    assert weekly["kind"] == "chart weekly" and completion["kind"] == "chart completion"
    for chart in (weekly, completion):
        assert 0 < chart["width"] <= width and chart["height"] > 0
    assert len(weekly["values"]) == 12 and sum(weekly["values"]) == 5
    assert weekly["drawn"] == 2  # the two weeks with closures have a visible bar
    assert completion["values"] == [0.333, 0.571, 0]  # newest incident first, undated last
    assert completion["drawn"] == 2
    assert seen["cards"][:4] == ["6", "4", "1", "3"]  # open, done, won't do, overdue
