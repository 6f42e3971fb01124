"""Run followup with ``python -m followup``."""

from __future__ import annotations

from followup.cli import main

if __name__ == "__main__":
    main()
