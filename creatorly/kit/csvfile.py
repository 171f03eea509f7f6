"""CSV exports that are safe to open in a spreadsheet, with amounts as plain decimals and times in UTC."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from creatorly.kit.clock import as_utc
from creatorly.kit.money import exponent_of

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def safe_cell(value: str) -> str:
    """The text, with a leading quote when a spreadsheet would take it for a formula; plain numbers stay numbers."""
    if value.startswith(_FORMULA_PREFIXES) and not _PLAIN_NUMBER.match(value):
        return f"'{value}"
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """RFC 4180 text (CRLF line ends) with every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def iso_utc(moment: datetime | None) -> str:
    return "" if moment is None else as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def decimal_text(amount: int, currency: str) -> str:
    """Minor units as a plain decimal in the currency's exponent: 1234 USD → "12.34", -500 JPY → "-500"."""
    exponent = exponent_of(currency)
    return f"{Decimal(amount).scaleb(-exponent):.{exponent}f}"
