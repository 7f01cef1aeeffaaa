"""Benchmark harness: the VUM gateway side by side with Apollo Gateway and Hive Gateway, and against
the limit of a plain client that calls the subgraphs directly. Run with `python -m bench`."""
