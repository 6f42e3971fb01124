"""followup: keep post-mortem action items from getting lost."""

from __future__ import annotations

__version__ = "0.1.0"
