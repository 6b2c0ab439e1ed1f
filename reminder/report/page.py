"""The weekly report as one self-contained HTML page: inline SVG charts, inline CSS, no scripts.

A pure function of the days' numbers (`DayStats`), the time it was made and the
time zone's name: no clock, no files, nothing from the network. Every number in
a chart is also in the table under the charts (for screen readers, for print,
and for tests, which read the `data-metric`/`data-value` attributes).

Colours: text #1b1f24 on white is 16:1, the muted text #4a525c 7.9:1; every bar
colour is at least 4.5:1 on white (WCAG asks 3:1 of graphics). The dark scheme
keeps text at 7:1 or more. Print uses the light colours and keeps a chart whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

from reminder.core.model import DayStats
from reminder.durations import human_duration

Metric = Callable[[DayStats], int]


@dataclass(frozen=True)
class Chart:
    """One chart: which number, how it is called, and whether it is a duration."""

    key: str
    title: str
    meaning: str
    value: Metric
    duration: bool = False


CHARTS: tuple[Chart, ...] = (
    Chart(
        "sitting_s",
        "Time sat in spells",
        "Time at the computer in work hours between breaks; today includes the spell going on.",
        lambda d: d.sitting_s,
        duration=True,
    ),
    Chart(
        "longest_spell_s",
        "Longest spell",
        "The longest stretch sat without a break that day.",
        lambda d: d.longest_spell_s,
        duration=True,
    ),
    Chart("prompts", "Prompts", "Reminders to move that were shown.", lambda d: d.prompts),
    Chart(
        "breaks_after_prompt",
        "Breaks after a prompt",
        "Spells that ended in a break after at least one prompt.",
        lambda d: d.breaks_after_prompt,
    ),
    Chart(
        "breaks_on_own",
        "Breaks on your own",
        "Spells that ended in a break before any prompt: you got up unasked.",
        lambda d: d.breaks_on_own,
    ),
    Chart("snoozes", "Snoozes", "Prompts you put off for later.", lambda d: d.snoozes),
    Chart(
        "calls_held",
        "Calls held",
        "Prompts held back while you were on a call; the label says how long they waited.",
        lambda d: d.calls_held,
    ),
)

# Chart geometry (SVG user units; the SVG scales to its box). The first chart spans the page.
_WIDTH, _WIDE_WIDTH, _HEIGHT = 420, 880, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 4, 34, 40
_CHAR_WIDTH = 6.8  # a 12-unit bold font's average character width, for "does the label fit"
_LINE = 15  # line height of a two-line label


def render_report(days: Sequence[DayStats], generated_at: datetime, zone_name: str) -> str:
    """The page for `days` (oldest first, at least one), made at `generated_at` (aware)."""
    if not days:
        raise ValueError("the report needs at least one day")
    dates = [date.fromisoformat(day.day) for day in days]
    period = _period(dates[0], dates[-1])
    made = generated_at.strftime("%a %d %b %Y, %H:%M")
    charts = "\n".join(
        _figure(chart, days, dates, wide=index == 0) for index, chart in enumerate(CHARTS)
    )
    return _PAGE.format(
        css=_CSS,
        title=escape(f"Your sitting week: {period}"),
        period=escape(period),
        zone=escape(zone_name),
        made=escape(made),
        trend=escape(trend_sentence(days)),
        totals=_totals(days),
        charts=charts,
        table=_table(days, dates),
        meanings="\n".join(
            f"<dt>{escape(chart.title)}</dt><dd>{escape(chart.meaning)}</dd>" for chart in CHARTS
        ),
    )


# ------------------------------------------------------------------ words


def trend_sentence(days: Sequence[DayStats]) -> str:
    """The week's trend in plain words: did the longest spells get shorter or longer?

    Days without sitting are left out. The earlier half of the remaining days
    is compared with the later half (the middle day of an odd count with
    neither); a change under 10 % is "steady".
    """
    desk = [day for day in days if day.sitting_s > 0]
    if not desk:
        return "No sitting recorded in these days yet."
    if len(desk) < 2:
        longest = human_duration(timedelta(seconds=desk[0].longest_spell_s))
        return f"One day at the desk so far (longest spell {longest}): a trend needs more days."
    half = len(desk) // 2
    earlier = _mean(day.longest_spell_s for day in desk[:half])
    later = _mean(day.longest_spell_s for day in desk[-half:])
    before, after = _human(earlier), _human(later)
    if later < earlier * 0.9:
        return (
            f"Your longest spells got shorter: {before} a day on average in the earlier days,"
            f" {after} in the later ones."
        )
    if later > earlier * 1.1:
        return (
            f"Your longest spells got longer: {before} a day on average in the earlier days,"
            f" {after} in the later ones."
        )
    overall = _human(_mean(day.longest_spell_s for day in desk))
    return f"Your longest spells held steady at about {overall} a day."


def _totals(days: Sequence[DayStats]) -> str:
    sat = sum(day.sitting_s for day in days)
    breaks = sum(day.breaks for day in days)
    own = sum(day.breaks_on_own for day in days)
    prompts = sum(day.prompts for day in days)
    longest = max(days, key=lambda day: day.longest_spell_s)
    items = [
        f"<strong>{escape(_human(sat))}</strong> sat in spells",
        f"<strong>{breaks}</strong> {'break' if breaks == 1 else 'breaks'},"
        f" {own} of them on your own",
        f"<strong>{prompts}</strong> {'prompt' if prompts == 1 else 'prompts'}",
    ]
    if longest.longest_spell_s:
        when = date.fromisoformat(longest.day).strftime("%A")
        items.append(
            f"longest spell <strong>{escape(_human(longest.longest_spell_s))}</strong>, on {when}"
        )
    return "\n".join(f"<li>{item}</li>" for item in items)


def _period(first: date, last: date) -> str:
    if first == last:
        return first.strftime("%a %d %b %Y")
    return f"{first:%a %d %b} to {last:%a %d %b %Y}"


def _mean(values: Iterable[int]) -> float:
    numbers = list(values)
    return sum(numbers) / len(numbers)


def _human(seconds: float) -> str:
    return human_duration(timedelta(seconds=round(seconds)))


def _value_text(chart: Chart, day: DayStats) -> str:
    value = chart.value(day)
    if chart.duration:
        return _human(value)
    if chart.key == "calls_held" and day.calls_held:
        return f"{value} ({_human(day.call_held_s)})"
    return str(value)


# ----------------------------------------------------------------- charts


def _figure(chart: Chart, days: Sequence[DayStats], dates: Sequence[date], *, wide: bool) -> str:
    summary = "; ".join(
        f"{when:%a %d %b}: {_value_text(chart, day)}" for when, day in zip(dates, days, strict=True)
    )
    return (
        f'<figure class="chart{" wide" if wide else ""}" data-metric="{chart.key}">\n'
        f"<figcaption><h2>{escape(chart.title)}</h2>"
        f"<p>{escape(chart.meaning)}</p></figcaption>\n"
        f"{_svg(chart, days, dates, summary, _WIDE_WIDTH if wide else _WIDTH)}\n</figure>"
    )


def _svg(
    chart: Chart, days: Sequence[DayStats], dates: Sequence[date], summary: str, width: int
) -> str:
    values = [chart.value(day) for day in days]
    top, ticks = _axis(max(values), chart.duration)
    plot_w = width - _LEFT - _RIGHT
    plot_h = _HEIGHT - _TOP - _BOTTOM
    slot = plot_w / len(days)
    bar_w = max(1.0, min(64.0, slot * 0.62))
    base = _TOP + plot_h
    parts = [
        f'<svg class="bars {chart.key}" viewBox="0 0 {width} {_HEIGHT}" role="img"'
        f' aria-label="{escape(chart.title)}: {escape(summary)}"'
        ' xmlns="http://www.w3.org/2000/svg">'
    ]
    for tick in ticks:
        y = base - plot_h * tick / top
        label = _tick_label(tick, chart.duration)
        parts.append(
            f'<line class="grid" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{label}</text>'
        )
    label_every = max(1, math.ceil(len(days) / 14))
    for index, (day, when, value) in enumerate(zip(days, dates, values, strict=True)):
        centre = _LEFT + slot * (index + 0.5)
        height = plot_h * value / top
        parts.append(
            f'<rect class="bar" x="{centre - bar_w / 2:.1f}" y="{base - height:.1f}"'
            f' width="{bar_w:.1f}" height="{height:.1f}" data-day="{day.day}"'
            f' data-metric="{chart.key}" data-value="{value}"/>'
        )
        lines = _label_lines(chart, day)
        if max(len(line) for line in lines) * _CHAR_WIDTH <= slot:
            first_y = base - height - 6 - _LINE * (len(lines) - 1)
            spans = "".join(
                f'<tspan x="{centre:.1f}" y="{first_y + _LINE * n:.1f}">{escape(line)}</tspan>'
                for n, line in enumerate(lines)
            )
            parts.append(f'<text class="value" text-anchor="middle">{spans}</text>')
        if index % label_every == 0 or index == len(days) - 1:
            parts.append(
                f'<text class="day" text-anchor="middle">'
                f'<tspan x="{centre:.1f}" y="{base + 17:.1f}">{when:%a}</tspan>'
                f'<tspan x="{centre:.1f}" y="{base + 33:.1f}">{when.day}</tspan></text>'
            )
    parts.append(
        f'<line class="baseline" x1="{_LEFT}" x2="{width - _RIGHT}" y1="{base}" y2="{base}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _axis(largest: int, duration: bool) -> tuple[float, list[float]]:
    """The axis top and its ticks: round steps (whole counts; 15 min .. hours for time)."""
    if duration:
        steps = [300, 600, 900, 1800, 3600, 7200, 10800, 14400, 21600, 43200]
        floor = 3600
    else:
        steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]
        floor = 4
    target = max(largest, floor)
    step = next((s for s in steps if target / s <= 4), steps[-1])
    while target / step > 4:
        step *= 2
    top = step * math.ceil(target / step)
    ticks = [step * n for n in range(int(top / step) + 1)]
    return float(top), [float(tick) for tick in ticks]


def _tick_label(tick: float, duration: bool) -> str:
    if not duration:
        return str(int(tick))
    if tick == 0:
        return "0"
    hours, rest = divmod(int(tick), 3600)
    if not rest:
        return f"{hours} h"
    return f"{int(tick) // 60} min" if not hours else f"{hours} h {rest // 60}"


def _label_lines(chart: Chart, day: DayStats) -> list[str]:
    """A bar's label, in two lines where it is long ("1 hour" / "30 min", "2" / "33 min")."""
    if chart.key == "calls_held" and day.calls_held:
        return [str(day.calls_held), _human(day.call_held_s)]
    text = _value_text(chart, day)
    if "hour" in text and " min" in text:
        cut = text.index(" ", text.index("hour"))
        return [text[:cut], text[cut + 1 :]]
    return [text]


