"""followup in CI: the GitHub Actions side of `followup ci` (see cli/ci_cmd.py).

runner runs followup's own commands with --format json; outcomes merges their documents
into one outcome per item; summary and plan_comment write them as Markdown (escaped by
markdown); workflow speaks GitHub Actions' files and workflow commands.
"""
