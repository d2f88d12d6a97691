"""Column mappings: how the columns of one system's incident export become Jingli incidents.

A mapping is a small TOML file a planner can write (docs/import-mappings.md) or the same text saved
in the database and edited in the admin. Parsing is strict: every mistake is reported with the key
it concerns, all at once, before a single row is read.
"""

from __future__ import annotations

import csv
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SHIPPED_DIR = Path(__file__).resolve().parent / "mappings"

MATCH_KINDS = ("code", "name", "alias")
OUTLIER_TREATMENTS = ("flag", "default", "clip", "reject")
DUPLICATE_POLICIES = ("error", "keep_first")
ENCODINGS = ("auto", "utf-8", "utf-8-sig", "gb18030")
# Handling times outside these bounds are implausible (CPSM practice: under 30 s or over 8 h).
OUTLIER_MIN_MINUTES = 0.5
OUTLIER_MAX_MINUTES = 480.0
# Always understood, after the mapping's own formats: what Jingli and spreadsheets write.
ISO_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M")


class MappingError(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class TimeColumn:
    """One time: the first non-empty of `columns`, parsed with the first matching format."""

    columns: tuple[str, ...]
    formats: tuple[str, ...]


@dataclass(frozen=True)
class LookupColumn:
    """A value resolved to a station, category or community: through `lookup`, then by `match`."""

    column: str
    match: tuple[str, ...]
    lookup: dict[str, str]
    default: str | None


@dataclass(frozen=True)
class Handling:
    """Handling minutes: a column of minutes, or the time from `start` to `end`; else the default."""

    minutes_column: str | None = None
    start: TimeColumn | None = None
    end: TimeColumn | None = None


@dataclass(frozen=True)
class Mapping:
    name: str
    source: str
    description: str
    timezone: str
    encoding: str
    sheet: str | None
    empty: frozenset[str]
    outliers: str
    duplicates_in_file: str
    external_id: tuple[str, ...]
    received: TimeColumn
    station: LookupColumn
    category: LookupColumn
    community: LookupColumn | None
    arrived: TimeColumn | None
    cleared: TimeColumn | None
    handling: Handling
    people_column: str | None
    text: str = field(repr=False, compare=False, default="")

    def columns_used(self) -> list[str]:
        """Every column of the file the mapping reads, in a stable order."""
        used: list[str] = [*self.external_id, *self.received.columns, self.station.column, self.category.column]
        for time in (self.arrived, self.cleared, self.handling.start, self.handling.end):
            if time is not None:
                used += time.columns
        for optional in (
            self.community.column if self.community else None,
            self.handling.minutes_column,
            self.people_column,
        ):
            if optional:
                used.append(optional)
        return list(dict.fromkeys(used))


def load_mapping_file(path: Path) -> Mapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"cannot read mapping file {path}: {exc}"]) from None
    return parse_mapping(text, default_name=path.stem, base_dir=path.parent)


def shipped_mapping_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.toml"))