# ------------------------------------------------------------------ table


def _table(days: Sequence[DayStats], dates: Sequence[date]) -> str:
    head = "".join(f'<th scope="col">{escape(chart.title)}</th>' for chart in CHARTS)
    rows = []
    for day, when in zip(days, dates, strict=True):
        cells = "".join(
            f'<td data-metric="{chart.key}" data-value="{chart.value(day)}"'
            + (f' data-held-s="{day.call_held_s}"' if chart.key == "calls_held" else "")
            + f">{escape(_value_text(chart, day))}</td>"
            for chart in CHARTS
        )
        rows.append(f'<tr data-day="{day.day}"><th scope="row">{when:%a %d %b}</th>{cells}</tr>')
    return (
        '<table class="numbers">\n<caption>Every number of the charts, day by day</caption>\n'
        f'<thead><tr><th scope="col">Day</th>{head}</tr></thead>\n'
        f"<tbody>\n{chr(10).join(rows)}\n</tbody>\n</table>"
    )


_CSS = """\
:root {
  color-scheme: light dark;
  --text: #1b1f24; --muted: #4a525c; --bg: #ffffff; --panel: #f3f5f7; --rule: #d5dae0;
  --grid: #e3e7eb;
  --c-sitting_s: #1d5a8a; --c-longest_spell_s: #6b3a8c; --c-prompts: #9a4a00;
  --c-breaks_after_prompt: #2c6e31; --c-breaks_on_own: #00665a; --c-snoozes: #7a4a2e;
  --c-calls_held: #44525c;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #e8edf2; --muted: #b4bdc6; --bg: #15191e; --panel: #1e242b; --rule: #3b434c;
    --grid: #2c333b;
    --c-sitting_s: #6fb3e8; --c-longest_spell_s: #c39be0; --c-prompts: #f0a35c;
    --c-breaks_after_prompt: #7fcf84; --c-breaks_on_own: #5fd1c0; --c-snoozes: #d9a47f;
    --c-calls_held: #a9b8c3;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Ubuntu, "Noto Sans",
    "DejaVu Sans", sans-serif;
  font-size: 1rem; line-height: 1.5;
}
main { max-width: 64rem; margin: 0 auto; padding: 1.5rem 1.25rem 2rem; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 0 0 0.25rem; }
.period { color: var(--muted); margin: 0 0 1rem; }
.summary {
  background: var(--panel); border: 1px solid var(--rule); border-radius: 8px;
  padding: 0.9rem 1.2rem; margin: 0 0 1.5rem;
}
.trend { font-size: 1.2rem; margin: 0 0 0.4rem; }
.totals {
  list-style: none; margin: 0; padding: 0;
  display: flex; flex-wrap: wrap; gap: 0.3rem 1.6rem;
}
.charts {
  display: grid; grid-template-columns: repeat(auto-fill, minmax(26rem, 1fr)); gap: 1.2rem;
}
.chart {
  margin: 0; border: 1px solid var(--rule); border-radius: 8px; padding: 0.8rem 0.9rem 0.4rem;
}
.chart h2 { font-size: 1.1rem; margin: 0; }
.chart figcaption p {
  margin: 0.1rem 0 0.3rem; color: var(--muted); font-size: 0.9rem; min-height: 2.7em;
}
.chart.wide figcaption p { min-height: 0; }
.chart svg { display: block; width: 100%; height: auto; }
.chart.wide { grid-column: 1 / -1; }
.chart.wide svg { max-height: 16rem; }
svg text { fill: var(--text); font-family: inherit; }
svg .tick { fill: var(--muted); font-size: 12px; }
svg .value { font-size: 13px; font-weight: 600; }
svg .day { font-size: 13px; }
.chart:not(.wide) svg .value { font-size: 12px; }
svg .grid { stroke: var(--grid); stroke-width: 1; }
svg .baseline { stroke: var(--muted); stroke-width: 1.5; }
.sitting_s .bar { fill: var(--c-sitting_s); }
.longest_spell_s .bar { fill: var(--c-longest_spell_s); }
.prompts .bar { fill: var(--c-prompts); }
.breaks_after_prompt .bar { fill: var(--c-breaks_after_prompt); }
.breaks_on_own .bar { fill: var(--c-breaks_on_own); }
.snoozes .bar { fill: var(--c-snoozes); }
.calls_held .bar { fill: var(--c-calls_held); }
h2.numbers-title { font-size: 1.3rem; margin: 2rem 0 0.5rem; }
table.numbers { border-collapse: collapse; width: 100%; font-size: 0.92rem; }
table.numbers caption { text-align: left; color: var(--muted); padding-bottom: 0.4rem; }
table.numbers th, table.numbers td { border-bottom: 1px solid var(--rule); padding: 0.3rem 0.5rem; }
table.numbers td { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.numbers thead th { text-align: right; vertical-align: bottom; }
table.numbers th[scope=row], table.numbers thead th:first-child {
  text-align: left; white-space: nowrap;
}
dl.meanings {
  display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; font-size: 0.92rem;
}
dl.meanings dt { font-weight: 600; }
dl.meanings dd { margin: 0; color: var(--muted); }
footer {
  border-top: 1px solid var(--rule); margin-top: 2rem; padding-top: 0.8rem;
  color: var(--muted); font-size: 0.88rem;
}
@page { size: A4; margin: 14mm; }
@media print {
  :root {
    --text: #000000; --muted: #333333; --bg: #ffffff; --panel: #ffffff; --rule: #999999;
    --grid: #cccccc;
    --c-sitting_s: #1d5a8a; --c-longest_spell_s: #6b3a8c; --c-prompts: #9a4a00;
    --c-breaks_after_prompt: #2c6e31; --c-breaks_on_own: #00665a; --c-snoozes: #7a4a2e;
    --c-calls_held: #44525c;
  }
  body { font-size: 9.5pt; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 17pt; }
  .trend { font-size: 11pt; }
  .charts { grid-template-columns: 1fr 1fr; gap: 4mm; }
  .chart { break-inside: avoid; padding: 1.5mm 3mm 0.5mm; }
  .chart h2 { font-size: 10.5pt; }
  .chart figcaption p { display: none; }  /* the same words are under "What they mean" */
  .chart.wide svg { max-height: 45mm; }
  svg .day, .chart svg .value, .chart:not(.wide) svg .value { font-size: 11px; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  .summary { padding: 2mm 4mm; margin-bottom: 4mm; }
  table.numbers, dl.meanings { break-inside: avoid; }
  table.numbers { font-size: 8.5pt; }
}
"""

_PAGE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>{title}</title>
<style>
{css}</style>
</head>
<body>
<main>
<header>
<h1>Your sitting week</h1>
<p class="period">{period} &middot; times in {zone} &middot; made {made}</p>
</header>
<section class="summary" aria-label="The week in brief">
<p class="trend">{trend}</p>
<ul class="totals">
{totals}
</ul>
</section>
<section class="charts" aria-label="Charts, one a number">
{charts}
</section>
<section class="numbers-section">
<h2 class="numbers-title">The numbers</h2>
{table}
<h2 class="numbers-title">What they mean</h2>
<dl class="meanings">
{meanings}
</dl>
<p>A break is &ldquo;I moved&rdquo;, time away from the computer, a locked screen or a
suspend. The end of work hours and a pause end a spell but are not breaks.</p>
</section>
<footer>Made by Sitting Reminder from the history kept on this computer; nothing was sent
anywhere. Same numbers as <code>sitting-reminder stats</code>.</footer>
</main>
</body>
</html>
"""
