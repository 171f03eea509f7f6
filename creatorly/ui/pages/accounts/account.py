"""`/account`: email status, password, devices, two-factor, data export and account deletion."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import empty_state
from creatorly.ui.components.forms import field, form_error
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.accounts.account import AccountState, ActivityRow, SessionRow
from creatorly.ui.states.auth import AuthState


def _section(title: str, description: str, *children: rx.Component, section_id: str = "") -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(title, as_="h2", size="4"),
            rx.text(description, size="2", color_scheme="gray"),
            *children,
            spacing="3",
            width="100%",
        ),
        id=section_id or None,
        width="100%",
        size="3",
    )


def _profile() -> rx.Component:
    return _section(
        "Profile",
        "Who you are on Creatorly.",
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label("Name"), rx.data_list.value(AuthState.display_name)),
            rx.data_list.item(rx.data_list.label("Email"), rx.data_list.value(AuthState.email)),
            rx.data_list.item(
                rx.data_list.label("Email status"),
                rx.data_list.value(
                    rx.cond(
                        AuthState.is_email_verified,
                        rx.badge("Confirmed", color_scheme="green"),
                        rx.hstack(
                            rx.badge("Not confirmed", color_scheme="amber"),
                            rx.button(
                                "Send a new link", size="1", variant="soft", on_click=AccountState.resend_verification
                            ),
                        ),
                    )
                ),
            ),
        ),
    )


def _email() -> rx.Component:
    return _section(
        "Email",
        "We send a confirmation link to the new address; the change happens when you open it.",
        rx.form(
            rx.vstack(
                field(
                    "New email",
                    name="new_email",
                    input_type="email",
                    error=AccountState.email_errors["new_email"],
                    auto_complete="email",
                ),
                field(
                    "Password",
                    name="password",
                    input_type="password",
                    error=AccountState.email_errors["password"],
                    auto_complete="current-password",
                ),
                rx.button("Change email", type="submit"),
                spacing="3",
                width="100%",
                max_width="24rem",
            ),
            on_submit=AccountState.request_email_change,
            reset_on_submit=True,
        ),
    )


def _password() -> rx.Component:
    return _section(
        "Password",
        "Changing it signs out every other device.",
        rx.form(
            rx.vstack(
                field(
                    "Current password",
                    name="current_password",
                    input_type="password",
                    error=AccountState.password_errors["current_password"],
                    auto_complete="current-password",
                ),
                field(
                    "New password",
                    name="new_password",
                    input_type="password",
                    error=AccountState.password_errors["new_password"],
                    auto_complete="new-password",
                ),
                field(
                    "New password again",
                    name="new_password_again",
                    input_type="password",
                    error=AccountState.password_errors["new_password_again"],
                    auto_complete="new-password",
                ),
                rx.button("Change password", type="submit", loading=AccountState.is_saving_password),
                spacing="3",
                width="100%",
                max_width="24rem",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=True,
        ),
    )


def _session_row(row: SessionRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.hstack(rx.text(row.device), rx.cond(row.is_current, rx.badge("This device", color_scheme="green")))
        ),
        rx.table.cell(row.last_seen),
        rx.table.cell(row.started),
        rx.table.cell(
            rx.cond(
                row.is_current,
                rx.fragment(),
                rx.button(
                    "Sign out", size="1", variant="soft", color_scheme="red", on_click=AccountState.revoke(row.id)
                ),
            )
        ),
    )


def _sessions() -> rx.Component:
    return _section(
        "Devices",
        "Where you're signed in right now.",
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        rx.table.column_header_cell("Device"),
                        rx.table.column_header_cell("Last active"),
                        rx.table.column_header_cell("Signed in"),
                        rx.table.column_header_cell(rx.el.span("Actions", class_name="visually-hidden")),
                    )
                ),
                rx.table.body(rx.foreach(AccountState.sessions, _session_row)),
                width="100%",
            ),
            overflow_x="auto",
            width="100%",
        ),
        rx.button(
            "Sign out everywhere", variant="outline", color_scheme="red", on_click=AccountState.sign_out_everywhere
        ),
    )


def _two_factor_setup() -> rx.Component:
    return rx.cond(
        AccountState.totp_qr != "",
        rx.vstack(
            rx.text("Scan this code with an authenticator app, then enter the 6-digit code it shows.", size="2"),
            rx.image(src=AccountState.totp_qr, alt="QR code for your authenticator app", width="12rem", height="12rem"),
            rx.text("Can't scan? Enter this key: ", rx.code(AccountState.totp_secret, id="totp-secret"), size="2"),
            rx.form(
                rx.vstack(
                    form_error(AccountState.two_factor_error),
                    field("Code from your app", name="code", auto_complete="one-time-code", input_mode="numeric"),
                    rx.button("Turn on two-factor authentication", type="submit"),
                    spacing="3",
                    max_width="24rem",
                    width="100%",
                ),
                on_submit=AccountState.confirm_two_factor,
                reset_on_submit=True,
            ),
            spacing="3",
        ),
        rx.button("Set up two-factor authentication", on_click=AccountState.begin_two_factor),
    )


def _backup_codes() -> rx.Component:
    return rx.cond(
        AccountState.backup_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text("Save these backup codes somewhere safe. Each works once; they won't be shown again."),
                rx.grid(
                    rx.foreach(AccountState.backup_codes, lambda code: rx.code(code, size="3")),
                    columns="2",
                    spacing="2",
                    aria_label="Backup codes",
                ),
            ),
            icon="key-round",
            color_scheme="amber",
        ),
    )


def _two_factor_disable() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(AccountState.two_factor_error),
            field("Code to turn it off", name="code", auto_complete="one-time-code"),
            rx.button("Turn off two-factor authentication", type="submit", variant="soft", color_scheme="red"),
            spacing="3",
            max_width="24rem",
            width="100%",
        ),
        on_submit=AccountState.disable_two_factor,
        reset_on_submit=True,
    )


def _two_factor() -> rx.Component:
    return _section(
        "Two-factor authentication",
        "A code from your phone at every sign-in keeps your earnings safe, even if your password leaks.",
        rx.cond(
            AuthState.has_two_factor,
            rx.vstack(
                rx.badge("On", color_scheme="green", size="2"), _backup_codes(), _two_factor_disable(), spacing="3"
            ),
            rx.vstack(
                rx.cond(
                    AuthState.role == "admin",
                    rx.callout(
                        "Admins must turn on two-factor authentication.", icon="shield-alert", color_scheme="red"
                    ),
                ),
                _two_factor_setup(),
                spacing="3",
            ),
        ),
        section_id="security",
    )


def _delete_dialog() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Delete my account", color_scheme="red", variant="outline")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete your account?"),
            rx.alert_dialog.description(
                "Your personal data is erased. Records of payments stay, without your name or email, "
                "because the law requires them. This cannot be undone.",
            ),
            rx.form(
                rx.vstack(
                    form_error(AccountState.delete_error),
                    field("Password", name="password", input_type="password", auto_complete="current-password"),
                    field("Type DELETE to confirm", name="confirmation"),
                    rx.hstack(
                        rx.alert_dialog.cancel(
                            rx.button("Keep my account", variant="soft", color_scheme="gray", type="button")
                        ),
                        rx.button("Delete my account forever", type="submit", color_scheme="red"),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    padding_top="1rem",
                ),
                on_submit=AccountState.delete_account,
            ),
        ),
        open=AccountState.is_delete_open,
        on_open_change=AccountState.set_delete_open,
    )


def _privacy() -> rx.Component:
    return _section(
        "Your data",
        "Download everything we hold about you, or delete your account.",
        rx.hstack(
            rx.button(
                rx.icon("download", size=16), "Download my data", variant="soft", on_click=AccountState.export_data
            ),
            _delete_dialog(),
            wrap="wrap",
            spacing="3",
        ),
    )


def _activity_row(row: ActivityRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row.at, size="2"), white_space="nowrap"),
        rx.table.row_header_cell(rx.text(row.what, size="2", weight="medium")),
        rx.table.cell(rx.text(row.by, size="2")),
        rx.table.cell(rx.text(row.details, size="2", color_scheme="gray")),
    )


def _activity() -> rx.Component:
    return _section(
        "Account activity",
        "Changes to your money and permissions: refunds, payout accounts, fees and holds, data downloads.",
        rx.cond(
            AccountState.activity.length() > 0,
            rx.box(
                rx.table.root(
                    rx.table.header(
                        rx.table.row(*[rx.table.column_header_cell(name) for name in ("When", "What", "By", "Details")])
                    ),
                    rx.table.body(rx.foreach(AccountState.activity, _activity_row)),
                    width="100%",
                ),
                overflow_x="auto",
                width="100%",
                tab_index=0,
                role="region",
                aria_label="Account activity",
            ),
            empty_state(icon="history", title="Nothing yet", text="Changes to your account will be listed here."),
        ),
        section_id="activity",
    )


def account_page() -> rx.Component:
    return dashboard_layout(
        routes.ACCOUNT,
        "Your account",
        _profile(),
        _two_factor(),
        _email(),
        _password(),
        _sessions(),
        _privacy(),
        _activity(),
    )
