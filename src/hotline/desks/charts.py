"""Server-rendered SVG charts for the desks: no script, no inline style (strict CSP); colours come from
classes in desks.css (.ch-s0 … .ch-s5). Every bar or point is a link to the cases behind it, and carries a
<title> with its number, so the chart is readable without a pointer too."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]
    links: Sequence[str]  # one URL per value ("" = no link)


def _link(url: str, inner: str) -> str:
    return f'<a href="{escape(url)}">{inner}</a>' if url else inner


def _nice_max(value: float) -> float:
    """A round axis maximum at or above value (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    step = 1.0
    while step * 10 <= value:
        step *= 10
    for m in (1, 2, 5, 10):
        if m * step >= value:
            return m * step
    return 10 * step


def stacked_bars(labels: Sequence[str], series: Sequence[Series], *, title: str, width: int = 640,
                 height: int = 160) -> SafeString:
    """Vertical bars per label (e.g. per day), stacked by series (e.g. channel), with a legend."""
    left, bottom, top = 34, 18, 8
    plot_w, plot_h = width - left - 4, height - bottom - top
    totals = [sum(s.values[i] for s in series) for i in range(len(labels))]
    peak = max(_nice_max(max(totals, default=0)), 2)  # at least 2: the half-way tick is a whole number
    slot = plot_w / max(len(labels), 1)
    bar_w = max(slot * 0.72, 1)
    parts = [f'<line class="ch-axis" x1="{left}" y1="{top + plot_h}" x2="{width - 4}" y2="{top + plot_h}"/>']
    for frac in (0.5, 1.0):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line class="ch-grid" x1="{left}" y1="{y:.1f}" x2="{width - 4}" y2="{y:.1f}"/>'
                     f'<text class="ch-tick" x="{left - 3}" y="{y + 4:.1f}" text-anchor="end">{int(peak * frac)}</text>')
    for i, label in enumerate(labels):
        x, y = left + i * slot + (slot - bar_w) / 2, top + plot_h
        for k, s in enumerate(series):
            n = s.values[i]
            if not n:
                continue
            h = plot_h * n / peak
            y -= h
            rect = (f'<rect class="ch-s{k % 6}" x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
                    f'<title>{escape(label)} {escape(s.name)} {n} 件</title></rect>')
            parts.append(_link(s.links[i], rect))
        if len(labels) <= 12 or i % 5 == 0 or i == len(labels) - 1:
            parts.append(f'<text class="ch-tick" x="{x + bar_w / 2:.1f}" y="{height - 5}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    legend = "".join(format_html('<span class="ch-key"><i class="ch-s{}"></i>{}</span>', k % 6, s.name)
                     for k, s in enumerate(series))
    svg = (f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
           f'<title>{escape(title)}</title>{"".join(parts)}</svg>')
    return mark_safe(f'<figure class="ch">{svg}<figcaption class="ch-legend">{legend}</figcaption></figure>')


def rate_line(points: Sequence[tuple[str, Decimal | None, str]], *, title: str, width: int = 420,
              height: int = 150) -> SafeString:
    """A percentage over time (label, rate or None, link); the axis spans the data's range, in whole percent."""
    left, bottom, top, right = 34, 18, 12, 18
    plot_w, plot_h = width - left - right, height - bottom - top
    known = [float(r) for _, r, _ in points if r is not None]
    low = max(0.0, (min(known) // 5) * 5 - 5) if known else 0.0
    high = min(100.0, (max(known) // 5) * 5 + 5) if known else 100.0
    span = max(high - low, 1.0)
    step = plot_w / max(len(points) - 1, 1)

    def y_of(rate: float) -> float:
        return top + plot_h * (1 - (rate - low) / span)

    parts = [f'<line class="ch-axis" x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}"/>']
    for value in (low, high):
        parts.append(f'<line class="ch-grid" x1="{left}" y1="{y_of(value):.1f}" x2="{width - right}" y2="{y_of(value):.1f}"/>'
                     f'<text class="ch-tick" x="{left - 3}" y="{y_of(value) + 4:.1f}" text-anchor="end">{value:.0f}%</text>')
    path = [(left + i * step, y_of(float(r))) for i, (_, r, _) in enumerate(points) if r is not None]
    if len(path) > 1:
        parts.append('<polyline class="ch-line" points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in path) + '"/>')
    for i, (label, rate, url) in enumerate(points):
        x = left + i * step
        if rate is not None:
            dot = (f'<circle class="ch-dot" cx="{x:.1f}" cy="{y_of(float(rate)):.1f}" r="3.5">'
                   f'<title>{escape(label)} 满意率 {rate}%</title></circle>')
            parts.append(_link(url, dot))
        parts.append(f'<text class="ch-tick" x="{x:.1f}" y="{height - 5}" text-anchor="middle">{escape(label)}</text>')
    return mark_safe(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
                     f'<title>{escape(title)}</title>{"".join(parts)}</svg>')
