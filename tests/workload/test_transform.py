"""Local times become UTC the same way whatever the zone's daylight-saving quirks."""

from __future__ import annotations

import pandas as pd
import pytest

from workload.mapping import parse_mapping
from workload.transform import Catalogue, _to_number, transform

MAPPING = parse_mapping(
    'timezone = "America/Los_Angeles"\n[id]\ncolumn = "id"\n[received]\ncolumn = "t"\n'
    '[station]\ncolumn = "s"\n[category]\ncolumn = "c"\n'
)
CATALOGUE = Catalogue(stations={"code": {"S": 1}}, categories={"code": {"C": 2}})


def utc(values: list[str]) -> list[str]:
    frame = pd.DataFrame({"id": [str(i) for i in range(len(values))], "t": values, "s": "S", "c": "C"})
    rows, _blank = transform(frame, MAPPING, CATALOGUE, first_row=2)
    assert rows["error"].isna().all(), rows[["error", "error_value"]]
    return [t.strftime("%Y-%m-%d %H:%M") for t in rows["received_at"]]


def test_ordinary_times_take_the_zone_offset() -> None:
    assert utc(["2023-07-01 12:00:00", "2023-01-15 12:00:00"]) == ["2023-07-01 19:00", "2023-01-15 20:00"]


def test_the_repeated_autumn_hour_is_read_as_standard_time() -> None:
    assert utc(["2023-11-05 01:30:00"]) == ["2023-11-05 09:30"]


def test_the_skipped_spring_hour_moves_forward() -> None:
    assert utc(["2023-03-12 02:30:00"]) == ["2023-03-12 10:00"]


@pytest.mark.parametrize(
    ("treatment", "minutes", "flagged", "error"),
    [
        ("flag", [0.2, 30.0, 600.0], [True, False, True], [None, None, None]),
        ("default", [None, 30.0, None], [True, False, True], [None, None, None]),
        ("clip", [0.5, 30.0, 480.0], [True, False, True], [None, None, None]),
        ("reject", [0.2, 30.0, 600.0], [True, False, True], ["outlier", None, "outlier"]),
    ],
)
def test_outlier_handling_times_are_treated_as_the_mapping_says(
    treatment: str, minutes: list[float | None], flagged: list[bool], error: list[str | None]
) -> None:
    mapping = parse_mapping(
        f'outliers = "{treatment}"\n[id]\ncolumn = "id"\n[received]\ncolumn = "t"\n[station]\ncolumn = "s"\n'
        '[category]\ncolumn = "c"\n[handling]\nminutes = "m"\n'
    )
    frame = pd.DataFrame(
        {"id": ["1", "2", "3"], "t": "2026-03-01 08:00:00", "s": "S", "c": "C", "m": ["0.2", "30", "600"]}
    )
    rows, _blank = transform(frame, mapping, CATALOGUE, first_row=2)
    assert rows["is_outlier"].tolist() == flagged
    assert [None if pd.isna(v) else v for v in rows["handling_minutes"]] == minutes
    assert [None if pd.isna(v) else v for v in rows["error"]] == error


def test_cells_are_stripped_commas_read_as_decimal_points_and_long_ids_cut_and_rejected() -> None:
    mapping = parse_mapping(
        '[id]\ncolumn = "id"\n[received]\ncolumn = "t"\n[station]\ncolumn = "s"\n'
        '[category]\ncolumn = "c"\n[handling]\nminutes = "m"\n'
    )
    frame = pd.DataFrame(
        {
            "id": ["  1 ", "2", "x" * 70],
            "t": ["2026-03-01 08:00:00 ", "2026-03-01 08:00:00", "2026-03-01 08:00:00"],
            "s": [" S", "S", "S"],
            "c": "C",
            "m": ["12,5", " 30 ", "1"],
        }
    )
    rows, _blank = transform(frame, mapping, CATALOGUE, first_row=2)
    assert rows["external_id"].tolist() == ["1", "2", "x" * 64]
    assert rows["handling_minutes"].tolist() == [12.5, 30.0, 1.0]
    assert [None if pd.isna(v) else v for v in rows["error"]] == [None, None, "id_too_long"]
    assert rows["error_value"][2] == "x" * 70


def test_a_frame_with_missing_cells_not_from_the_reader_still_transforms() -> None:
    """Frames from the reader hold only str; a None takes pandas' slower path and gives the same rows."""
    frame = pd.DataFrame({"id": ["1", None], "t": ["2026-03-01 08:00:00", "2026-03-01 09:00:00"], "s": "S", "c": "C"})
    rows, _blank = transform(frame, MAPPING, CATALOGUE, first_row=2)
    assert rows["external_id"].tolist() == ["1", None]
    assert pd.isna(rows["error"][0])


@pytest.mark.parametrize(
    "cells",
    [["2", "3", "2", "", "abc"], ["1.5", "2", "1.5"], ["1", "2", "1"], [], ["4", None]],
)
def test_numbers_parsed_once_per_distinct_text_are_what_pandas_parses(cells: list[str | None]) -> None:
    raw = pd.Series(cells, dtype=object)
    expected = pd.to_numeric(raw, errors="coerce")
    got = _to_number(raw)
    assert got.dtype == expected.dtype
    assert got.equals(expected)
