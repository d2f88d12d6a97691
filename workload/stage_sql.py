"""Staging a CSV file set-wise in PostgreSQL: COPY the raw bytes, then resolve the rows in SQL.

The pandas path (workload.transform) reads every row in Python. For a CSV file on PostgreSQL this
module does the same work where the data already is: the file goes by COPY, as it is, into an
unlogged table of text columns, and one INSERT ... SELECT resolves the rows into the staging table.

It is deliberately conservative. SQL only *accepts* rows it can resolve with exactly the result the
pandas path would give: whitespace stripped as Python strips it, empty markers, times in a whitelist
of fixed-width formats in a zone without clock changes, plain decimal minutes and whole crews. Stations,
categories and communities are resolved by the pandas code itself, once per distinct value. Every row
SQL does not accept, whatever the reason, goes through `transform` with the rest of its file's
settings, so the reasons, columns and values reported stay those of the pandas path. And when the file
is anything COPY reads differently (another encoding, broken structure, blank lines) or the mapping
needs what SQL does not express, `stage_with_copy` returns None and the caller reads the file with
pandas from the start.
"""

from __future__ import annotations

import codecs
import datetime as dt
import logging
import sys
import zoneinfo
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2
from django.db import connection, transaction

from workload.mapping import OUTLIER_MAX_MINUTES, OUTLIER_MIN_MINUTES, Mapping, TimeColumn
from workload.reader import FileProblem, check_header, csv_header
from workload.transform import OUTPUT_COLUMNS, Catalogue, Problems, resolve_community, resolve_lookup, transform

log = logging.getLogger(__name__)

# Every character Python's str.strip() removes, so btrim() in SQL strips exactly the same.
PY_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
PENDING = "__pending"  # marks staged rows that pandas must look at; never left in the table
FETCH_ROWS = 50_000
# pandas keeps times in nanoseconds: years outside this range are NaT there, so pandas decides them.
YEAR_RANGE = (1678, 2261)


@dataclass(frozen=True)
class _Format:
    shapes: tuple[str, ...]  # the value with every digit written 0: "0000-00-00 00:00:00"
    fields: dict[str, tuple[int, int]]  # strptime letter -> (1-based start, length)
    offset: int | None  # where a trailing ±HH:MM / ±HHMM / Z starts


# Formats SQL reads. Each matches values of one fixed shape only, so no value can match two of them,
# and all give the same instant for a value any of them matches: the order pandas tries them in
# cannot change a result.
_WHITELIST = {
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S%z",
}
DIGITS, ZEROS = "0123456789", "0000000000"


def _compile(fmt: str) -> _Format | None:
    """A value has the format's shape when translate(value, DIGITS, ZEROS) is one of `shapes`:
    a plain comparison, where PostgreSQL's regular expressions cost microseconds a value."""
    if fmt not in _WHITELIST:
        return None
    shape, fields, index = "", {}, 0
    offset = None
    while index < len(fmt):
        if fmt[index] == "%":
            letter = fmt[index + 1]
            if letter == "z":
                offset = len(shape) + 1
            else:
                width = 4 if letter == "Y" else 2
                fields[letter] = (len(shape) + 1, width)
                shape += "0" * width
            index += 2
        else:
            shape += fmt[index]
            index += 1
    if offset is None:
        return _Format((shape,), fields, None)
    return _Format(tuple(shape + z for z in ("+00:00", "-00:00", "+0000", "-0000", "Z")), fields, offset)


