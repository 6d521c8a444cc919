"""The export's files: the per-person table as CSV and the weekly figures as a PNG chart (matplotlib, Agg,
the `charts` extra) or, without matplotlib, as a second CSV: the core install stays small."""

from __future__ import annotations

import csv
import io

from swarms.stats.contributions import PersonRow, WeekPoint

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """Spreadsheets run a cell starting with = + - @ as a formula; a quote keeps a name a name."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def people_csv(rows: list[PersonRow], header: str) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs show Korean names as written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    for row in rows:
        reply = "" if row.median_first_reply_s is None else f"{row.median_first_reply_s / 60:.1f}"
        outside = "" if row.outside_hours_share is None else f"{row.outside_hours_share:.3f}"
        writer.writerow([row.user_id, _cell(row.name), "yes" if row.left_slack else "no", row.swarms_joined,
                         row.notes, row.resolutions, reply, row.current_load, outside])
    return out.getvalue().encode("utf-8-sig")


def weekly_csv(points: list[WeekPoint], header: str) -> bytes:
    """The chart's figures as a table: week, swarms opened, cases closed, same-day resolution share."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header.split(","))
    for p in points:
        rate = "" if p.same_day_rate is None else f"{p.same_day_rate:.3f}"
        writer.writerow([p.week_start.date().isoformat(), p.swarms_opened, p.cases_closed, rate])
    return out.getvalue().encode("utf-8-sig")


def charts_available() -> bool:
    """matplotlib comes with the `charts` extra; the core install goes without it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def weekly_chart_png(points: list[WeekPoint], *, title: str, swarms_label: str, rate_label: str) -> bytes:
    """Bars of swarms opened per week, a line of same-day resolution (right axis, percent)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # a Figure without pyplot: no global state across threads

    figure = Figure(figsize=(8, 4), dpi=100)
    axis = figure.add_subplot()
    labels = [p.week_start.strftime("%m-%d") for p in points]
    axis.bar(labels, [p.swarms_opened for p in points], color="#4a90d9", label=swarms_label)
    axis.set_ylabel(swarms_label)
    axis.tick_params(axis="x", labelrotation=45)
    rate = axis.twinx()
    rate.plot(labels, [None if p.same_day_rate is None else p.same_day_rate * 100 for p in points],
              color="#e07a2e", marker="o", label=rate_label)
    rate.set_ylim(0, 100)
    rate.set_ylabel(rate_label + " (%)")
    axis.set_title(title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
