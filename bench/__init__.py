"""Benchmarks of the back office against the in-process sandbox store: `python -m bench`.

Each benchmark starts from an empty mirror and a fresh sandbox store, measures one flow
(feed import, backfill, outbox delivery, admin read side), checks that the run was correct
(exactly once, nothing lost, VTEX's limits kept) and prints its figures. A failed check
makes the command exit non-zero and its figures are not printed.
"""