def _zone_fixed_since(zone_name: str) -> int | None:
    """The first year from which the zone's offset never changes again (None: it still changes)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    this_year = dt.datetime.now(dt.UTC).year
    last_change = 1900
    for year in range(1900, this_year + 30):
        offsets = {
            zone.utcoffset(dt.datetime(year, month, 1, 12))  # noqa: DTZ001 - naive on purpose: local wall time
            for month in range(1, 13)
        }
        january_next = zone.utcoffset(dt.datetime(year + 1, 1, 1, 12))  # noqa: DTZ001
        if len(offsets) > 1 or january_next not in offsets:
            last_change = year
    if last_change >= this_year:
        return None
    return last_change + 2  # a clear year after the last change


class _Sql:
    """Builds the resolving SELECT; literals go as named parameters."""

    def __init__(self) -> None:
        self.params: dict[str, object] = {}

    def lit(self, value: object) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"


def _time_value(sql: _Sql, v: str, spec: TimeColumn, zone: str, from_year: int) -> str:
    """The UTC time of the text column `v`, or NULL when no format matches it or its fields are out of
    range (where pandas gives NaT). The whitelisted formats put every field at the same place, and
    PostgreSQL's own input function reads them once the shape and the ranges are known to be right."""
    formats = [_compile(f) for f in spec.formats]
    if any(f is None for f in formats):
        raise AssertionError("expressible() let through a format SQL cannot read")
    shapes = sorted({shape for fmt in formats if fmt is not None for shape in fmt.shapes})
    offsets = sorted({fmt.offset for fmt in formats if fmt is not None and fmt.offset is not None})

    def num(start: int, width: int) -> str:
        return f"substr({v}, {start}, {width})::int"

    year, month, day = num(1, 4), num(6, 2), num(9, 2)
    days_in_month = (
        f"CASE WHEN {month} = 2 THEN CASE WHEN mod({year}, 4) = 0 AND (mod({year}, 100) <> 0"
        f" OR mod({year}, 400) = 0) THEN 29 ELSE 28 END WHEN {month} IN (4, 6, 9, 11) THEN 30 ELSE 31 END"
    )
    # Hours, minutes and seconds are checked where the value has them (12, 15 and 18 characters in).
    ranges = (
        f"{year} BETWEEN {max(YEAR_RANGE[0], from_year)} AND {YEAR_RANGE[1]} AND {month} BETWEEN 1 AND 12"
        f" AND ({day} BETWEEN 1 AND 28 OR {day} <= {days_in_month})"
        f" AND (length({v}) < 13 OR {num(12, 2)} <= 23) AND (length({v}) < 16 OR {num(15, 2)} <= 59)"
        f" AND (length({v}) < 19 OR substr({v}, 18, 1) <> ':' AND {num(18, 2)} <= 59)"
    )
    if offsets:
        (start,) = offsets
        zone_part = f"substr({v}, {start})"
        ranges += (
            f" AND (length({v}) < {start} OR {zone_part} = 'Z'"
            f" OR ({num(start + 1, 2)} <= 23 AND right({zone_part}, 2)::int <= 59))"
        )
        value = (
            f"CASE WHEN length({v}) >= {start} THEN {v}::timestamptz"
            f" ELSE {v}::timestamp AT TIME ZONE {sql.lit(zone)} END"
        )
    else:
        value = f"{v}::timestamp AT TIME ZONE {sql.lit(zone)}"
    shape = f"translate({v}, '{DIGITS}', '{ZEROS}')"
    # CASE evaluates in order: the casts only ever see values of a known shape with fields in range.
    return f"CASE WHEN {shape} = ANY({sql.lit(shapes)}) THEN CASE WHEN {ranges} THEN {value} END END"


def expressible(mapping: Mapping) -> bool:
    """Whether SQL reads every time of the mapping (else the pandas path reads the whole file)."""
    specs = [mapping.received, mapping.arrived, mapping.cleared, mapping.handling.start, mapping.handling.end]
    return all(_compile(fmt) is not None for spec in specs if spec is not None for fmt in spec.formats)


