"""`followup import`: read post-mortems and store their action items."""

from __future__ import annotations

from pathlib import Path

import click

from followup.cli.context import CliContext, pass_cli
from followup.cli.imports import IMPORT_SUMMARY, run_import
from followup.cli.options import examples
from followup.cli.reporting import Report, format_option
from followup.cli.repos import RepoSpec, document_repo_option


@click.command(
    "import",
    epilog=examples(
        "followup import docs/postmortems/*.md",
        "followup import 2019-12-05-gh-pages.md -R googleapis/docs",
        "followup import --skip-invalid --format json docs/postmortems/*.md",
    ),
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@document_repo_option
@click.option("--skip-invalid", is_flag=True, help="Import the readable files even if others fail.")
@click.option(
    "--force",
    is_flag=True,
    help=(
        "Import files even if they do not look like post-mortems, or their front matter "
        "cannot be read (it is then ignored)."
    ),
)
@format_option
@pass_cli
def import_command(
    cli: CliContext,
    paths: tuple[Path, ...],
    repo: RepoSpec | None,
    skip_invalid: bool,
    force: bool,
    fmt: str,
) -> None:
    """Read post-mortems and store their action items (safe to re-run)."""
    report = Report.start(
        cli,
        "import",
        fmt,
        summary=dict.fromkeys(IMPORT_SUMMARY, 0),
        extra={"postmortems": [], "skipped_files": []},
    )
    run_import(cli, report, paths, repo, skip_invalid=skip_invalid, force=force)
    report.finish()