def parse_mapping(text: str, *, default_name: str = "", base_dir: Path = SHIPPED_DIR) -> Mapping:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError([f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    reader = _Reader(raw, problems, base_dir)
    name = reader.text("name", default_name) or default_name
    known_top = {
        "name", "source", "description", "timezone", "encoding", "sheet", "empty", "outliers",
        "duplicates_in_file", "id", "received", "station", "category", "community", "arrived", "cleared",
        "handling", "people",
    }  # fmt: skip
    for key in raw:
        if key not in known_top:
            problems.append(f"unknown key {key!r}")
    timezone = reader.text("timezone", "Asia/Shanghai") or "Asia/Shanghai"
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        problems.append(f"timezone: {timezone!r} is not a known IANA time zone")
    encoding = reader.choice("encoding", "auto", ENCODINGS)
    outliers = reader.choice("outliers", "flag", OUTLIER_TREATMENTS)
    duplicates = reader.choice("duplicates_in_file", "error", DUPLICATE_POLICIES)
    id_table = reader.table("id", required=True)
    external_id = reader.columns(id_table, "id", required=True)
    received = reader.time(reader.table("received", required=True), "received", required=True)
    station = reader.lookup(reader.table("station", required=True), "station", required=True)
    category = reader.lookup(reader.table("category", required=True), "category", required=True)
    community_table = reader.table("community")
    community = reader.lookup(community_table, "community") if community_table else None
    arrived_table, cleared_table = reader.table("arrived"), reader.table("cleared")
    arrived = reader.time(arrived_table, "arrived", default_formats=received.formats) if arrived_table else None
    cleared = reader.time(cleared_table, "cleared", default_formats=received.formats) if cleared_table else None
    handling = reader.handling(reader.table("handling"), received.formats)
    people_table = reader.table("people")
    people_column = reader.text_in(people_table, "people", "column") if people_table else None
    empty = raw.get("empty", ["", "N/A", "NA", "NULL"])
    if not isinstance(empty, list) or not all(isinstance(v, str) for v in empty):
        problems.append('empty: must be a list of strings, e.g. ["", "-1", "N/A"]')
        empty = []
    if problems:
        raise MappingError(problems)
    assert station is not None and category is not None  # noqa: S101 - guaranteed when no problems
    return Mapping(
        name=name,
        source=reader.text("source", name) or name,
        description=reader.text("description", "") or "",
        timezone=timezone or "Asia/Shanghai",
        encoding=encoding,
        sheet=reader.text("sheet", None),
        empty=frozenset(empty) | {""},
        outliers=outliers,
        duplicates_in_file=duplicates,
        external_id=external_id,
        received=received,
        station=station,
        category=category,
        community=community,
        arrived=arrived,
        cleared=cleared,
        handling=handling,
        people_column=people_column,
        text=text,
    )


class _Reader:
    """Typed access to the parsed TOML that records every problem instead of stopping at the first."""

    def __init__(self, raw: dict[str, Any], problems: list[str], base_dir: Path) -> None:
        self.raw = raw
        self.problems = problems
        self.base_dir = base_dir

    def text(self, key: str, default: str | None) -> str | None:
        value = self.raw.get(key, default)
        if value is not None and not isinstance(value, str):
            self.problems.append(f"{key}: must be a string")
            return default
        return value

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.raw.get(key, default)
        if value not in choices:
            self.problems.append(f"{key}: {value!r} is not one of {', '.join(choices)}")
            return default
        return str(value)

    def table(self, key: str, *, required: bool = False) -> dict[str, Any] | None:
        value = self.raw.get(key)
        if value is None:
            if required:
                self.problems.append(f"[{key}] is required")
            return None
        if not isinstance(value, dict):
            self.problems.append(f'{key}: must be a table, e.g. [{key}] with column = "..."')
            return None
        return value

    def text_in(self, table: dict[str, Any], section: str, key: str) -> str | None:
        value = table.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            self.problems.append(f"{section}.{key}: must be a non-empty string")
            return None
        return value

    def columns(self, table: dict[str, Any] | None, section: str, *, required: bool = False) -> tuple[str, ...]:
        if table is None:
            return ()
        value = table.get("columns", table.get("column"))
        if isinstance(value, str) and value:
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) and v for v in value):
            return tuple(value)
        if required or value is not None:
            self.problems.append(f'{section}: give column = "name" or columns = ["a", "b"]')
        return ()

    def formats(self, table: dict[str, Any], section: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = table.get("formats", table.get("format"))
        if value is None:
            return default
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and "%" in v for v in value):
            self.problems.append(f'{section}.formats: a list of strptime formats such as "%Y-%m-%d %H:%M:%S"')
            return default
        return tuple(value)

    def time(
        self,
        table: dict[str, Any] | None,
        section: str,
        *,
        required: bool = False,
        default_formats: tuple[str, ...] = (),
    ) -> TimeColumn:
        if table is None:
            return TimeColumn((), ())
        columns = self.columns(table, section, required=required)
        formats = self.formats(table, section, default_formats)
        unknown = set(table) - {"column", "columns", "format", "formats"}
        if unknown:
            self.problems.append(f"{section}: unknown keys {sorted(unknown)}")
        return TimeColumn(columns, tuple(dict.fromkeys([*formats, *ISO_FORMATS])))

    def lookup(self, table: dict[str, Any] | None, section: str, *, required: bool = False) -> LookupColumn | None:
        if table is None:
            return None
        column = self.text_in(table, section, "column")
        if column is None:
            self.problems.append(f"{section}.column is required")
        match = table.get("match", list(MATCH_KINDS))
        if isinstance(match, str):
            match = [match]
        if not isinstance(match, list) or any(m not in MATCH_KINDS for m in match):
            self.problems.append(f"{section}.match: a list of {', '.join(MATCH_KINDS)}")
            match = list(MATCH_KINDS)
        lookup: dict[str, str] = {}
        inline = table.get("lookup", {})
        if not isinstance(inline, dict) or not all(isinstance(v, str) for v in inline.values()):
            self.problems.append(f'{section}.lookup: a table of "value in the file" = "code in Jingli"')
        else:
            lookup.update({str(k): v for k, v in inline.items()})
        lookup_file = table.get("lookup_file")
        if lookup_file is not None:
            lookup.update(self._lookup_file(section, lookup_file))
        default = table.get("default")
        if default is not None and not isinstance(default, str):
            self.problems.append(f"{section}.default: must be a code")
            default = None
        unknown = set(table) - {"column", "match", "lookup", "lookup_file", "default"}
        if unknown:
            self.problems.append(f"{section}: unknown keys {sorted(unknown)}")
        if column is None:
            return None
        return LookupColumn(column=column, match=tuple(match), lookup=lookup, default=default)

    def _lookup_file(self, section: str, name: object) -> dict[str, str]:
        if not isinstance(name, str) or not name:
            self.problems.append(f"{section}.lookup_file: a file name next to the mapping")
            return {}
        path = (self.base_dir / name).resolve()
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(f"{section}.lookup_file: cannot read {name}: {exc}")
            return {}
        table: dict[str, str] = {}
        for number, row in enumerate(rows[1:], start=2):  # first row is the header
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                self.problems.append(f"{section}.lookup_file: {name} row {number} needs a value and a code")
                continue
            table[row[0].strip()] = row[1].strip()
        return table

    def handling(self, table: dict[str, Any] | None, default_formats: tuple[str, ...]) -> Handling:
        if table is None:
            return Handling()
        minutes = self.text_in(table, "handling", "minutes")
        start_columns = table.get("start")
        end_columns = table.get("end")
        formats = self.formats(table, "handling", default_formats)
        if minutes and (start_columns or end_columns):
            self.problems.append('handling: give either minutes = "column" or start and end, not both')
        if bool(start_columns) != bool(end_columns):
            self.problems.append("handling: start and end go together")
        if not minutes and not start_columns:
            self.problems.append('handling: give minutes = "column" or start = "..." and end = "..."')
        start = (
            self.time({"columns": start_columns, "formats": list(formats)}, "handling.start") if start_columns else None
        )
        end = self.time({"columns": end_columns, "formats": list(formats)}, "handling.end") if end_columns else None
        unknown = set(table) - {"minutes", "start", "end", "format", "formats"}
        if unknown:
            self.problems.append(f"handling: unknown keys {sorted(unknown)}")
        return Handling(minutes_column=minutes, start=start, end=end)
