"""`/admin`: the platform's figures (GMV, fees, creators' share, fans, creators, refund and dispute rates, payouts)."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.admin_charts import activity_chart, figure_card, money_chart, period_switch
from creatorly.ui.components.admin_nav import admin_nav
from creatorly.ui.components.feedback import card_skeletons
from creatorly.ui.layouts.site import site_layout
from creatorly.ui.states.admin.overview import PERIOD_OPTIONS, AdminOverviewState, FigureCard, InFlightRow

State = AdminOverviewState


def _card(card: FigureCard) -> rx.Component:
    return figure_card(card.label, card.value, card.caption)


def _currency_switch() -> rx.Component:
    return rx.cond(
        State.currencies.length() > 1,
        rx.hstack(
            rx.el.label("Chart currency", html_for="admin-chart-currency", class_name="field-label"),
            rx.el.select(
                rx.foreach(State.currencies, lambda code: rx.el.option(code, value=code)),
                id="admin-chart-currency",
                value=State.currency,
                on_change=State.set_currency,
                class_name="native-select",
            ),
            align="center",
            spacing="2",
        ),
    )


def _in_flight(row: InFlightRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.status), rx.table.cell(row.count.to_string()), rx.table.cell(row.amount)
    )


def _charts() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading("Money", as_="h2", size="3"),
                    rx.spacer(),
                    _currency_switch(),
                    width="100%",
                    wrap="wrap",
                ),
                money_chart(State.chart, State.currency),
                width="100%",
            ),
            width="100%",
        ),
        rx.card(
            rx.vstack(rx.heading("Orders and fans", as_="h2", size="3"), activity_chart(State.chart), width="100%"),
            width="100%",
        ),
        rx.cond(
            State.in_flight.length() > 0,
            rx.card(
                rx.heading("Payouts in flight", as_="h2", size="3"),
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(name) for name in ("Status", "Payouts", "Amount")])
                    ),
                    rx.table.body(rx.foreach(State.in_flight, _in_flight)),
                    width="100%",
                ),
                width="100%",
            ),
        ),
        width="100%",
        spacing="4",
    )


def _figures() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            period_switch(PERIOD_OPTIONS, State.granularity, State.set_granularity),
            rx.spacer(),
            rx.text(State.period_label, size="2", color_scheme="gray"),
            width="100%",
            wrap="wrap",
            align="center",
        ),
        rx.flex(rx.foreach(State.cards, _card), wrap="wrap", spacing="3", width="100%", aria_busy=State.is_loading),
        _charts(),
        width="100%",
        spacing="4",
    )


def admin_overview_page() -> rx.Component:
    return site_layout(
        rx.vstack(
            admin_nav(routes.ADMIN),
            rx.heading("Platform overview", as_="h1", size="7"),
            rx.text(
                "GMV and counts come from paid orders; platform fees and creators' share from the ledger. "
                "Days, weeks and months are UTC.",
                color_scheme="gray",
            ),
            rx.cond(State.is_allowed, _figures(), card_skeletons(2)),
            spacing="5",
            width="100%",
        )
    )
