"""--repo the way gh takes it, and a post-mortem's repository from its git origin remote."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from followup.cli.repos import RepoSpec, parse_repo_spec, web_host
from followup.errors import InputError
from tests.cli.conftest import git
from tests.conftest import GH_PAGES, RunCli

DOC = "# Queue\n\n## Action items\n\n- Add an alert on queue depth\n"


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("acme/docs", RepoSpec("acme/docs")),
        ("Acme/Docs", RepoSpec("acme/docs")),
        ("https://github.com/acme/docs", RepoSpec("acme/docs", "github.com")),
        ("https://github.com/acme/docs.git", RepoSpec("acme/docs", "github.com")),
        ("https://www.github.com/acme/docs/", RepoSpec("acme/docs", "github.com")),
        ("git@github.com:acme/docs.git", RepoSpec("acme/docs", "github.com")),
        ("ssh://git@github.com/acme/docs.git", RepoSpec("acme/docs", "github.com")),
        ("ssh://git@ghe.acme.com:2222/acme/docs.git", RepoSpec("acme/docs", "ghe.acme.com")),
        ("https://ghe.acme.com/acme/docs", RepoSpec("acme/docs", "ghe.acme.com")),
        ("github.com/acme/docs", RepoSpec("acme/docs", "github.com")),
        ("acme/docs.js", RepoSpec("acme/docs.js")),
    ],
)
def test_every_form_gh_accepts(text: str, spec: RepoSpec) -> None:
    assert parse_repo_spec(text) == spec


@pytest.mark.parametrize(
    "text",
    [
        "googleapis",
        "",
        "acme/docs/extra",
        "acme/docs#3",
        "https://github.com/acme/docs/issues/3",
        "https://github.com/acme",
        "ftp://github.com/acme/docs",
        "/srv/git/acme/docs.git",
        "../docs",
        "acme docs/x",
    ],
)
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(InputError, match="not a repository"):
        parse_repo_spec(text)


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://api.github.com", "github.com"),
        ("https://ghe.acme.com/api/v3", "ghe.acme.com"),
        ("https://api.acme.ghe.com", "acme.ghe.com"),
    ],
)
def test_the_web_host_of_a_rest_url(url: str, host: str) -> None:
    assert web_host(url) == host


def listed(run_cli: RunCli) -> list[dict[str, object]]:
    result = run_cli("list", "--format", "json")
    assert result.exit_code == 0, result.output
    items: list[dict[str, object]] = json.loads(result.stdout)
    return items


def test_a_bad_repo_is_refused_at_import_and_nothing_is_stored(run_cli: RunCli) -> None:
    result = run_cli("import", str(GH_PAGES), "--repo", "googleapis")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: invalid value for '--repo' / '-R': not a repository")
    assert listed(run_cli) == []


def test_a_repository_url_is_stored_as_owner_name(run_cli: RunCli) -> None:
    result = run_cli("import", str(GH_PAGES), "-R", "git@github.com:GoogleAPIs/docs.git")
    assert result.exit_code == 0, result.output
    assert {item["repo"] for item in listed(run_cli)} == {"googleapis/docs"}
    filtered = json.loads(
        run_cli("list", "-R", "https://github.com/googleapis/docs", "--format", "json").stdout
    )
    assert len(filtered) == 3


def test_an_enterprise_url_needs_github_url_to_point_there(run_cli: RunCli) -> None:
    url = "https://ghe.acme.com/platform/docs"
    refused = run_cli("import", str(GH_PAGES), "--repo", url)
    assert refused.exit_code == 2
    assert refused.stderr == (
        "error: --repo platform/docs is on ghe.acme.com, but followup talks to github.com "
        "(set github_url to https://ghe.acme.com/api/v3 for GitHub Enterprise Server)\n"
    )
    accepted = run_cli(
        "import", str(GH_PAGES), "--repo", url, "--github-url", "https://ghe.acme.com/api/v3"
    )
    assert accepted.exit_code == 0, accepted.output
    assert {item["repo"] for item in listed(run_cli)} == {"platform/docs"}


def test_a_bad_repo_setting_is_a_config_error(
    run_cli: RunCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWUP_REPO", "googleapis")
    result = run_cli("import", str(GH_PAGES))
    assert result.exit_code == 3
    assert result.stderr.startswith("error: env FOLLOWUP_REPO: repo: not a repository")


# -- the origin remote --------------------------------------------------------------------


def write_doc(folder: Path, text: str = DOC, name: str = "2026-05-01-queue") -> Path:
    path = folder / "docs" / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_without_repo_the_files_origin_remote_is_used(run_cli: RunCli, git_repo: Path) -> None:
    result = run_cli("import", str(write_doc(git_repo)))
    assert result.exit_code == 0, result.output
    assert [item["repo"] for item in listed(run_cli)] == ["acme/queue"]


def test_front_matter_repo_and_setting_beat_the_origin(
    run_cli: RunCli, git_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    front = write_doc(git_repo, "---\nrepo: acme/front\n---\n" + DOC)
    run_cli("import", str(front))
    assert [item["repo"] for item in listed(run_cli)] == ["acme/front"]
    flag = write_doc(git_repo, name="flag")
    run_cli("import", str(flag), "--repo", "acme/flag")
    monkeypatch.setenv("FOLLOWUP_REPO", "acme/setting")
    setting = write_doc(git_repo, name="setting")
    run_cli("import", str(setting))
    repos = {item["source"]["file"]: item["repo"] for item in listed(run_cli)}  # type: ignore[index]
    assert repos[str(flag)] == "acme/flag"
    assert repos[str(setting)] == "acme/setting"


def test_a_reimport_keeps_the_repository_it_was_imported_with(
    run_cli: RunCli, git_repo: Path
) -> None:
    path = write_doc(git_repo)
    assert run_cli("import", str(path), "--repo", "acme/chosen").exit_code == 0
    path.write_text(DOC + "- Write a runbook\n", encoding="utf-8")
    assert run_cli("import", str(path)).exit_code == 0
    assert {item["repo"] for item in listed(run_cli)} == {"acme/chosen"}


def test_an_origin_elsewhere_is_not_used_and_says_so(run_cli: RunCli, git_repo: Path) -> None:
    git("remote", "set-url", "origin", "https://gitlab.com/acme/queue.git", cwd=git_repo)
    path = write_doc(git_repo)
    result = run_cli("import", str(path))
    assert result.exit_code == 0
    assert result.stderr == (
        f"warning: {path}: the origin remote is on gitlab.com, not github.com; pass --repo\n"
    )
    assert [item["repo"] for item in listed(run_cli)] == [None]


def test_a_file_outside_any_repository_has_no_repository(run_cli: RunCli, tmp_path: Path) -> None:
    result = run_cli("import", str(write_doc(tmp_path / "plain")))
    assert result.exit_code == 0 and result.stderr == ""
    assert [item["repo"] for item in listed(run_cli)] == [None]


def test_without_git_the_repository_config_is_read(
    run_cli: RunCli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout = tmp_path / "nogit"
    (checkout / ".git").mkdir(parents=True)
    (checkout / ".git" / "config").write_text(
        '[core]\n\tbare = false\n[remote "origin"]\n'
        "\turl = ssh://git@github.com/Acme/Handmade.git\n"
        "\tfetch = +refs/heads/*:refs/remotes/origin/*\n",
        encoding="utf-8",
    )
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = run_cli("import", str(write_doc(checkout)))
    assert result.exit_code == 0, result.output
    assert [item["repo"] for item in listed(run_cli)] == ["acme/handmade"]


def test_a_worktree_finds_its_repositorys_origin_without_git(
    run_cli: RunCli, git_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git("-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "--allow-empty", "-m", "x",
        cwd=git_repo)  # fmt: skip
    worktree = tmp_path / "wt"
    git("worktree", "add", "-q", str(worktree), cwd=git_repo)
    assert (worktree / ".git").is_file()
    monkeypatch.setenv("PATH", os.devnull)
    result = run_cli("import", str(write_doc(worktree)))
    assert result.exit_code == 0, result.output
    assert [item["repo"] for item in listed(run_cli)] == ["acme/queue"]
