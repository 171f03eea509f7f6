"""`/dashboard/payouts`: balances per currency, why money is held, withdrawals, payout accounts, schedule, history."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import form_error
from creatorly.ui.components.payout_accounts import payout_account_form
from creatorly.ui.components.payouts import (
    balance_figure,
    negative_balance_note,
    payout_event_item,
    payout_status_badge,
    release_timeline,
)
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.payouts import (
    AccountView,
    BalanceView,
    PayoutRow,
    PayoutsState,
)

State = PayoutsState
SCHEDULE_OPTIONS = (("manual", "Manual"), ("daily", "Daily"), ("weekly", "Weekly"), ("monthly", "Monthly"))
HISTORY_COLUMNS = ("Date", "Amount", "Account", "Status")


def _withdraw_dialog(balance: BalanceView) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("banknote", size=16), balance.withdraw_label, size="3")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Withdraw " + balance.withdraw_amount_label + "?"),
            rx.alert_dialog.description(
                "We send your whole available balance to your default payout account in "
                + balance.currency
                + ". You can follow it in the payout history below."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button(
                    "Yes, withdraw",
                    loading=State.is_withdrawing,
                    on_click=State.withdraw(balance.currency),
                ),
                justify="end",
                spacing="3",
                padding_top="1rem",
            ),
        ),
        open=State.withdraw_currency == balance.currency,
        on_open_change=lambda is_open: State.set_withdraw_open(balance.currency, is_open),
    )


def _reason_panel(balance: BalanceView) -> rx.Component:
    return rx.callout.root(
        rx.callout.icon(rx.icon("info")),
        rx.vstack(
            rx.text("Why can't I withdraw?", size="2", weight="bold"),
            rx.text(balance.reason, size="2"),
            rx.cond(
                balance.next_step != "",
                rx.text(rx.text.strong("What to do next: "), balance.next_step, size="2"),
            ),
            rx.cond(
                balance.needs_payout_account,
                rx.link("Add a payout account ↓", href="#add-payout-account", size="2", weight="medium"),
            ),
            spacing="1",
        ),
        color_scheme="amber",
        width="100%",
        role="status",
    )


def _balance_card(balance: BalanceView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(balance.currency + " balance", as_="h2", size="4"),
                rx.spacer(),
                rx.cond(
                    balance.next_release_label != "",
                    rx.badge(rx.icon("calendar-clock", size=14), balance.next_release_label, variant="soft"),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.grid(
                balance_figure(
                    "Available",
                    balance.available_label,
                    hint="Yours to withdraw now",
                    is_negative=balance.is_negative,
                ),
                balance_figure("Pending (held)", balance.pending_label, hint="Inside the hold period"),
                balance_figure("In payout", balance.in_payout_label, hint="On its way to you"),
                balance_figure("Paid out", balance.paid_out_label, hint="Already in your account"),
                balance_figure("Lifetime earnings", balance.lifetime_label, hint="After fees"),
                columns=rx.breakpoints(initial="2", sm="3", lg="5"),
                gap="1rem",
                width="100%",
            ),
            negative_balance_note(balance.is_negative),
            rx.cond(balance.can_withdraw, _withdraw_dialog(balance), _reason_panel(balance)),
            release_timeline(balance.releases, balance.chart_points, currency=balance.currency),
            spacing="4",
            width="100%",
        ),
        width="100%",
        role="region",
        aria_label=balance.currency + " balance",
    )


def _balances() -> rx.Component:
    return rx.cond(
        State.balances.length() > 0,
        rx.vstack(rx.foreach(State.balances, _balance_card), spacing="4", width="100%"),
        empty_state(
            icon="piggy-bank",
            title="No earnings yet",
            text="When a fan buys from your storefront, your earnings show here with the date they become "
            "available to withdraw.",
        ),
    )


def _remove_dialog(account: AccountView) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Remove", size="1", variant="soft", color_scheme="red", aria_label="Remove " + account.label)
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Remove " + account.label + "?"),
            rx.alert_dialog.description(
                "Payouts already on their way still arrive. New payouts in "
                + account.currency
                + " need another account."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray", type="button")),
                rx.button("Yes, remove", color_scheme="red", on_click=State.remove_account(account.public_id)),
                justify="end",
                spacing="3",
                padding_top="1rem",
            ),
        ),
        open=State.remove_account_id == account.public_id,
        on_open_change=lambda is_open: State.set_remove_open(account.public_id, is_open),
    )


def _account_item(account: AccountView) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.hstack(
                rx.icon("landmark", size=18, color=rx.color("violet", 11)),
                rx.vstack(
                    rx.hstack(
                        rx.text(account.label, weight="medium"),
                        rx.cond(account.is_default, rx.badge("Default", color_scheme="green", variant="soft")),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.text(account.details, size="1", color_scheme="gray"),
                    spacing="0",
                ),
                align="center",
                spacing="3",
            ),
            rx.hstack(
                rx.cond(
                    ~account.is_default,
                    rx.button(
                        "Make default",
                        size="1",
                        variant="soft",
                        aria_label="Make " + account.label + " the default",
                        on_click=State.make_default(account.public_id),
                    ),
                ),
                _remove_dialog(account),
                spacing="2",
            ),
            justify="between",
            align="center",
            gap="0.75rem",
            wrap="wrap",
            width="100%",
        ),
        padding_y="0.75rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
    )


def _accounts() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Payout accounts", as_="h2", size="4"),
            rx.cond(
                State.accounts.length() > 0,
                rx.el.ul(
                    rx.foreach(State.accounts, _account_item),
                    aria_label="Your payout accounts",
                    style={"list_style": "none", "padding": 0, "margin": 0, "width": "100%"},
                ),
                rx.text(
                    "No payout account yet. Add one so we know where to send your money — one default per currency.",
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.separator(size="4"),
            payout_account_form(
                kind=State.account_kind,
                errors=State.field_errors,
                message=State.form_error,
                is_saving=State.is_adding_account,
                version=State.account_form_version,
                on_kind_change=State.set_account_kind,
                on_submit=State.add_account,
            ),
            spacing="4",
            width="100%",
        ),
        width="100%",
    )


def _schedule() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Payout schedule", as_="h2", size="4", id="payout-schedule-heading"),
            rx.text(
                "Manual: withdraw when you like. Daily, weekly or monthly: we send your available balance "
                "automatically to your default account.",
                size="2",
                color_scheme="gray",
            ),
            rx.radio_group.root(
                rx.flex(
                    *[rx.radio_group.item(label, value=value) for value, label in SCHEDULE_OPTIONS],
                    gap="1.25rem",
                    wrap="wrap",
                ),
                value=State.schedule,
                on_change=State.save_schedule,
                disabled=State.is_saving_schedule,
                aria_labelledby="payout-schedule-heading",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _history_row(row: PayoutRow) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(
            rx.link(
                row.date_label,
                href="#",
                on_click=State.open_detail(row.public_id).prevent_default.stop_propagation,
                aria_label="Payout of " + row.amount_label + " on " + row.date_label,
                weight="medium",
            )
        ),
        rx.table.cell(row.amount_label),
        rx.table.cell(row.account_label),
        rx.table.cell(
            rx.vstack(
                payout_status_badge(row.status, row.status_label),
                rx.cond(row.failure_reason != "", rx.text(row.failure_reason, size="1", color_scheme="red")),
                spacing="1",
            )
        ),
        on_click=State.open_detail(row.public_id),
        cursor="pointer",
        _hover={"background_color": rx.color("gray", 2)},
    )


def _history() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Payout history", as_="h2", size="4"),
            rx.spacer(),
            rx.cond(
                State.is_live,
                rx.badge(rx.spinner(size="1"), "Updating live", color_scheme="blue", variant="soft", role="status"),
            ),
            width="100%",
            align="center",
        ),
        rx.cond(
            State.payouts.length() > 0,
            rx.box(
                rx.table.root(
                    rx.el.caption("Payout history", class_name="visually-hidden"),
                    rx.table.header(rx.table.row(*[rx.table.column_header_cell(name) for name in HISTORY_COLUMNS])),
                    rx.table.body(rx.foreach(State.payouts, _history_row)),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
            ),
            empty_state(
                icon="send",
                title="No payouts yet",
                text="Once your earnings clear the hold, you can withdraw here — or pick a schedule and we "
                "send them automatically.",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _detail_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Payout of " + State.detail.amount_label),
            rx.dialog.description(
                rx.hstack(
                    payout_status_badge(State.detail.status, State.detail.status_label),
                    rx.text(State.detail.date_label, size="2", color_scheme="gray"),
                    align="center",
                )
            ),
            rx.vstack(
                rx.data_list.root(
                    rx.data_list.item(rx.data_list.label("Payout"), rx.data_list.value(State.detail.public_id)),
                    rx.data_list.item(rx.data_list.label("Account"), rx.data_list.value(State.detail_account)),
                ),
                form_error(State.detail.failure_reason),
                rx.heading("Timeline", as_="h3", size="3"),
                rx.el.ol(
                    rx.foreach(State.detail_events, payout_event_item),
                    style={"list_style": "none", "padding": 0, "margin": 0},
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Close", variant="soft", color_scheme="gray", type="button")),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="1rem",
                width="100%",
            ),
            max_width="32rem",
        ),
        open=State.is_detail_open,
        on_open_change=State.set_detail_open,
    )


def payouts_page() -> rx.Component:
    return dashboard_layout(
        routes.PAYOUTS,
        "Payouts",
        rx.text(
            "What you have earned, what is on hold and when it is released, and where your money goes.",
            color_scheme="gray",
        ),
        rx.cond(
            State.is_loading,
            card_skeletons(2),
            rx.vstack(
                _balances(),
                _history(),
                _accounts(),
                _schedule(),
                _detail_dialog(),
                spacing="6",
                width="100%",
            ),
        ),
    )