def stage_with_copy(
    *, batch_id: int, path: Path, mapping: Mapping, catalogue: Catalogue, staged_table: str, write_rows: object
) -> tuple[int, int] | None:
    """Stage a CSV file in SQL. Returns (rows read, blank rows), or None to use the pandas path.

    `write_rows(batch_id, frame)` writes rows resolved by pandas into the staging table.
    """
    if connection.vendor != "postgresql" or not expressible(mapping):
        return None
    from_year = _zone_fixed_since(mapping.timezone)
    if from_year is None:
        return None  # clock changes: pandas places the skipped and repeated hours
    encoding = mapping.encoding
    if encoding == "auto":
        with path.open("rb") as handle:
            encoding = "utf-8-sig" if handle.read(3) == codecs.BOM_UTF8 else "utf-8"
    try:
        header = [h.strip() for h in csv_header(path, encoding)]
    except FileProblem:
        return None  # the pandas path names the problem (or finds the file is GB18030)
    columns = mapping.columns_used()
    check_header(header, columns)  # same refusal as the pandas path, raised before any row
    position = {name: header.index(name) for name in columns}
    raw_table = f"workload_rawrows_{batch_id}"
    try:
        with transaction.atomic():
            result = _stage(
                batch_id=batch_id,
                path=path,
                mapping=mapping,
                catalogue=catalogue,
                staged_table=staged_table,
                raw_table=raw_table,
                width=len(header),
                position=position,
                pg_encoding="GB18030" if encoding == "gb18030" else "UTF8",
                from_year=from_year,
                write_rows=write_rows,
            )
    except psycopg2.DataError:
        # COPY read the file differently from a CSV reader (structure, encoding, blank lines):
        # nothing was staged (the transaction rolled back), so pandas reads it and names the problem.
        return None
    return result


def _stage(
    *,
    batch_id: int,
    path: Path,
    mapping: Mapping,
    catalogue: Catalogue,
    staged_table: str,
    raw_table: str,
    width: int,
    position: dict[str, int],
    pg_encoding: str,
    from_year: int,
    write_rows: object,
) -> tuple[int, int] | None:
    columns_sql = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as cursor:
        # Unlogged and without index: scratch rows, dropped at the end of this transaction.
        cursor.execute(f"CREATE UNLOGGED TABLE {raw_table} (n bigint GENERATED ALWAYS AS IDENTITY, {columns_sql})")
        with path.open("rb") as handle:
            cursor.cursor.copy_expert(
                f"COPY {raw_table} ({', '.join(f'c{i}' for i in range(width))}) FROM STDIN"
                f" WITH (FORMAT csv, HEADER true, ENCODING '{pg_encoding}')",
                handle,
                size=1 << 20,
            )
            copied = cursor.cursor.rowcount
        statement, params = _resolving_insert(
            cursor, batch_id, mapping, catalogue, staged_table, raw_table, position, from_year
        )
        if statement is None:
            raise AssertionError("expressible() let through a mapping SQL cannot read")
        cursor.execute(statement, params)
        staged = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {staged_table} WHERE batch_id = %s AND error = %s RETURNING row",  # noqa: S608
            [batch_id, PENDING],
        )
        pending = sorted(row for (row,) in cursor.fetchall())
        log.info("import batch %s: %d of %d rows left to pandas", batch_id, len(pending), copied)
        names = list(position)
        for start in range(0, len(pending), FETCH_ROWS):
            numbers = [row - 1 for row in pending[start : start + FETCH_ROWS]]
            cursor.execute(
                f"SELECT n, {', '.join(f'coalesce(c{position[name]}, {chr(39) * 2})' for name in names)}"  # noqa: S608
                f" FROM {raw_table} WHERE n = ANY(%s) ORDER BY n",
                [numbers],
            )
            fetched = cursor.fetchall()
            frame = pd.DataFrame([values[1:] for values in fetched], columns=names, dtype=str)
            rows, blank = transform(frame, mapping, catalogue, first_row=0)
            if blank or len(rows) != len(fetched):
                raise AssertionError("SQL and pandas disagree on which rows are blank")
            rows["row"] = np.array([values[0] + 1 for values in fetched], dtype="int64")
            write_rows(batch_id, rows)  # type: ignore[operator]
        cursor.execute(f"DROP TABLE {raw_table}")
    return copied, copied - staged


