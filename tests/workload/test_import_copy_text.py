"""The COPY text the staging write sends PostgreSQL: NULL as \\N, text quoted, times in UTC, numbers
in their shortest form, whichever way each column is formatted; the id last, batch and row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from workload.importer import _copy_payload
from workload.transform import OUTPUT_COLUMNS


def test_each_kind_of_value_is_written_as_postgresql_reads_it() -> None:
    rows = pd.DataFrame(
        {
            "row": [2, 3, 4],
            "external_id": ["A-1", 'say "hi"', "\\N"],
            "station_id": pd.array([8, 8, None], dtype="Int64"),
            "community_id": pd.array([None, None, None], dtype="Int64"),
            "category_id": pd.array([19, 22, 19], dtype="Int64"),
            "received_at": pd.to_datetime(["2026-03-01 00:00:00", "2026-03-01 01:30:05", None]).tz_localize("UTC"),
            "arrived_at": pd.Series(pd.NaT, index=range(3), dtype="datetime64[ns, UTC]"),
            "cleared_at": pd.to_datetime(["2026-03-01 00:50:00", None, None]).tz_localize("UTC"),
            "handling_minutes": [43.0, np.nan, 1e-05],
            "people_involved": pd.array([2, None, 2], dtype="Int64"),
            "is_outlier": [False, True, False],
            "error": [None, None, "unknown_station"],
            "error_column": [None, None, "station"],
            "error_value": [None, None, "QH-99"],
        }
    )[OUTPUT_COLUMNS]

    text = _copy_payload(7, rows)

    assert text == (
        '7,2,"A-1",8,\\N,19,2026-03-01T00:00:00,\\N,2026-03-01T00:50:00,43.0,2,f,\\N,\\N,\\N,f,30064771074\n'
        '7,3,"say ""hi""",8,\\N,22,2026-03-01T01:30:05,\\N,\\N,\\N,\\N,t,\\N,\\N,\\N,f,30064771075\n'
        '7,4,"\\N",\\N,\\N,19,\\N,\\N,\\N,1e-05,2,f,"unknown_station","station","QH-99",f,30064771076\n'
    )


def test_no_rows_write_nothing() -> None:
    assert _copy_payload(7, pd.DataFrame(columns=OUTPUT_COLUMNS)) is None
