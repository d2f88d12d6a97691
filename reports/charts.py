"""Charts drawn on the server as SVG: no script, no network, print as they look."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

# A sequential blue scale (light to dark), readable in print and for colour-blind readers.
SCALE = ("#f1f6fb", "#d3e4f3", "#a9cbe7", "#74aad8", "#4589c4", "#2166a8", "#0b3d78")


def _shade(value: float, top: float) -> str:
    if top <= 0 or value <= 0:
        return SCALE[0]
    index = min(len(SCALE) - 1, 1 + int((value / top) * (len(SCALE) - 1)))
    return SCALE[index]


def _text(x: float, y: float, label: str, *, anchor: str = "start", size: int = 11, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="#1d2733">{escape(label)}</text>'
    )


def heatmap(
    values: Sequence[float], *, day_labels: Sequence[str], title: str, unit: str, digits: int = 1
) -> SafeString:
    """7 × 24 grid of an hour-of-week series (index 0 = Monday 00:00)."""
    cell_w, cell_h, left, top = 34, 24, 64, 34
    width, height = left + 24 * cell_w + 8, top + 7 * cell_h + 30
    peak = max(values) if values else 0.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width: {width}px" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for hour in range(24):
        parts.append(_text(left + hour * cell_w + cell_w / 2, top - 8, f"{hour:02d}", anchor="middle", size=10))
    for day in range(7):
        y = top + day * cell_h
        parts.append(_text(left - 8, y + cell_h / 2 + 4, day_labels[day], anchor="end"))
        for hour in range(24):
            value = values[day * 24 + hour]
            x = left + hour * cell_w
            fill = _shade(value, peak)
            ink = "#ffffff" if fill in SCALE[4:] else "#1d2733"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 1}" height="{cell_h - 1}" fill="{fill}">'
                f"<title>{escape(day_labels[day])} {hour:02d}:00 — {value:.{digits}f} {escape(unit)}</title></rect>"
            )
            parts.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" font-size="9" text-anchor="middle" '
                f'fill="{ink}">{value:.{digits}f}</text>'
            )
    caption = f"{title} ({unit})" if unit else title
    parts.append(_text(left, height - 8, f"{caption}; max {peak:.{digits}f}", size=11))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


@dataclass(frozen=True)
class Bar:
    label: str
    values: tuple[float, ...]  # one per series


def grouped_bars(
    bars: Sequence[Bar], *, series: Sequence[str], colours: Sequence[str], title: str, unit: str
) -> SafeString:
    """Horizontal grouped bars, one row per label: e.g. need against strength per station."""
    row_h, bar_h, left, right, top = 26, 9, 150, 60, 30
    width = 900
    height = top + len(bars) * row_h + 20
    peak = max((v for bar in bars for v in bar.values), default=0.0) or 1.0
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width: {width}px" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    legend_x = left
    for name, colour in zip(series, colours, strict=True):
        parts.append(f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(legend_x + 16, 18, name))
        legend_x += 24 + 9 * len(name) + 30
    for index, bar in enumerate(bars):
        y = top + index * row_h
        parts.append(_text(left - 8, y + row_h / 2 + 4, bar.label, anchor="end"))
        for offset, (value, colour) in enumerate(zip(bar.values, colours, strict=True)):
            bar_y = y + 3 + offset * (bar_h + 1)
            length = max(0.0, value) / peak * span
            parts.append(
                f'<rect x="{left}" y="{bar_y}" width="{length:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(bar.label)}: {value:.1f} {escape(unit)}</title></rect>"
            )
            parts.append(_text(left + length + 4, bar_y + bar_h - 1, f"{value:.1f}", size=9))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def column_trend(points: Sequence[tuple[str, float]], *, title: str, unit: str) -> SafeString:
    """Monthly columns with their values: a trend readable at a glance and on paper."""
    col_w, left, top, plot_h = 44, 40, 20, 140
    width = left + max(len(points), 1) * col_w + 10
    height = top + plot_h + 40
    peak = max((v for _label, v in points), default=0.0) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width: {width}px" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(points):
        h = value / peak * plot_h
        x = left + index * col_w
        parts.append(
            f'<rect x="{x + 6}" y="{top + plot_h - h:.1f}" width="{col_w - 12}" height="{h:.1f}" fill="{SCALE[5]}">'
            f"<title>{escape(label)}: {value:,.0f} {escape(unit)}</title></rect>"
        )
        parts.append(_text(x + col_w / 2, top + plot_h - h - 4, f"{value:,.0f}", anchor="middle", size=9))
        parts.append(_text(x + col_w / 2, top + plot_h + 14, label, anchor="middle", size=9))
    parts.append(_text(left, height - 6, f"{title} ({unit})"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


@dataclass(frozen=True)
class Change:
    label: str
    before: float
    after: float


def before_after(
    changes: Sequence[Change], *, series: tuple[str, str], title: str, unit: str, note: str = ""
) -> SafeString:
    """Diverging horizontal bars around zero, before (grey) over after (blue), one row per label.

    Made for gaps (need − people): a bar to the right is a shortage, to the left a surplus, so a
    proposal that works pulls the blue bars towards the zero line.
    """
    row_h, bar_h, left, top, width = 28, 10, 150, 34, 900
    height = top + len(changes) * row_h + 24
    reach = max((abs(v) for c in changes for v in (c.before, c.after)), default=0.0) or 1.0
    span = (width - left - 50) / 2
    zero = left + span
    colours = ("#9aa5b1", SCALE[5])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width: {width}px" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    legend_x = left
    for name, colour in zip(series, colours, strict=True):
        parts.append(f'<rect x="{legend_x}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(legend_x + 16, 18, name))
        legend_x += 24 + 9 * len(name) + 30
    if note:
        parts.append(_text(width - 10, 18, note, anchor="end", size=10))
    for index, change in enumerate(changes):
        y = top + index * row_h
        parts.append(_text(left - 8, y + row_h / 2 + 4, change.label, anchor="end"))
        for offset, (value, colour) in enumerate(zip((change.before, change.after), colours, strict=True)):
            bar_y = y + 3 + offset * (bar_h + 2)
            length = abs(value) / reach * span
            x = zero if value >= 0 else zero - length
            parts.append(
                f'<rect x="{x:.1f}" y="{bar_y}" width="{length:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(change.label)} · {escape(series[offset])}: {value:+.1f} {escape(unit)}</title></rect>"
            )
            label_x = zero + length + 4 if value >= 0 else zero - length - 4
            parts.append(
                _text(label_x, bar_y + bar_h - 1, f"{value:+.1f}", anchor="start" if value >= 0 else "end", size=9)
            )
    parts.append(f'<line x1="{zero}" y1="{top - 4}" x2="{zero}" y2="{height - 20}" stroke="#1d2733" stroke-width="1"/>')
    parts.append(_text(left, height - 6, f"{title} ({unit})", size=11))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


@dataclass(frozen=True)
class CurvePoint:
    moves: float
    value: float
    proven: bool = True


def tradeoff_curve(points: Sequence[CurvePoint], *, title: str, x_label: str, y_label: str) -> SafeString:
    """Moves against what they achieve: a line with a dot per solve; hollow dots were not proven optimal."""
    width, height, left, right, top, bottom = 640, 300, 60, 20, 20, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    x_top = max((p.moves for p in points), default=0.0) or 1.0
    y_top = max((p.value for p in points), default=0.0) or 1.0

    def at(point: CurvePoint) -> tuple[float, float]:
        return left + point.moves / x_top * plot_w, top + plot_h - point.value / y_top * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width: {width}px" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#1d2733"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#1d2733"/>',
    ]
    for step in range(5):
        value = y_top * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#e3e8ee"/>')
        parts.append(_text(left - 6, y + 4, f"{value:,.3g}", anchor="end", size=10))
    ordered = sorted(points, key=lambda p: p.moves)
    if len(ordered) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(at, ordered))
        parts.append(f'<polyline points="{path}" fill="none" stroke="{SCALE[5]}" stroke-width="2"/>')
    for point in ordered:
        x, y = at(point)
        fill = SCALE[5] if point.proven else "#ffffff"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}" stroke="{SCALE[5]}" stroke-width="2">'
            f"<title>{point.moves:g}: {point.value:,.3g}</title></circle>"
        )
        parts.append(_text(x, top + plot_h + 14, f"{point.moves:g}", anchor="middle", size=10))
    parts.append(_text(left + plot_w / 2, height - 18, x_label, anchor="middle"))
    parts.append(_text(left, height - 4, y_label, size=10))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped
