"""`/dashboard`: how the creator is doing — metrics with definitions and change, revenue over time, the funnel,
products, referrers and campaigns — and it moves while they watch (live notices reload it)."""

from __future__ import annotations

import reflex as rx

from creatorly.ui import routes
from creatorly.ui.components.feedback import card_skeletons, empty_state
from creatorly.ui.components.forms import field
from creatorly.ui.components.storefront import link_button
from creatorly.ui.layouts.dashboard import dashboard_layout
from creatorly.ui.states.dashboard.home import RANGE_OPTIONS, DashboardHomeState, FunnelView, MetricView, TableRowView
from creatorly.ui.states.live import CreatorLive

State = DashboardHomeState
TABLE_COLUMNS = ("Views", "Visitors", "Checkouts", "Paid orders", "Downloads", "Conversion", "Revenue")


def _range_picker() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            *[
                rx.button(
                    label,
                    size="2",
                    variant=rx.cond(State.range_key == key, "solid", "soft"),
                    aria_pressed=rx.cond(State.range_key == key, "true", "false"),
                    on_click=State.choose_range(key),
                )
                for key, label in RANGE_OPTIONS
            ],
            wrap="wrap",
            spacing="2",
            role="group",
            aria_label="Date range",
        ),
        rx.cond(
            State.range_key == "custom",
            rx.form(
                rx.hstack(
                    rx.box(field("From", name="start", input_type="date", default_value=State.start), width="12rem"),
                    rx.box(field("To", name="end", input_type="date", default_value=State.end), width="12rem"),
                    rx.button("Apply dates", type="submit", size="2"),
                    align="end",
                    wrap="wrap",
                    spacing="3",
                ),
                on_submit=State.apply_custom_range,
                reset_on_submit=False,
            ),
        ),
        rx.text(
            State.period_label + " · days in " + State.timezone + " · compared with the period before",
            size="1",
            color_scheme="gray",
        ),
        spacing="2",
        width="100%",
    )


def _metric(metric: MetricView) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(metric.label, size="2", color_scheme="gray", weight="medium"),
                rx.tooltip(
                    rx.icon_button(
                        rx.icon("info", size=14), variant="ghost", size="1", aria_label="What is " + metric.label + "?"
                    ),
                    content=metric.definition,
                ),
                align="center",
                spacing="1",
            ),
            rx.text(metric.value, size="6", weight="bold", class_name="tabular-figures"),
            rx.text(metric.caption, size="1", color_scheme="gray"),
            rx.cond(
                metric.change != "",
                rx.badge(
                    rx.cond(metric.trend == "down", rx.icon("trending-down", size=12), rx.icon("trending-up", size=12)),
                    metric.change,
                    color_scheme=rx.match(metric.trend, ("up", "green"), ("down", "red"), "gray"),
                    variant="soft",
                ),
                rx.text("—", size="1", color_scheme="gray"),
            ),
            spacing="1",
            role="group",
            aria_label=metric.label,
        ),
        width="100%",
    )


def _metrics() -> rx.Component:
    return rx.grid(
        rx.foreach(State.metrics, _metric),
        columns=rx.breakpoints(initial="2", sm="3", lg="5"),
        gap="0.75rem",
        width="100%",
    )


def _revenue_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading("Revenue (" + State.currency + ")", as_="h2", size="3"),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=14),
                    "CSV",
                    size="1",
                    variant="soft",
                    aria_label="Export revenue by day as CSV",
                    on_click=State.export_csv("revenue"),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                State.other_currencies.length() > 0,
                rx.text("Also: " + State.other_currencies.join(" · "), size="1", color_scheme="gray"),
            ),
            rx.box(
                rx.recharts.area_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                    rx.recharts.x_axis(data_key="day", tick_line=False, font_size=12, min_tick_gap=24),
                    rx.recharts.y_axis(width=48, tick_line=False, axis_line=False, font_size=12),
                    rx.recharts.graphing_tooltip(),
                    rx.recharts.legend(),
                    rx.recharts.area(
                        data_key="gross",
                        name="Gross",
                        stroke=rx.color("violet", 9),
                        fill=rx.color("violet", 4),
                        type_="monotone",
                        is_animation_active=False,
                    ),
                    rx.recharts.area(
                        data_key="net",
                        name="Net",
                        stroke=rx.color("grass", 9),
                        fill=rx.color("grass", 4),
                        type_="monotone",
                        is_animation_active=False,
                    ),
                    data=State.chart,
                    height=240,
                    width="100%",
                    margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
                ),
                role="img",
                aria_label="Revenue by day, gross and net, in " + State.currency,
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _traffic_chart() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Orders and visitors", as_="h2", size="3"),
            rx.box(
                rx.recharts.composed_chart(
                    rx.recharts.cartesian_grid(stroke_dasharray="3 3", vertical=False),
                    rx.recharts.x_axis(data_key="day", tick_line=False, font_size=12, min_tick_gap=24),
                    rx.recharts.y_axis(width=40, tick_line=False, axis_line=False, font_size=12, allow_decimals=False),
                    rx.recharts.graphing_tooltip(),
                    rx.recharts.legend(),
                    rx.recharts.bar(
                        data_key="orders",
                        name="Orders",
                        fill=rx.color("violet", 9),
                        max_bar_size=24,
                        is_animation_active=False,
                    ),
                    rx.recharts.line(
                        data_key="visitors",
                        name="Visitors",
                        stroke=rx.color("cyan", 9),
                        dot=False,
                        type_="monotone",
                        is_animation_active=False,
                    ),
                    data=State.chart,
                    height=200,
                    width="100%",
                    margin={"top": 8, "right": 8, "left": 0, "bottom": 0},
                ),
                role="img",
                aria_label="Paid orders and visitors by day",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _stage(stage: FunnelView) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(stage.label, size="2", weight="medium"),
            rx.spacer(),
            rx.text(stage.count.to_string(), size="2", weight="bold", class_name="tabular-figures"),
            width="100%",
        ),
        rx.progress(value=stage.bar, max=100, aria_label=stage.label),
        rx.text(
            rx.cond(stage.step != "", stage.step + " of the step before · " + stage.share + " of views", stage.share),
            size="1",
            color_scheme="gray",
        ),
        spacing="1",
        width="100%",
        role="listitem",
    )


def _funnel() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Conversion funnel", as_="h2", size="3"),
            rx.vstack(rx.foreach(State.funnel, _stage), spacing="3", width="100%", role="list"),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _table_row(row: TableRowView) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row.name),
        rx.table.cell(row.views.to_string()),
        rx.table.cell(row.visitors.to_string()),
        rx.table.cell(row.checkouts.to_string()),
        rx.table.cell(row.sales.to_string()),
        rx.table.cell(row.downloads.to_string()),
        rx.table.cell(row.conversion),
        rx.table.cell(row.revenue),
    )


def _table(title: str, first_column: str, table: str, rows: rx.Var[list[TableRowView]], empty: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(title, as_="h2", size="3"),
                rx.spacer(),
                rx.button(
                    rx.icon("download", size=14),
                    "CSV",
                    size="1",
                    variant="soft",
                    aria_label=f"Export {title.lower()} as CSV",
                    on_click=State.export_csv(table),
                ),
                width="100%",
                align="center",
            ),
            rx.cond(
                rows.length() > 0,
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell(first_column),
                                *[rx.table.column_header_cell(name) for name in TABLE_COLUMNS],
                            )
                        ),
                        rx.table.body(rx.foreach(rows, _table_row)),
                        width="100%",
                        size="1",
                    ),
                    class_name="table-scroll",
                    width="100%",
                    role="region",
                    aria_label=title,
                    tab_index=0,  # a region that scrolls sideways: keyboard users focus it to scroll
                ),
                rx.text(empty, size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def _empty() -> rx.Component:
    return empty_state(
        icon="sparkles",
        title="No activity in this period yet",
        text="Share your storefront link on your socials or in your newsletter: visits, sales, tips and new "
        "members show up here as they happen, without reloading.",
        action=rx.hstack(
            link_button("Open my storefront", href=State.storefront_path),
            link_button("Add a product", href=routes.DASHBOARD_PRODUCTS, variant="soft"),
            spacing="2",
            wrap="wrap",
        ),
    )


def _live_listener() -> rx.Component:
    # Re-mounted whenever the creator's live version changes: its on_mount reloads the figures from the database.
    return rx.hstack(
        # The key sits on the parent: a new key re-creates the child, whose mount effect then fires again.
        rx.box(
            rx.box(on_mount=State.live_changed(CreatorLive.version, CreatorLive.message)),
            key=CreatorLive.version.to_string(),
            display="none",
        ),
        rx.icon("radio", size=14, color=rx.color("grass", 9)),
        rx.text(
            rx.cond(CreatorLive.message != "", "Live · latest: " + CreatorLive.message, "Live: updates as they happen"),
            size="1",
            color_scheme="gray",
        ),
        align="center",
        spacing="1",
        role="status",
        aria_label="Live updates",
    )


def _content() -> rx.Component:
    return rx.vstack(
        _metrics(),
        rx.cond(State.has_activity, rx.fragment(), _empty()),
        rx.grid(
            _revenue_chart(),
            _funnel(),
            columns=rx.breakpoints(initial="1", lg="2"),
            gap="1rem",
            width="100%",
        ),
        _traffic_chart(),
        _table("Products", "Product", "products", State.products, "No product views or sales in this period."),
        rx.grid(
            _table("Top referrers", "Site", "referrers", State.referrers, "No visits from other sites yet."),
            _table(
                "UTM campaigns",
                "Source / medium / campaign",
                "campaigns",
                State.campaigns,
                "Add ?utm_source=…&utm_campaign=… to your links to see campaigns here.",
            ),
            columns=rx.breakpoints(initial="1", lg="2"),
            gap="1rem",
            width="100%",
        ),
        spacing="4",
        width="100%",
    )


def home_page() -> rx.Component:
    return dashboard_layout(
        routes.DASHBOARD,
        "Dashboard",
        _live_listener(),
        _range_picker(),
        rx.cond(State.is_loading & (State.metrics.length() == 0), card_skeletons(3), _content()),
    )
