"""Measure filing under concurrency: issues created and left open per item, over many races.

Each trial starts two `followup file` processes together on one post-mortem of --items
items, against the stateful fake GitHub of tests/fakegithub (on 127.0.0.1, in this
process), in one of four setups:

  same      both runs on one SQLite store
  two       each run on its own store (two CI jobs, a laptop and CI)
  tui-same  the TUI's filing job (on a thread here) and a CLI run, on one store
  tui-two   the same, each on its own store

and judges what they left: issues created per item, issues left open per item (target
1.00), and whether every store links each item to its one open issue. --kill-trials
adds races where one racer is killed with SIGKILL at a random point and run again;
--kills runs a single `followup file --write-back` killed at that many random moments,
then run again (target: 0 duplicates, 0 unlinked items, 0 damaged files).

Requests and rate-limit points are counted per run at the fake (every answer it gives
costs a point: it never answers 304).
"""

# Run: python benchmarks/concurrency.py [--trials 20] [--items 20] [--kill-trials 10] [--kills 48]
#      [--write-interval 0.2]

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fake GitHub and the racing harness live under tests/

from tests.fakegithub import FakeGitHub  # noqa: E402
from tests.faults import racing  # noqa: E402


@dataclass
class Tally:
    """What the trials of one setup came to."""

    name: str
    items: int
    trials: int = 0
    created: int = 0
    left_open: int = 0
    kept: int = 0
    agreeing: int = 0
    killed: int = 0
    requests: list[int] = field(default_factory=list)  # per run
    seconds: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, trial: racing.Trial, fake: FakeGitHub, seconds: float) -> None:
        """Count one trial."""
        self.trials += 1
        self.created += trial.created
        self.left_open += trial.left_open
        self.kept += trial.verdict.kept
        links = trial.verdict.links
        self.agreeing += all(store == links[0] for store in links) and bool(links)
        self.killed += trial.killed
        for who in {e.who for e in fake.exchanges}:
            self.requests.append(len(fake.requests(who=who)))
        self.seconds.append(seconds)
        self.problems += trial.verdict.problems[:3]

    def row(self) -> str:
        """Return the setup's line of the table."""
        per_item = self.items * self.trials
        duplicates = (self.created - per_item) * 100 / self.trials
        killed = f" {self.killed:>3} killed" if self.killed else ""
        return (
            f"{self.name:<14} {self.trials:>6} {self.created / per_item:>12.2f} "
            f"{duplicates:>15.0f} {self.left_open / per_item:>10.2f} "
            f"{self.kept:>4}/{self.trials:<4} {self.agreeing:>4}/{self.trials:<4} "
            f"{statistics.mean(self.requests):>9.1f} {statistics.mean(self.seconds):>6.1f}s"
            f"{killed}"
        )


HEADER = (
    f"{'setup':<14} {'trials':>6} {'created/item':>12} {'dupes/100trials':>15} "
    f"{'open/item':>10} {'kept':>9} {'agree':>9} {'req/run':>9} {'time':>7}"
)


def _trials(
    name: str, count: int, items: int, run: Callable[[FakeGitHub, Path], racing.Trial]
) -> Tally:
    tally = Tally(name, items)
    for _ in range(count):
        with tempfile.TemporaryDirectory() as folder, FakeGitHub() as fake:
            started = time.monotonic()
            trial = run(fake, Path(folder))
            tally.add(trial, fake, time.monotonic() - started)
        print(f"  {name}: trial {tally.trials}/{count}", end="\r", file=sys.stderr, flush=True)
    print(" " * 60, end="\r", file=sys.stderr)
    print(tally.row(), flush=True)
    return tally


def main(argv: Sequence[str] | None = None) -> None:
    """Run the trials and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=20, help="races per setup")
    parser.add_argument("--items", type=int, default=20, help="action items in the post-mortem")
    parser.add_argument("--modes", default=",".join(racing.MODES), help="setups, comma-separated")
    parser.add_argument("--kill-trials", type=int, default=10, help="races with a kill -9")
    parser.add_argument("--kills", type=int, default=48, help="single runs killed at random")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--write-interval",
        type=float,
        default=0.0,
        help="seconds between a racer's writes (followup's default is 1; > 0 makes a run "
        "look again before each create)",
    )
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    modes = [m for m in args.modes.split(",") if m]

    paced = f"; writes paced {args.write_interval} s apart" if args.write_interval else ""
    print(f"{args.items} items per post-mortem; two racers per trial{paced}\n")
    print(HEADER)
    tallies = []
    for mode in modes:
        assert mode in racing.MODES, mode

        def race(fake: FakeGitHub, folder: Path, mode: racing.Mode = mode) -> racing.Trial:
            return racing.race(fake, folder, mode, args.items, write_interval=args.write_interval)

        tallies.append(_trials(mode, args.trials, args.items, race))
    for mode in modes if args.kill_trials else []:

        def killed(fake: FakeGitHub, folder: Path, mode: racing.Mode = mode) -> racing.Trial:
            kill = racing.random_kill(rng, args.items)
            return racing.race(
                fake, folder, mode, args.items, kill=kill, write_interval=args.write_interval
            )

        tallies.append(_trials(f"{mode}+kill", args.kill_trials, args.items, killed))
    if args.kills:

        def once(fake: FakeGitHub, folder: Path) -> racing.Trial:
            return racing.once(fake, folder, args.items, racing.random_kill(rng, args.items))

        tallies.append(_trials("one run+kill", args.kills, args.items, once))
    problems = [p for t in tallies for p in t.problems]
    print(
        "\ncreated/item: issues created per item (1.00: never a duplicate); dupes/100trials: "
        "duplicates created per 100 trials (all closed again when open/item is 1.00); "
        "kept: trials where every item ends with exactly one open issue, every store linked "
        "to it and the file whole; agree: trials where every store links the same issues; "
        "req/run: requests (= rate-limit points) per run."
    )
    print(f"problems: {len(problems)}" + "".join(f"\n  {p}" for p in problems[:20]))


if __name__ == "__main__":
    main()
