"""The fault matrix: every write point of every scenario, failed in each of four ways.

    python -m tests.faults.matrix        prints the matrix and its totals

A case arranges a fresh fake GitHub and store, arms one fault on one write point, runs
`followup protect` (in this process, or as a real CLI process for kill -9, then once
more), and judges the branch with the fake's own comparison (not followup's): how many
settings are looser than before the run, which requested settings are missing, and
whether followup said "done" while either list was not empty.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from followup.github.client import GitHub
from followup.store import create_store_engine
from followup.sync.protect import apply_protection, plan_protection
from followup.sync.protect_record import WRITE_EVENT
from tests.fakegithub import FAULTS, FakeGitHub, env
from tests.faults.scenarios import REPO, SCENARIOS, Scenario, add_item, events, item


@dataclass
class Case:
    """What one cell of the matrix came to."""

    scenario: str
    endpoint: str
    fault: str
    weakened: list[str] = field(default_factory=list)  # after the run (after the rerun: kill)
    missing: list[str] = field(default_factory=list)
    status: str = ""  # the item's status at the end
    outcome: str = ""  # what the (last) run said about the item
    weakened_until_rerun: list[str] = field(default_factory=list)  # kill only
    killed: bool = False
    events: list[str] = field(default_factory=list)  # the item's protection_write events
    rulesets: int = 0  # followup's rulesets on the repository at the end

    @property
    def dishonest(self) -> bool:
        """Tell whether followup said done while the branch was weaker or lacked a setting."""
        return self.status == "done" and bool(self.weakened or self.missing)


def cells() -> list[tuple[str, str, str]]:
    """Return every (scenario, write point, fault) of the matrix."""
    return [
        (name, endpoint, fault)
        for name, scenario in SCENARIOS.items()
        for endpoint in scenario.writes
        for fault in FAULTS
    ]


def client_for(fake: FakeGitHub) -> GitHub:
    """Return a client of the fake, without pauses or retries."""
    return fake.client(max_retries=0)


def _in_process(fake: FakeGitHub, db_url: str, scenario: Scenario) -> str:
    engine = create_store_engine(db_url)
    try:
        client = client_for(fake)
        plans = plan_protection(engine, client, method=scenario.method)  # type: ignore[arg-type]
        report = apply_protection(engine, client, plans)
        client.close()
        return report.results[0].outcome
    finally:
        engine.dispose()


def run_cli(
    fake: FakeGitHub, db_url: str, scenario: Scenario, *, kill: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run `followup protect --all --yes` as its own process; kill -9 it if the fake says."""
    command = [sys.executable, "-m", "followup", "--db", db_url, "protect", "--all", "--yes"]
    command += ["--method", scenario.method]
    process = subprocess.Popen(
        command,
        env=env(fake),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    if kill:
        fake.on_kill = lambda: os.kill(process.pid, signal.SIGKILL)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def run_case(scenario_name: str, endpoint: str, fault: str, folder: Path) -> Case:
    """Run one cell of the matrix in folder (which it fills with the store)."""
    scenario = SCENARIOS[scenario_name]
    case = Case(scenario_name, endpoint, fault)
    db_url = f"sqlite:///{folder / 'store.db'}"
    engine = create_store_engine(db_url)
    add_item(engine, scenario.branch, scenario.requested)
    engine.dispose()
    fake = FakeGitHub()
    scenario.arrange(fake)
    before = fake.state()
    with fake.serve():
        fake.fail(endpoint, fault)
        if fault == "kill":
            first = run_cli(fake, db_url, scenario, kill=True)
            case.killed = first.returncode == -signal.SIGKILL
            case.weakened_until_rerun = fake.weakened_since(before)
            again = run_cli(fake, db_url, scenario)
            case.outcome = "done" if again.returncode == 0 else f"exit {again.returncode}"
        else:
            case.outcome = _in_process(fake, db_url, scenario)
        case.weakened = fake.weakened_since(before)
        case.missing = fake.missing(REPO, scenario.branch, scenario.requested)
        case.rulesets = sum(
            1 for r in fake.rulesets.get(REPO, {}).values() if r["name"].startswith("followup: ")
        )
    engine = create_store_engine(db_url)
    case.status = item(engine).status
    case.events = [str(e.new) for e in events(engine) if e.field == WRITE_EVENT]
    engine.dispose()
    return case


def main() -> None:
    """Run the whole matrix and print it."""
    cases: list[Case] = []
    for name, endpoint, fault in cells():
        with tempfile.TemporaryDirectory() as folder:
            cases.append(run_case(name, endpoint, fault, Path(folder)))
        case = cases[-1]
        until = f" (until the rerun: {len(case.weakened_until_rerun)})" if case.killed else ""
        print(
            f"{case.scenario:<56} {case.endpoint:<20} {case.fault:<11} "
            f"{case.status:<6} weakened {len(case.weakened)}{until} "
            f"missing {len(case.missing)}"
        )
    weakened = sum(len(c.weakened) for c in cases)
    interim = sum(len(c.weakened_until_rerun) for c in cases)
    print(
        f"\n{len(cases)} cases: {weakened} settings weakened after the run (target 0); "
        f"{sum(1 for c in cases if c.dishonest)} reported done while weaker or incomplete; "
        f"{sum(1 for c in cases if c.status != 'done')} not done; "
        f"{interim} settings weakened between a kill -9 and the rerun, all restored by it"
        if not weakened
        else f"\n{len(cases)} cases: {weakened} settings weakened after the run"
    )


if __name__ == "__main__":
    main()
