"""Front matter read without the YAML loader must read exactly as the loader would."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from followup.postmortem import frontmatter


@pytest.mark.parametrize(
    "text",
    [
        'title: "Incident 12: the cache"\ndate: 2025-03-04\nstatus: final\nrepo: octo/app\n',
        "title: Plain words, with a comma (and brackets)\nseverity: 2\n",
        "title: 'single quoted: yes'\nempty:\nowner: dana\n",
        "path: /var/log/app\nnegative: -3\n",
        "slug: Billing Export Delay!\n",
        'owners: ["@finn", "@ola"]\n',
        "flag: yes\n",
        "count: 012\n",
        "when: 2025-3-4\n",
        "when: 2025-03-04 10:00\n",
        "title: a # comment\n",
        'title: "esc\\"aped"\n',
        "nested:\n  key: value\n",
        "owner: @dana\n",
        "title: ends with colon:\n",
        "on: 1\n",
        "dup: 1\ndup: 2\n",
        "ratio: 1.5\n",
        "value: null\n",
        "value: ~\n",
    ],
)
def test_the_fast_path_agrees_with_yaml(text: str) -> None:
    fast = frontmatter._simple_mapping(text)
    try:
        loaded: Any = yaml.safe_load(text)
    except yaml.YAMLError:
        assert fast is None
        return
    if fast is not None:
        assert fast == loaded


def test_the_fast_path_takes_the_common_case() -> None:
    text = 'title: "Incident 3: Cache queue"\ndate: 2025-05-06\nstatus: final\nrepo: octo/s-3\n'
    assert frontmatter._simple_mapping(text) is not None
    assert frontmatter.read(text, "YamlStyle", 2).repo == "octo/s-3"
