"""The statement as a PDF (fpdf2). Core fonts only, so text is transliterated to Latin-1 and amounts carry
their currency code rather than a symbol (₹ and friends are not in the core fonts)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from unidecode import unidecode

from creatorly.kit.csvfile import decimal_text
from creatorly.services.statements.schemas import CurrencyStatement, Statement

_COLUMNS = ((26, "Date"), (34, "Type"), (62, "Description"), (24, "Gross"), (22, "Fees"), (22, "Net"))
_ACCENT = (110, 86, 207)


def _latin(text: str) -> str:
    return unidecode(text).encode("latin-1", "replace").decode("latin-1")


def _money(amount: int, currency: str) -> str:
    return f"{decimal_text(amount, currency)} {currency}"


def render_statement_pdf(statement: Statement) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_title(_latin(f"Earnings statement {statement.month_label} - {statement.creator_name}"))
    pdf.set_author("Creatorly")
    pdf.set_creation_date(statement.generated_at)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.set_text_color(*_ACCENT)
    pdf.cell(0, 10, "Creatorly earnings statement", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "", 11)
    pdf.cell(0, 6, _latin(f"{statement.creator_name} (@{statement.handle})"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(
        0, 6, _latin(f"{statement.month_label} - times in {statement.timezone}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )
    if not statement.currencies:
        pdf.ln(6)
        pdf.cell(0, 6, "No earnings, refunds or payouts this month.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in statement.currencies:
        _section(pdf, section, statement.timezone)
    pdf.ln(4)
    pdf.set_font("Helvetica", "I", 8)
    pdf.cell(0, 5, _latin(f"Generated {statement.generated_at:%Y-%m-%d %H:%M} UTC from the Creatorly ledger."))
    return bytes(pdf.output())


def _section(pdf: FPDF, section: CurrencyStatement, timezone: str) -> None:
    zone = ZoneInfo(timezone)
    currency = section.currency
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(0, 8, f"{currency}", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    for label, amount in (
        ("Opening balance", section.opening),
        ("Sales", section.sales),
        ("Refunds", -section.refunds),
        ("Fees", -section.fees),
        ("Payouts", -section.payouts),
        ("Closing balance", section.closing),
    ):
        pdf.cell(60, 6, label)
        pdf.cell(40, 6, _money(amount, currency), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf.set_font("Helvetica", "B", 9)
    pdf.set_fill_color(240, 237, 250)
    for width, title in _COLUMNS:
        pdf.cell(width, 7, title, border="B", fill=True, align="R" if title in ("Gross", "Fees", "Net") else "L")
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for line in section.lines:
        cells = (
            line.posted_at.astimezone(zone).strftime("%Y-%m-%d"),
            line.label,
            line.description[:42],
            decimal_text(line.gross, currency) if line.gross else "",
            decimal_text(line.fees, currency) if line.fees else "",
            decimal_text(line.net, currency),
        )
        for (width, title), text in zip(_COLUMNS, cells, strict=True):
            pdf.cell(width, 6, _latin(text), align="R" if title in ("Gross", "Fees", "Net") else "L")
        pdf.ln()
