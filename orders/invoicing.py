"""An invoice as the order's invoicing summary knows it: mirrored from VTEX's document, or
queued (or just sent) and described by its command. Its own module so that the command
kinds, which describe the queued ones, and the selectors, which sum them, share it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KnownInvoice:
    number: str
    type: str
    value: int
    key: str
    url: str
    # Sorted (item position, quantity) pairs.
    lines: list[tuple[int, int]]
    tracking_number: str
    # Queued (or just sent) and not yet seen in VTEX's document.
    pending: bool
