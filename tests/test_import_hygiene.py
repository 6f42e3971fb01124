"""The core never imports the UI, and importing followup opens nothing."""

from __future__ import annotations

import subprocess
import sys

CORE = ("followup.postmortem", "followup.store", "followup.github", "followup.sync", "followup.cli")


def _modules_after_import(*modules: str) -> set[str]:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + "print('\\n'.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_the_core_does_not_import_textual() -> None:
    loaded = _modules_after_import(*CORE[:-1])
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_the_cli_loads_textual_only_when_the_tui_runs() -> None:
    loaded = _modules_after_import("followup.cli")
    assert "textual" not in loaded
    assert "followup.tui" not in loaded


def test_no_source_file_of_the_core_mentions_textual() -> None:
    from pathlib import Path

    import followup

    root = Path(followup.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for package in ("postmortem", "store", "github", "sync")
        for path in (root / package).rglob("*.py")
        if "textual" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# Each layer may import the ones below it, never the ones above.
LAYERS_ABOVE = {
    "postmortem": {"store", "github", "sync", "cli", "tui"},
    "store": {"github", "sync", "cli", "tui"},
    "github": {"sync", "cli", "tui"},
    "sync": {"cli", "tui"},
}


def test_layers_only_import_downwards() -> None:
    import re
    from pathlib import Path

    import followup

    root = Path(followup.__file__).parent
    pattern = re.compile(r"^\s*(?:from|import)\s+followup\.(\w+)", re.MULTILINE)
    offenders = []
    for layer, above in LAYERS_ABOVE.items():
        for path in (root / layer).rglob("*.py"):
            for used in pattern.findall(path.read_text(encoding="utf-8")):
                if used in above:
                    offenders.append(f"{path.relative_to(root)} imports followup.{used}")
    assert offenders == []
