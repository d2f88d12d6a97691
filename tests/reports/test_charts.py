"""Server-side SVG charts: well-formed, labelled, escaped, and drawn to the values given."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output


def test_before_after_draws_shortage_right_and_surplus_left_of_zero() -> None:
    svg = charts.before_after(
        [charts.Change("城关<所>", 6.0, 3.0), charts.Change("石门", -4.0, -1.0)],
        series=("before", "after"),
        title="Gap",
        unit="people",
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "Gap"
    zero = float(root.find(f"{SVG}line").get("x1"))  # type: ignore[union-attr]
    bars = [r for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(bars) == 4
    (b1, a1, b2, a2) = bars
    assert float(b1.get("x")) == zero and float(b1.get("width")) > float(a1.get("width")) > 0  # type: ignore[arg-type]
    assert float(b2.get("x")) + float(b2.get("width")) == zero  # type: ignore[arg-type]  # surplus ends at zero
    assert "城关&lt;所&gt;" in svg and "<所>" not in svg


def test_tradeoff_curve_marks_unproven_points_hollow() -> None:
    svg = charts.tradeoff_curve(
        [charts.CurvePoint(0, 10.0), charts.CurvePoint(5, 6.0, proven=False), charts.CurvePoint(10, 4.0)],
        title="Trade-off",
        x_label="moves",
        y_label="short",
    )
    root = parse(svg)
    dots = list(root.iter(f"{SVG}circle"))
    assert [d.get("fill") for d in dots].count("#ffffff") == 1
    ys = [float(d.get("cy")) for d in dots]  # type: ignore[arg-type]
    assert ys[0] < ys[1] < ys[2]  # fewer people short is lower on the chart
    assert len(root.findall(f"{SVG}polyline")) == 1


def test_charts_never_grow_past_their_drawn_width() -> None:
    svg = charts.column_trend([("26-01", 10.0), ("26-02", 12.0)], title="t", unit="h")
    width = re.search(r'viewBox="0 0 (\d+)', svg).group(1)  # type: ignore[union-attr]
    assert f"max-width: {width}px" in svg