def _distinct(cursor: object, raw_table: str, expressions: list[str]) -> list[tuple[str, ...]]:
    cursor.execute(  # type: ignore[attr-defined]
        f"SELECT DISTINCT {', '.join(expressions)} FROM {raw_table}"  # noqa: S608
    )
    return cursor.fetchall()  # type: ignore[attr-defined, no-any-return]


def _clean(value: str | None, empty: frozenset[str]) -> str:
    text = (value or "").strip()
    return "" if text in empty else text


def _resolving_insert(
    cursor: object,
    batch_id: int,
    mapping: Mapping,
    catalogue: Catalogue,
    staged_table: str,
    raw_table: str,
    position: dict[str, int],
    from_year: int,
) -> tuple[str | None, dict[str, object]]:
    """The INSERT ... SELECT that resolves every raw row into the staging table.

    Layers (each a subquery kept apart by OFFSET 0, so an expression is computed once per row):
    a: cells stripped and emptied; b: the time values chosen among their columns, blank rows out;
    c: parsed times, id, minutes, crew; outer: lookups joined, handling, outliers, acceptance.
    """
    sql = _Sql()
    cell = {name: f"m{index}" for index, name in enumerate(position)}
    raw = {name: f"c{index}" for name, index in position.items()}
    ws, empty = sql.lit(PY_WHITESPACE), sql.lit(sorted(mapping.empty))
    # btrim() with a set of multibyte characters is slow: called only when an end is whitespace.
    trimmed = {
        n: f"CASE WHEN r.{raw[n]} IS NULL THEN '' WHEN strpos({ws}, left(r.{raw[n]}, 1)) = 0"
        f" AND strpos({ws}, right(r.{raw[n]}, 1)) = 0 THEN r.{raw[n]} ELSE btrim(r.{raw[n]}, {ws}) END"
        for n in position
    }
    layer_a = ", ".join(f"{trimmed[n]} AS t_{cell[n]}" for n in position)
    layer_a2 = ", ".join(
        f"CASE WHEN a0.t_{cell[n]} = ANY({empty}) THEN '' ELSE a0.t_{cell[n]} END AS {cell[n]}" for n in position
    )
    blank = " AND ".join(f"a.{cell[n]} = ''" for n in position)

    # Lookups: resolved by the pandas code once per distinct cell, joined as small tables.
    joins: list[str] = []
    resolved: dict[str, str] = {}
    for kind, spec, keys in (
        ("station", mapping.station, catalogue.stations),
        ("category", mapping.category, catalogue.categories),
    ):
        # Keyed by the cleaned value (what the rows carry): cleaning is exactly Python's.
        values = sorted({_clean(v, mapping.empty) for (v,) in _distinct(cursor, raw_table, [raw[spec.column]])})
        cleaned = pd.DataFrame({spec.column: values}, dtype=str)
        problems = Problems(cleaned)
        ids = resolve_lookup(cleaned, spec, keys, problems, f"unknown_{kind}")
        table = f"workload_lookup_{kind}_{batch_id}"
        cursor.execute(f"CREATE TEMP TABLE {table} (v text PRIMARY KEY, id bigint) ON COMMIT DROP")  # type: ignore[attr-defined]
        good = [
            (v, int(i))
            for v, i, error in zip(values, ids, problems.error, strict=True)
            if pd.isna(error) and pd.notna(i)
        ]
        if good:
            cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s)", good)  # type: ignore[attr-defined]  # noqa: S608
        cursor.execute(f"ANALYZE {table}")  # type: ignore[attr-defined]
        joins.append(f"LEFT JOIN {table} AS {kind}_l ON {kind}_l.v = p.{cell[spec.column]}")
        resolved[kind] = f"{kind}_l.id"
    community_id, community_ok = "NULL::bigint", "TRUE"
    if mapping.community is not None:
        spec, station_column = mapping.community, mapping.station.column
        pairs = sorted(
            {
                (_clean(c, mapping.empty), _clean(s, mapping.empty))
                for c, s in _distinct(cursor, raw_table, [raw[spec.column], raw[station_column]])
            }
        )
        frame = pd.DataFrame({spec.column: [c for c, _s in pairs], station_column: [s for _c, s in pairs]}, dtype=str)
        stations = resolve_lookup(frame, mapping.station, catalogue.stations, Problems(frame), "unknown_station")
        problems = Problems(frame)
        communities = resolve_community(frame, spec, catalogue, stations, problems)
        table = f"workload_lookup_community_{batch_id}"
        cursor.execute(  # type: ignore[attr-defined]
            f"CREATE TEMP TABLE {table} (c text, s text, id bigint, PRIMARY KEY (c, s)) ON COMMIT DROP"
        )
        good_pairs = [
            (c, s, int(i))
            for (c, s), i, error in zip(pairs, communities, problems.error, strict=True)
            if pd.isna(error) and pd.notna(i)
        ]
        if good_pairs:
            cursor.executemany(f"INSERT INTO {table} VALUES (%s, %s, %s)", good_pairs)  # type: ignore[attr-defined]  # noqa: S608
        cursor.execute(f"ANALYZE {table}")  # type: ignore[attr-defined]
        joins.append(
            f"LEFT JOIN {table} AS community_l ON community_l.c = p.{cell[spec.column]}"
            f" AND community_l.s = p.{cell[station_column]}"
        )
        community_id = "community_l.id"
        community_ok = f"(p.{cell[spec.column]} = '' OR community_l.id IS NOT NULL)"

    # Layer b: which column each time comes from (the first non-empty one).
    specs = {"received": mapping.received, "arrived": mapping.arrived, "cleared": mapping.cleared}
    if mapping.handling.start is not None and mapping.handling.end is not None:
        specs["h_start"], specs["h_end"] = mapping.handling.start, mapping.handling.end
    chosen: list[str] = []
    for key, spec_time in specs.items():
        if spec_time is None:
            continue
        columns = [f"a.{cell[c]}" for c in spec_time.columns]
        value = (
            columns[0]
            if len(columns) == 1
            else "CASE " + " ".join(f"WHEN {c} <> '' THEN {c}" for c in columns) + " ELSE '' END"
        )
        chosen.append(f"{value} AS v_{key}")
    # Layer c: parsed values.
    parsed: list[str] = []
    time_keys: list[str] = []
    for key, spec_time in specs.items():
        if spec_time is None:
            continue
        value = _time_value(sql, f"b.v_{key}", spec_time, mapping.timezone, from_year)
        parsed.append(f"{value} AS t_{key}")
        time_keys.append(key)
    id_parts = [f"b.{cell[c]}" for c in mapping.external_id]
    external_id = id_parts[0] if len(id_parts) == 1 else " || '-' || ".join(id_parts)
    parsed.append(f"{external_id} AS external_id")
    parsed.append(
        "(" + " AND ".join(f"{part} <> ''" for part in id_parts) + f" AND char_length({external_id}) <= 64) AS id_ok"
    )
    if mapping.handling.minutes_column:
        m = f"b.{cell[mapping.handling.minutes_column]}"
        # Plain decimals only: digits at both ends, at most one point or comma between.
        number = (
            f"(length({m}) BETWEEN 1 AND 19 AND translate({m}, '{DIGITS}', '') IN ('', '.', ',')"
            f" AND strpos('{DIGITS}', left({m}, 1)) > 0 AND strpos('{DIGITS}', right({m}, 1)) > 0)"
        )
        parsed.append(f"CASE WHEN {number} THEN replace({m}, ',', '.')::float8 END AS minutes_value")
        parsed.append(f"({m} = '' OR {number}) AS minutes_ok")
    else:
        parsed.append("NULL::float8 AS minutes_value")
        parsed.append("TRUE AS minutes_ok")
    if mapping.people_column:
        m = f"b.{cell[mapping.people_column]}"
        crew = f"CASE WHEN length({m}) BETWEEN 1 AND 4 AND translate({m}, '{DIGITS}', '') = '' THEN {m}::int END"
        parsed.append(f"{crew} AS people_raw")
        parsed.append(f"({m} = '' OR coalesce({crew} BETWEEN 1 AND 1000, FALSE)) AS people_ok")
    else:
        parsed.append("NULL::int AS people_raw")
        parsed.append("TRUE AS people_ok")

    # Outer layer: handling, outliers, ordering checks, acceptance.
    if "h_start" in time_keys:
        minutes = "extract(epoch FROM (p.t_h_end - p.t_h_start))::float8 / 60.0"
        checks = [
            "(p.v_h_start = '' OR p.t_h_start IS NOT NULL)",
            "(p.v_h_end = '' OR p.t_h_end IS NOT NULL)",
            "(p.t_h_start IS NULL OR p.t_h_end IS NULL OR p.t_h_end >= p.t_h_start)",
        ]
    else:
        minutes, checks = "p.minutes_value", []
    low, high = OUTLIER_MIN_MINUTES, OUTLIER_MAX_MINUTES
    outlier = f"coalesce(({minutes}) < {low} OR ({minutes}) > {high}, FALSE)"
    handling = {
        "default": f"CASE WHEN {outlier} THEN NULL ELSE {minutes} END",
        "clip": f"least(greatest({minutes}, {low}), {high})",
    }.get(mapping.outliers, minutes)
    checks += [
        "p.id_ok",
        "p.t_received IS NOT NULL",
        "p.minutes_ok",
        "p.people_ok",
        f"{resolved['station']} IS NOT NULL",
        f"{resolved['category']} IS NOT NULL",
        community_ok,
    ]
    for key in ("arrived", "cleared"):
        if key in time_keys:
            checks.append(f"(p.v_{key} = '' OR p.t_{key} IS NOT NULL)")
    if "arrived" in time_keys:
        checks.append("(p.t_arrived IS NULL OR p.t_arrived >= p.t_received)")
    if "cleared" in time_keys:
        checks.append("(p.t_cleared IS NULL OR p.t_cleared >= p.t_received)")
        if "arrived" in time_keys:
            checks.append("(p.t_cleared IS NULL OR p.t_arrived IS NULL OR p.t_cleared >= p.t_arrived)")
    if mapping.outliers == "reject":
        checks.append(f"NOT {outlier}")
    accepted = " AND ".join(checks)
    output = {
        "row": "p.n + 1",  # the header is row 1
        "external_id": "left(p.external_id, 200)",
        "station_id": resolved["station"],
        "community_id": community_id,
        "category_id": resolved["category"],
        "received_at": "p.t_received",
        "arrived_at": "p.t_arrived" if "arrived" in time_keys else "NULL::timestamptz",
        "cleared_at": "p.t_cleared" if "cleared" in time_keys else "NULL::timestamptz",
        "handling_minutes": handling,
        "people_involved": "p.people_raw",
        "is_outlier": outlier,
        "error": f"CASE WHEN {accepted} THEN NULL ELSE {sql.lit(PENDING)} END",
        "error_column": "NULL",
        "error_value": "NULL",
    }
    if list(output) != OUTPUT_COLUMNS:
        raise AssertionError("the staging columns changed; update the SQL path")
    batch = sql.lit(batch_id)
    statement = f"""
        INSERT INTO {staged_table} (batch_id, {", ".join(OUTPUT_COLUMNS)}, duplicate)
        SELECT {batch}, {", ".join(output.values())}, FALSE
        FROM (
            SELECT b.*, {", ".join(parsed)}
            FROM (
                SELECT a.n, {", ".join(f"a.{cell[n]}" for n in position)}, {", ".join(chosen)}
                FROM (
                    SELECT a0.n, {layer_a2}
                    FROM (SELECT r.n, {layer_a} FROM {raw_table} AS r OFFSET 0) AS a0
                    OFFSET 0
                ) AS a
                WHERE NOT ({blank})
                OFFSET 0
            ) AS b
            OFFSET 0
        ) AS p
        {" ".join(joins)}
    """  # noqa: S608 - table and column names are ours; values are parameters
    return statement, sql.params
