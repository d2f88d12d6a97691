"""The proposal's charts, drawn on the server as SVG: no script, no network, print as they look.

Small and own: the dependency direction (reports → allocation) keeps allocation from using the
reports app's helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.safestring import SafeString, mark_safe

INK = "#1d2733"
NEED, BEFORE, AFTER = "#f2c14e", "#a9cbe7", "#1f4e79"


def _text(x: float, y: float, label: str, *, anchor: str = "start", size: int = 11) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{INK}">{escape(label)}</text>'
    )


def _open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" width="100%" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]


def _legend(parts: list[str], x: float, entries: Sequence[tuple[str, str]]) -> None:
    for name, colour in entries:
        parts.append(f'<rect x="{x:.0f}" y="8" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, 18, name))
        x += 40 + 8 * len(name)


@dataclass(frozen=True)
class StationRow:
    label: str
    need: float
    before: float
    after: float


def before_after(rows: Sequence[StationRow], *, series: tuple[str, str, str], title: str, unit: str) -> SafeString:
    """Per station, three bars: need, people before and people after the proposal."""
    row_h, bar_h, left, right, top = 34, 9, 170, 60, 32
    width = 900
    height = top + len(rows) * row_h + 12
    peak = max((max(r.need, r.before, r.after) for r in rows), default=0.0) or 1.0
    span = width - left - right
    parts = _open(width, height, title)
    _legend(parts, left, list(zip(series, (NEED, BEFORE, AFTER), strict=True)))
    for index, row in enumerate(rows):
        y = top + index * row_h
        parts.append(_text(left - 8, y + row_h / 2 + 3, row.label, anchor="end"))
        for offset, (value, colour, name) in enumerate(
            zip((row.need, row.before, row.after), (NEED, BEFORE, AFTER), series, strict=True)
        ):
            bar_y = y + 2 + offset * (bar_h + 1)
            length = max(0.0, value) / peak * span
            parts.append(
                f'<rect x="{left}" y="{bar_y}" width="{length:.1f}" height="{bar_h}" fill="{colour}">'
                f"<title>{escape(row.label)} · {escape(name)}: {value:.1f} {escape(unit)}</title></rect>"
            )
            parts.append(_text(left + length + 4, bar_y + bar_h - 1, f"{value:.1f}", size=9))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped


def curve(
    points: Sequence[tuple[int, float]], *, chosen: int | None, title: str, x_label: str, y_label: str
) -> SafeString:
    """The trade-off curve: moves on x, share of the shortfall removed (0..1) on y, the chosen point marked."""
    left, right, top, bottom, width, height = 56, 24, 20, 44, 900, 260
    plot_w, plot_h = width - left - right, height - top - bottom
    top_x = max((x for x, _y in points), default=0) or 1
    parts = _open(width, height, title)
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d5dde5"/>')
        parts.append(_text(left - 6, y + 4, f"{tick:.0%}", anchor="end", size=10))

    def at(x: float, y: float) -> tuple[float, float]:
        return left + plot_w * x / top_x, top + plot_h * (1 - y)

    path = " ".join(f"{'M' if i == 0 else 'L'}{at(x, y)[0]:.1f},{at(x, y)[1]:.1f}" for i, (x, y) in enumerate(points))
    parts.append(f'<path d="{path}" fill="none" stroke="{AFTER}" stroke-width="2"/>')
    for x, y in points:
        cx, cy = at(x, y)
        marked = x == chosen
        parts.append(
            f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="{6 if marked else 4}" fill="{NEED if marked else AFTER}">'
            f"<title>{x}: {y:.0%}</title></circle>"
        )
        parts.append(_text(cx, top + plot_h + 16, str(x), anchor="middle", size=10))
        parts.append(_text(cx, cy - 8, f"{y:.0%}", anchor="middle", size=9))
    parts.append(_text(left + plot_w / 2, height - 8, x_label, anchor="middle"))
    parts.append(_text(12, top + 4, y_label, size=10))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label above is escaped
