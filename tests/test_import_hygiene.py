"""The core never imports the UI, and importing followup opens nothing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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


# -- inside the TUI -------------------------------------------------------------------

# Each part of tui/ may import its own level and those below: the app sits on top, on its
# two layers (loading the items, running the jobs).
APP_LAYERS = ("app", "running", "loading")
TUI_LEVELS = {**dict.fromkeys(APP_LAYERS, 4), "commands": 3, "screens": 2, "widgets": 1}


def _tui_modules() -> dict[str, Path]:
    import followup.tui

    root = Path(followup.tui.__file__).parent
    modules = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(("followup", "tui", *parts))] = path
    return modules


def _tui_imports() -> dict[str, set[str]]:
    """Return what each tui module imports from tui/: at the top, in functions, for types."""
    modules = _tui_modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        used: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                used.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    used.add(submodule if submodule in modules else node.module)
        graph[name] = {m for m in used if m in modules and m != name}
    return graph


def _level(module: str) -> int:
    parts = module.split(".")
    return TUI_LEVELS.get(parts[2], 0) if len(parts) > 2 else 0


def test_no_tui_module_imports_the_app() -> None:
    graph = _tui_imports()
    app = {f"followup.tui.{layer}" for layer in APP_LAYERS}
    assert sorted(m for m, used in graph.items() if m not in app and used & app) == []


def test_tui_parts_only_import_their_level_and_below() -> None:
    offenders = [
        f"{module} imports {used}"
        for module, imports in _tui_imports().items()
        for used in sorted(imports)
        if _level(used) > _level(module)
    ]
    assert offenders == []


def test_tui_modules_import_each_other_in_no_circle() -> None:
    graph = _tui_imports()
    circles: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for used in sorted(graph[module]):
            if state.get(used) == "open":
                circles.append([*path[path.index(used) :], used])
            elif used not in state:
                visit(used, [*path, used])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_the_tui_starts_without_loading_github_code() -> None:
    loaded = _modules_after_import("followup.tui.app")
    heavy = {m for m in loaded if m.startswith(("followup.github", "github", "followup.sync."))}
    # Progress is the protocol jobs report through; the rest waits for the first job.
    assert heavy == {"followup.sync.progress"}
