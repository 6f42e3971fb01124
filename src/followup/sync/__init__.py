"""Orchestration shared by the CLI and the TUI: import, file, protect, poll."""

from __future__ import annotations
