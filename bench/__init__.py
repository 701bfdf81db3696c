"""Side-by-side benchmarks (`make bench`) that write docs/benchmarks.md."""
