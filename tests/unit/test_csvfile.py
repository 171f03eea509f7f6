"""CSV exports: formula-looking text is quoted, numbers stay numbers."""

from __future__ import annotations

import pytest

from creatorly.kit.csvfile import csv_text, decimal_text, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-12.50", "-12.50"),
        ("-500", "-500"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_cells_that_a_spreadsheet_would_run_are_quoted(value: str, expected: str) -> None:
    assert safe_cell(value) == expected


def test_csv_text_has_crlf_lines_and_safe_cells() -> None:
    assert csv_text(["a", "b"], [["=1", "x,y"]]) == 'a,b\r\n\'=1,"x,y"\r\n'


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [(1234, "USD", "12.34"), (-5, "USD", "-0.05"), (-500, "JPY", "-500"), (1, "KWD", "0.001")],
)
def test_amounts_are_plain_decimals_in_the_currencys_exponent(amount: int, currency: str, expected: str) -> None:
    assert decimal_text(amount, currency) == expected
