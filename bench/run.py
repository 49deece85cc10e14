"""`make bench` → `python -m bench.run`: every benchmark module in BENCHES, one after another.

A benchmark joins by exposing `main(argv: list[str] | None = None)` (its defaults are what
`make bench` measures) and being listed here. `python -m bench.run bench.incidents` runs
only the ones named.
"""
from __future__ import annotations

import importlib
import sys
import time

BENCHES = [
    "bench.incidents",
    "bench.logbook",
    "bench.rosters",
    "bench.pages",
]


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:]) or BENCHES
    for name in names:
        started = time.perf_counter()
        print(f"\n=== {name} ===", flush=True)
        module = importlib.import_module(name)
        module.main([])
        print(f"=== {name}: {time.perf_counter() - started:.1f} s ===", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
