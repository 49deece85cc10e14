"""Where one page's script time goes: cProfile over a few AppTest runs of app.py signed in,
on a generated street (bench/generate.py). For finding causes; bench.pages measures.

    .venv/bin/python -m bench.profile_page sqlite:////tmp/street/y10.sqlite compliance --runs 5
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import threading

from sqlalchemy.orm import sessionmaker

from bench.pages import USER_OF_ROLE, role_for, sign_in
from models import db as dbmod
from models.db import make_engine
from navigation import PAGES


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("url")
    ap.add_argument("page", help="a page whose path contains this")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative")
    args = ap.parse_args(argv)
    spec = next(p for p in PAGES if args.page in p.path)
    engine = make_engine(args.url)
    dbmod.configure(sessionmaker(engine, expire_on_commit=False))
    try:
        at = sign_in(USER_OF_ROLE[role_for(spec)])
        at.switch_page(spec.path)
        at.run()
        profile = cProfile.Profile()

        def start_in_script_thread(*_args):   # AppTest runs the script in a thread of its own
            threading.setprofile(None)
            sys.setprofile(None)
            profile.enable()

        for _ in range(args.runs):
            threading.setprofile(start_in_script_thread)
            at.run()
            threading.setprofile(None)
        if at.exception:
            print(at.exception[0].value, file=sys.stderr)
            return 1
        print("page:", [t.value for t in at.title])
        profile.create_stats()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    finally:
        dbmod.configure(None)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
