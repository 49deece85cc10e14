"""Benchmarks. `make bench` runs bench.run, which runs each module listed there."""
