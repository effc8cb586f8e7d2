"""Cells a spreadsheet would run as formulas, neutralised in every file the back office
writes (exports, the refused rows of an import)."""

from __future__ import annotations

from typing import Any

# What Excel, LibreOffice and Google Sheets read as the start of a formula (OWASP "CSV
# injection"): =, +, -, @, and tab or carriage return before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_safe(value: Any) -> Any:
    """Text that would start a formula, prefixed with an apostrophe (shown as text);
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
