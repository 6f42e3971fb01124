"""Every write point, failed four ways: nothing live before a run is weaker after it.

The faults: the connection dropped after GitHub carried out the request, a 502 after it
carried it out, a 502 before it did anything, and kill -9 of a real `followup protect`
process right after GitHub carried it out (then `followup protect` once more).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.matrix import cells, run_case

# The fake GitHub listens on 127.0.0.1; every other host stays blocked.
pytestmark = pytest.mark.block_network(allowed_hosts=["127.0.0.1"])


@pytest.mark.parametrize(("scenario", "endpoint", "fault"), cells())
def test_no_setting_is_weaker_after_a_fault(
    scenario: str, endpoint: str, fault: str, tmp_path: Path
) -> None:
    case = run_case(scenario, endpoint, fault, tmp_path)
    assert case.weakened == [], case
    assert case.missing == [], case
    assert case.status == "done", case
    # An unfinished request is on the record, whatever came of it.
    if fault != "kill":
        assert any(e.startswith("uncertain: ") for e in case.events), case.events
    else:
        assert case.killed, "the process was not killed at the write"
        # The killed run committed its intent before writing; the rerun restored from it.
        assert case.events.count("started") >= 1
    # Looking again after an unanswered create never makes a second ruleset.
    assert case.rulesets <= 1
