"""read(): the one function that touches the file system, and the inputs it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from followup.errors import InputError
from followup.postmortem import context, frontmatter, parse, read

DOC = "# Cache outage\n\n## Action items\n\n- Add a cache alarm\n"


def refused(path: Path, max_bytes: int = 5_000_000) -> str:
    with pytest.raises(InputError) as info:
        read(path, max_bytes=max_bytes)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-02-cache.md"
    path.write_text(DOC, encoding="utf-8")
    pm = read(path, default_repo="octo/app")
    assert pm.path == str(path)
    assert pm.slug == "2024-01-02-cache"
    assert pm.repo == "octo/app"
    assert [i.title for i in pm.items] == ["Add a cache alarm"]


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in refused(tmp_path / "nope.md")


def test_directory(tmp_path: Path) -> None:
    assert "is a directory" in refused(tmp_path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "image.md"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary" in refused(path)


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "wide.md"
    path.write_bytes(DOC.encode("utf-16"))
    assert "UTF-16" in refused(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin.md"
    path.write_bytes("# Café\n\nline two\n\nna\xefve\n".encode("latin-1"))
    message = refused(path)
    assert "not UTF-8" in message and "line 1" in message


def test_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text(DOC * 10, encoding="utf-8")
    assert "limit" in refused(path, max_bytes=100)


def test_huge_sparse_file_is_refused_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.truncate(50_000_000)

    def no_open(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened: its size alone should refuse it")

    # The size on disk refuses it: not one byte of the 50 MB is read.
    monkeypatch.setattr(Path, "open", no_open)
    assert "limit" in refused(path)


def test_malformed_yaml_front_matter_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: ok\nowners: [a, b\nstatus: draft\n---\n\n# T\n", encoding="utf-8")
    message = refused(path)
    assert str(path) in message
    assert "front matter" in message and "YAML" in message
    assert "line 4" in message


def test_malformed_toml_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text('+++\ntitle = "ok"\nbroken =\n+++\n\n# T\n', encoding="utf-8")
    message = refused(path)
    assert "TOML" in message and "line 3" in message


def test_parse_raises_for_bad_front_matter_without_a_path() -> None:
    with pytest.raises(InputError, match=r"^line 2: front matter is not valid YAML"):
        parse("---\n: : :\n---\n")


def test_toml_front_matter_is_read() -> None:
    pm = parse('+++\ntitle = "From TOML"\nrepo = "octo/app"\n+++\n\n## Action items\n\n- X\n')
    assert (pm.title, pm.repo) == ("From TOML", "octo/app")
    assert pm.items[0].line == 8


def test_front_matter_oddities_warn_instead_of_failing() -> None:
    pm = parse("---\ndate: someday\nrepo: not a repo\n---\n\n# T\n")
    assert pm.date is None and pm.repo is None
    assert len([w for w in pm.warnings if "front matter" in w]) == 2
    listed = parse("---\n- a\n- b\n---\n\n# T\n")
    assert any("not a mapping" in w for w in listed.warnings)


def test_repo_url_in_front_matter_is_normalised() -> None:
    pm = parse("---\nrepo: https://github.com/octo/app.git\n---\n# T\n")
    assert pm.repo == "octo/app"


def test_bom_is_stripped() -> None:
    pm = parse("\ufeff# Title\n\n## Action items\n\n- Fix\n")
    assert pm.title == "Title"
    assert not pm.source.startswith("\ufeff")
    assert pm.items[0].line == 5


def test_context_around_a_line() -> None:
    source = "one\ntwo\nthree\nfour\nfive\nsix\n"
    assert context(source, 3) == "one\ntwo\nthree\nfour\nfive"
    assert context(source, 1, radius=1) == "one\ntwo"
    assert context(source, 6, radius=0) == "six"
    assert context(source, 0) == ""
    assert context(source, 99) == ""
    assert context("a\r\nb\r\nc\r\n", 2, radius=1) == "a\nb\nc"


def test_context_of_an_item_shows_its_line() -> None:
    pm = parse(DOC)
    assert "- Add a cache alarm" in context(pm.source, pm.items[0].line, radius=0)


def test_impossible_yaml_date_is_an_input_error() -> None:
    with pytest.raises(InputError, match="day is out of range"):
        parse("---\ndate: 2024-02-30\n---\n# T\n")


def test_yaml_alias_bombs_and_cycles_are_refused() -> None:
    with pytest.raises(InputError, match="refers to itself"):
        parse("---\nloop: &a [*a]\n---\n# T\n")
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    bomb = "---\n" + "\n".join(levels) + "\n---\n# T\n"
    with pytest.raises(InputError, match="too large"):
        parse(bomb)


def test_an_alias_bomb_is_refused_after_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    # Ten aliases per level, eight levels: 10**8 values if expanded. The reader must stop
    # after its limit of values, not walk them all.
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    bomb = "---\n" + "\n".join(levels) + "\n---\n# T\n"
    visited = 0
    plain = frontmatter._Plain.__call__

    def counting(self: frontmatter._Plain, value: object) -> object:
        nonlocal visited
        visited += 1
        if visited > 2 * frontmatter._Plain.LIMIT:
            raise AssertionError(f"still expanding after {visited} values")
        return plain(self, value)

    monkeypatch.setattr(frontmatter._Plain, "__call__", counting)
    with pytest.raises(InputError, match="too large"):
        parse(bomb)
    assert visited <= frontmatter._Plain.LIMIT + 1
