"""A pager for tests: it records what it reads, and may quit early or press Ctrl-C.

    fake_pager.py RECORD [--quit-after N] [--interrupt-after N]

RECORD gets the bytes read; RECORD.less the LESS variable it was given ("-" if unset);
RECORD.end how it ended: "eof" (it read to the end) or "quit" (it stopped after N
lines). --interrupt-after N sends SIGINT to its process group after N lines (as Ctrl-C
at a terminal does), ignoring it itself as less does, and reads on to the end.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    """Read standard input as a pager would; record it."""
    record = Path(argv[0])
    options = dict(zip(argv[1::2], map(int, argv[2::2]), strict=True))
    quit_after = options.get("--quit-after")
    interrupt_after = options.get("--interrupt-after")
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    record.with_suffix(".less").write_text(os.environ.get("LESS", "-"))
    lines = 0
    end = "eof"
    with record.open("wb") as out:
        for line in sys.stdin.buffer:
            out.write(line)
            lines += 1
            if lines == interrupt_after:
                out.flush()
                os.killpg(os.getpgrp(), signal.SIGINT)
            if lines == quit_after:
                end = "quit"
                break
    record.with_suffix(".end").write_text(end)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
