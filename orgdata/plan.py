"""Check an organisation file against the county as stored, and work out what importing it would change.

Pure: sheets of text and a snapshot of the stored county (plain dicts) in, a Plan out: the typed rows
that may be stored, every row-level error (file, sheet, row, column, value, reason), and the
differences (added, changed field by field, people missing from a full export). No ORM here, so the
rules are tested on literal data and the dry run and the real import cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from orgdata.files import Sheet, unescape
from orgdata.layouts import BOOL, CHOICE, CODES, DATE, DECIMAL, INT, KIND_BY_NAME, KINDS, NEW_ROW_DEFAULTS, Field, Kind
from orgdata.mapping import KindMapping, OrgMapping
from personnel.models import OFFICER_POSTS, PersonKind, PersonStatus, Rank
from stations.models import StationKind, UnitKind

# Reason codes kept with each error; the messages are what the planner reads.
REASONS: dict[str, Any] = {
    "missing_value": _("missing required value"),
    "too_long": _("longer than the field allows"),
    "not_a_number": _("not a number"),
    "negative_number": _("negative number"),
    "not_a_date": _("not a date in any of the mapping's formats"),
    "date_in_future": _("date in the future"),
    "not_yes_no": _("not yes or no"),
    "unknown_value": _("not one of the allowed values"),
    "out_of_range": _("out of range"),
    "coordinates_incomplete": _("latitude and longitude go together"),
    "duplicate_key": _("the same row appears earlier in the file"),
    "duplicate_name": _("another station of the county has this name"),
    "unknown_county": _("unknown county (give county_name to create it)"),
    "kind_change_department": _("a station cannot become a department or the reverse"),
    "unknown_station": _("unknown station"),
    "unit_kind_for_place": _("this kind of unit does not exist at this kind of place"),
    "community_at_department": _("a bureau department has no jurisdiction"),
    "households_above_population": _("more households than residents"),
    "unknown_unit": _("the station has no such unit"),
    "person_in_two_places": _("the same person earlier in the file at another place"),
    "officer_post_for_auxiliary": _("an auxiliary cannot hold an officer-only post"),
    "rank_for_auxiliary": _("auxiliaries carry no rank"),
    "enforcement_for_auxiliary": _("auxiliaries have no law-enforcement qualification"),
    "officer_qualification_for_auxiliary": _("an officer-only qualification given to an auxiliary"),
    "auxiliary_post_for_officer": _("an officer cannot hold an auxiliary post"),
    "rank_missing": _("an officer needs a rank"),
    "unknown_qualification": _("unknown qualification"),
    "hire_before_birth": _("hired before birth"),
    "post_before_hire": _("in post before being hired"),
    "seconded_to_without_secondment": _("a place of secondment for someone not seconded"),
    "assignment_before_hire": _("assigned before being hired"),
    "move_before_history": _("the effective date is before the person's latest assignment"),
    "unknown_person": _("unknown person (or the person's row has errors)"),
    "end_not_after_start": _("the end is not after the start"),
    "end_before_start": _("the end is before the start"),
    "history_overlap": _("overlaps another assignment of the person"),
}

# Plain strings and sets, looked up once: enum properties cost a call each, per cell of every row.
OFFICER_POST_CODES = frozenset(str(p.value) for p in OFFICER_POSTS)
RANK_CODES = frozenset(Rank.values)
LEFT, SECONDED = str(PersonStatus.LEFT.value), str(PersonStatus.SECONDED.value)
OFFICER, DEPARTMENT = str(PersonKind.OFFICER.value), str(StationKind.DEPARTMENT.value)

YES = {"yes", "y", "true", "1", "是", "√", "✓"}
NO = {"no", "n", "false", "0", "否", "×", ""}

Key = tuple[Any, ...]
Record = dict[str, Any]


@dataclass(frozen=True)
class RowError:
    file: str
    sheet: str
    row: int
    column: str
    value: str
    reason: str

    @property
    def message(self) -> str:
        return str(REASONS.get(self.reason, self.reason))

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass
class Snapshot:
    """The stored county as plain data, keyed like the layouts (codes, numbers, never database ids)."""

    counties: dict[str, str] = field(default_factory=dict)
    stations: dict[Key, Record] = field(default_factory=dict)
    units: dict[Key, Record] = field(default_factory=dict)
    police_areas: dict[tuple[str, str], str] = field(default_factory=dict)
    communities: dict[Key, Record] = field(default_factory=dict)
    people: dict[Key, Record] = field(default_factory=dict)  # with station, unit, assigned_since in force
    latest_start: dict[str, dt.date] = field(default_factory=dict)  # number -> start of the latest assignment
    history: dict[Key, Record] = field(default_factory=dict)
    leaves: dict[Key, Record] = field(default_factory=dict)
    qualifications: dict[str, bool] = field(default_factory=dict)  # code -> officers only
    qualification_names: dict[str, str] = field(default_factory=dict)  # any spelling -> code

    def of(self, kind: str) -> dict[Key, Record]:
        return {
            "stations": self.stations,
            "units": self.units,
            "communities": self.communities,
            "people": self.people,
            "history": self.history,
            "leaves": self.leaves,
        }[kind]


@dataclass(frozen=True)
class Options:
    as_of: dt.date  # dates after this day are "in the future"
    effective_date: dt.date  # the day moves and departures take effect
    full: bool = False  # the file lists every person of its counties: report the others as missing
    update_existing: bool = True  # False: add new rows only, leave stored ones as they are


@dataclass
class KindPlan:
    kind: str
    present: set[str] = field(default_factory=set)  # fields the file gives a column for
    read: int = 0  # rows in the file (blank lines aside)
    rows: dict[Key, Record] = field(default_factory=dict)  # valid rows, merged over what is stored
    origin: dict[Key, tuple[str, str, int]] = field(default_factory=dict)  # file, sheet, row
    added: list[Key] = field(default_factory=list)
    changed: dict[Key, dict[str, tuple[Any, Any]]] = field(default_factory=dict)
    unchanged: int = 0
    ignored: int = 0  # history rows of people already stored: history is never rewritten
    rejected: int = 0


@dataclass
class Plan:
    kinds: dict[str, KindPlan]
    errors: list[RowError]
    new_counties: dict[str, str]
    missing: list[Record]  # people of a full export's counties the file does not list
    options: Options

    @property
    def has_errors(self) -> bool:
        return bool(self.errors)

    def counts(self) -> dict[str, dict[str, int]]:
        result = {}
        for name, kind in self.kinds.items():
            result[name] = {
                "rows": kind.read,
                "added": len(kind.added),
                "changed": len(kind.changed),
                "unchanged": kind.unchanged,
                "ignored": kind.ignored,
                "rejected": kind.rejected,
            }
        result["people"]["missing"] = len(self.missing)
        return result

    def differences(self) -> dict[str, Any]:
        """What the preview shows: every added key, every change field by field, every missing person."""
        result: dict[str, Any] = {}
        for name, kind in self.kinds.items():
            if not (kind.added or kind.changed):
                continue
            result[name] = {
                "added": [_label(name, key, kind.rows[key]) for key in kind.added],
                "changed": [
                    {
                        **_label(name, key, kind.rows[key]),
                        "fields": {f: [_shown(old), _shown(new)] for f, (old, new) in changes.items()},
                    }
                    for key, changes in kind.changed.items()
                ],
            }
        result["missing"] = [
            {"key": p["number"], "name": p["name"], "station": p["station"], "unit": p["unit"]} for p in self.missing
        ]
        return result


def _shown(value: Any) -> Any:
    if isinstance(value, tuple):
        return ";".join(str(v) for v in value)
    if isinstance(value, dt.date | Decimal):
        return str(value)
    return value


def _label(kind: str, key: Key, row: Record) -> dict[str, Any]:
    return {"key": "/".join(str(k) for k in key), "name": str(row.get("name", ""))}


# --- Reading cells -------------------------------------------------------------------------------


class _Choices:
    """Every accepted spelling of each choice: code, English and Chinese labels (any case)."""

    def __init__(self) -> None:
        self.cache: dict[type[models.TextChoices], dict[str, str]] = {}

    def of(self, choices: type[models.TextChoices]) -> dict[str, str]:
        if choices not in self.cache:
            spellings: dict[str, str] = {}
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    spellings.update({str(label).lower(): code for code, label in choices.choices})
            spellings.update({code.lower(): code for code in choices.values})
            self.cache[choices] = spellings
        return self.cache[choices]


class _Reader:
    def __init__(self, mapping: OrgMapping, snapshot: Snapshot, options: Options) -> None:
        self.mapping = mapping
        self.snapshot = snapshot
        self.options = options
        self.choices = _Choices()
        self.iso_first = mapping.date_formats[0] == "%Y-%m-%d"

    def value(self, spec: Field, raw: str, kind_mapping: KindMapping) -> tuple[Any, str | None]:
        """The typed value of a cell, or the reason it has none. Empty cells are None."""
        text = unescape(raw.strip())
        if text in self.mapping.empty:
            return None, ("missing_value" if spec.required else None)
        if spec.value_type == INT:
            try:
                number = Decimal(text.replace(",", ""))
            except InvalidOperation:
                return None, "not_a_number"
            if not number.is_finite() or number != number.to_integral_value():
                return None, "not_a_number"
            return (int(number), None) if number >= 0 else (None, "negative_number")
        if spec.value_type == DECIMAL:
            try:
                number = Decimal(text)
            except InvalidOperation:
                return None, "not_a_number"
            if not number.is_finite():
                return None, "not_a_number"
            number = number.quantize(Decimal(1).scaleb(-spec.digits[1]))
            if spec.bounds and not spec.bounds[0] <= number <= spec.bounds[1]:
                return None, "out_of_range"
            return number, None
        if spec.value_type == DATE:
            if self.iso_first and len(text) == 10:
                # Most cells are ISO dates; fromisoformat is many times faster than strptime.
                try:
                    day = dt.date.fromisoformat(text)
                except ValueError:
                    pass
                else:
                    return (None, "date_in_future") if spec.past and day > self.options.as_of else (day, None)
            for fmt in self.mapping.date_formats:
                try:
                    day = dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar day, no time
                except ValueError:
                    continue
                if spec.past and day > self.options.as_of:
                    return None, "date_in_future"
                return day, None
            return None, "not_a_date"
        if spec.value_type == BOOL:
            lowered = text.lower()
            if lowered in YES:
                return True, None
            if lowered in NO:
                return False, None
            return None, "not_yes_no"
        if spec.value_type == CHOICE:
            assert spec.choices is not None  # noqa: S101 - every choice field names its choices
            own = kind_mapping.values.get(spec.name, {})
            if text in own:
                return own[text], None
            code = self.choices.of(spec.choices).get(text.lower())
            return (code, None) if code is not None else (None, "unknown_value")
        if spec.value_type == CODES:
            codes = [text]
            for separator in self.mapping.list_separators:
                codes = [part for piece in codes for part in piece.split(separator)]
            resolved = []
            for part in (p.strip() for p in codes):
                if not part:
                    continue
                code = self.snapshot.qualification_names.get(part.lower())
                if code is None:
                    return None, "unknown_qualification"
                resolved.append(code)
            return tuple(sorted(set(resolved))), None
        if spec.max_length and len(text) > spec.max_length:
            return None, "too_long"
        return text, None


@dataclass
class _Row:
    number: int
    cells: dict[str, str]  # field -> the cell as in the file
    values: Record
    errors: list[tuple[str, str]]  # (field, reason)


def _rows(sheet: Sheet, kind: Kind, kind_mapping: KindMapping, reader: _Reader) -> tuple[set[str], list[_Row]]:
    columns = set(sheet.frame.columns)
    present = {f.name for f in kind.fields if kind_mapping.column(f.name) in columns}
    missing = [kind_mapping.column(f) for f in kind.required if f not in present]
    if missing:
        from workload.reader import FileProblem

        where = f"{sheet.file}{' › ' + sheet.sheet if sheet.sheet else ''}"
        raise FileProblem(
            _("%(where)s (%(kind)s): columns missing: %(missing)s")
            % {"where": where, "kind": kind.name, "missing": ", ".join(map(repr, missing))}
        )
    fields = [kind.field(name) for name in kind.names if name in present]
    frame = sheet.frame[[kind_mapping.column(f.name) for f in fields]]
    rows = []
    for offset, cells in enumerate(frame.itertuples(index=False, name=None)):
        if all(not str(c).strip() for c in cells):
            continue  # blank lines are not rows
        row = _Row(sheet.first_row + offset, {}, {}, [])
        for spec, raw in zip(fields, cells, strict=True):
            row.cells[spec.name] = str(raw)
            value, reason = reader.value(spec, str(raw), kind_mapping)
            row.values[spec.name] = value
            if reason:
                row.errors.append((spec.name, reason))
        rows.append(row)
    return present, rows


# --- The checks, kind by kind --------------------------------------------------------------------


class _Checker:
    def __init__(self, sheets: list[Sheet], mapping: OrgMapping, snapshot: Snapshot, options: Options) -> None:
        self.sheets = {s.kind: s for s in sheets}
        self.mapping = mapping
        self.snapshot = snapshot
        self.options = options
        self.reader = _Reader(mapping, snapshot, options)
        self.errors: list[RowError] = []
        self.kinds = {k.name: KindPlan(k.name) for k in KINDS}
        self.new_counties: dict[str, str] = {}
        self.file_numbers: set[str] = set()  # every person number in the file, valid row or not
        self.file_counties: set[str] = set()

    # Shared helpers.
    def fail(self, sheet: Sheet, kind: str, row: _Row, field_name: str, reason: str) -> None:
        column = self.mapping.kinds[kind].column(field_name)
        self.errors.append(RowError(sheet.file, sheet.sheet, row.number, column, row.cells.get(field_name, ""), reason))

    def read(self, kind: Kind) -> tuple[Sheet | None, list[_Row]]:
        sheet = self.sheets.get(kind.name)
        if sheet is None:
            return None, []
        present, rows = _rows(sheet, kind, self.mapping.kinds[kind.name], self.reader)
        self.kinds[kind.name].present = present
        self.kinds[kind.name].read = len(rows)
        return sheet, rows

    def accept(self, sheet: Sheet, kind: Kind, row: _Row, key: Key, stored: Record | None) -> None:
        """Record a checked row: merged over what is stored, then compared with it."""
        plan = self.kinds[kind.name]
        present = plan.present
        if row.errors:
            for field_name, reason in row.errors:
                self.fail(sheet, kind.name, row, field_name, reason)
            plan.rejected += 1
            return
        if stored is None:
            merged = {**NEW_ROW_DEFAULTS[kind.name], **{k: v for k, v in row.values.items() if v is not None}}
            merged.update({k: v for k, v in row.values.items() if k in present and k not in merged})
            plan.added.append(key)
        else:
            merged = {**stored, **{k: row.values[k] for k in present}}
            for k in present:
                if merged[k] is None and k in NEW_ROW_DEFAULTS[kind.name]:
                    merged[k] = NEW_ROW_DEFAULTS[kind.name][k]
            changes = {
                k: (stored.get(k), merged[k])
                for k in kind.names
                if k in present and k in stored and stored.get(k) != merged[k] and k not in _NOT_COMPARED
            }
            if changes:
                plan.changed[key] = changes
            else:
                plan.unchanged += 1
        plan.rows[key] = merged
        plan.origin[key] = (sheet.file, sheet.sheet, row.number)

    def duplicate(self, seen: dict[Key, _Row], key: Key, row: _Row, field_name: str) -> bool:
        if key in seen:
            row.errors.append((field_name, "duplicate_key"))
            return True
        seen[key] = row
        return False

    # Kinds.
    def stations(self) -> None:
        kind = KIND_BY_NAME["stations"]
        sheet, rows = self.read(kind)
        seen: dict[Key, _Row] = {}
        names: dict[tuple[Any, Any], Any] = {
            (s["county"], s["name"]): code for (code,), s in self.snapshot.stations.items()
        }
        for row in rows:
            assert sheet is not None  # noqa: S101 - rows come from a sheet
            values = row.values
            code = values.get("code")
            self.duplicate(seen, (code,), row, "code")
            stored = self.snapshot.stations.get((code,))
            county = values.get("county")
            if county and county not in self.snapshot.counties and county not in self.new_counties:
                if values.get("county_name"):
                    self.new_counties[county] = values["county_name"]
                else:
                    row.errors.append(("county", "unknown_county"))
            if (values.get("latitude") is None) != (values.get("longitude") is None) and not row.errors:
                lacking = "longitude" if values.get("longitude") is None else "latitude"
                row.errors.append((lacking, "coordinates_incomplete"))
            if (
                stored is not None
                and values.get("kind")
                and ((stored["kind"] == DEPARTMENT) != (values["kind"] == DEPARTMENT))
            ):
                row.errors.append(("kind", "kind_change_department"))
            name = values.get("name")
            holder = names.get((county, name))
            if name and holder is not None and holder != code:
                row.errors.append(("name", "duplicate_name"))
            elif name:
                names[(county, name)] = code
            if county:
                self.file_counties.add(county)
            self.accept(sheet, kind, row, (code,), stored)

    def station_of(self, code: str) -> Record | None:
        return self.kinds["stations"].rows.get((code,)) or self.snapshot.stations.get((code,))

    def unit_exists(self, station: str, unit_kind: str) -> bool:
        if (station, unit_kind) in self.kinds["units"].rows or (station, unit_kind) in self.snapshot.units:
            return True
        place = self.kinds["stations"].rows.get((station,))
        return (
            place is not None
            and (station,) in self.kinds["stations"].added
            and unit_kind in standard_unit_kinds(place["kind"])
        )

    def units(self) -> None:
        kind = KIND_BY_NAME["units"]
        sheet, rows = self.read(kind)
        seen: dict[Key, _Row] = {}
        for row in rows:
            assert sheet is not None  # noqa: S101
            station, unit_kind = row.values.get("station"), row.values.get("kind")
            self.duplicate(seen, (station, unit_kind), row, "kind")
            place = self.station_of(station) if station else None
            if station and place is None:
                row.errors.append(("station", "unknown_station"))
            elif place is not None and unit_kind and unit_kind not in standard_unit_kinds(place["kind"]):
                row.errors.append(("kind", "unit_kind_for_place"))
            self.accept(sheet, kind, row, (station, unit_kind), self.snapshot.units.get((station, unit_kind)))

    def communities(self) -> None:
        kind = KIND_BY_NAME["communities"]
        sheet, rows = self.read(kind)
        seen: dict[Key, _Row] = {}
        for row in rows:
            assert sheet is not None  # noqa: S101
            values = row.values
            code, station = values.get("code"), values.get("station")
            self.duplicate(seen, (code,), row, "code")
            place = self.station_of(station) if station else None
            if station and place is None:
                row.errors.append(("station", "unknown_station"))
            elif place is not None and place["kind"] == DEPARTMENT:
                row.errors.append(("station", "community_at_department"))
            residents, households = values.get("resident_population"), values.get("households")
            if residents is not None and households is not None and households > residents:
                row.errors.append(("households", "households_above_population"))
            self.accept(sheet, kind, row, (code,), self.snapshot.communities.get((code,)))

    def people(self) -> None:
        kind = KIND_BY_NAME["people"]
        sheet, rows = self.read(kind)
        seen: dict[str, _Row] = {}
        for row in rows:
            assert sheet is not None  # noqa: S101
            values = row.values
            number = values.get("number")
            stored = self.snapshot.people.get((number,))
            # The person as storing the row would leave them: an empty optional cell means its default.
            defaults = NEW_ROW_DEFAULTS["people"]
            person = {**(stored or defaults)}
            person.update({k: defaults.get(k) if v is None else v for k, v in values.items()})
            if number:
                self.file_numbers.add(number)
                earlier = seen.get(number)
                if earlier is not None:
                    same_place = all(earlier.values.get(f) == values.get(f) for f in ("station", "unit"))
                    row.errors.append(("number", "duplicate_key" if same_place else "person_in_two_places"))
                else:
                    seen[number] = row
            left = person.get("status") == LEFT
            if left:  # people who left have no place; their history keeps where they were
                row.errors = [e for e in row.errors if not (e[0] in ("station", "unit") and e[1] == "missing_value")]
            station, unit = values.get("station"), values.get("unit")
            place = self.station_of(station) if station else None
            if station and place is None:
                row.errors.append(("station", "unknown_station"))
            elif station and place is not None and unit and not self.unit_exists(station, unit):
                row.errors.append(("unit", "unknown_unit"))
            if place is not None:
                self.file_counties.add(place["county"])
            if stored is None or self.options.update_existing:  # adding only: stored people stay as they are
                row.errors += _person_rules(person, stored, self.snapshot)
            moved = stored is not None and (stored.get("station"), stored.get("unit")) != (station or "", unit or "")
            moved = moved and self.options.update_existing  # adding only: stored placements stay as they are
            latest = self.snapshot.latest_start.get(number or "")
            if moved and latest is not None and self.options.effective_date <= latest:
                row.errors.append(("station", "move_before_history"))
            values["station"], values["unit"] = station or "", unit or ""
            self.accept(sheet, kind, row, (number,), stored)

    def history(self) -> None:
        kind = KIND_BY_NAME["history"]
        sheet, rows = self.read(kind)
        plan = self.kinds["history"]
        people = self.kinds["people"]
        seen: dict[Key, _Row] = {}
        by_key: dict[Key, _Row] = {}
        added_people = set(people.added)
        for row in rows:
            assert sheet is not None  # noqa: S101
            values = row.values
            number, start, end = values.get("number"), values.get("start_date"), values.get("end_date")
            self.duplicate(seen, (number, start), row, "start_date")
            if (number,) in self.snapshot.people and not row.errors:
                # The history of people already stored is Jingli's; moves come through the people sheet.
                if (number, start) in self.snapshot.history:
                    plan.unchanged += 1
                else:
                    plan.ignored += 1
                continue
            person = people.rows.get((number,)) if (number,) in added_people else None
            if number and person is None:
                row.errors.append(("number", "unknown_person"))
            station, unit = values.get("station"), values.get("unit")
            if station and self.station_of(station) is None:
                row.errors.append(("station", "unknown_station"))
            elif station and unit and not self.unit_exists(station, unit):
                row.errors.append(("unit", "unknown_unit"))
            if start and end and end <= start:
                row.errors.append(("end_date", "end_not_after_start"))
            if person is not None and start and start < person["hire_date"]:
                row.errors.append(("start_date", "assignment_before_hire"))
            self.accept(sheet, kind, row, (number, start), None)
            by_key[(number, start)] = row
        # Past assignments of one person follow one another and end before the one in force.
        by_person: dict[str, list[Key]] = defaultdict(list)
        for key in plan.rows:
            by_person[key[0]].append(key)
        for number, keys in by_person.items():
            person = people.rows[(number,)]
            bound = (person.get("assigned_since") or person["hire_date"]) if person.get("station") else None
            previous_end: dt.date | None = None
            for key in sorted(keys, key=lambda k: k[1]):
                past = plan.rows[key]
                overlaps = (previous_end is not None and past["start_date"] < previous_end) or (
                    bound is not None and past["end_date"] > bound
                )
                if overlaps:
                    assert sheet is not None  # noqa: S101
                    self.fail(sheet, "history", by_key[key], "start_date", "history_overlap")
                    del plan.rows[key]
                    plan.added.remove(key)
                    plan.rejected += 1
                    continue
                previous_end = past["end_date"]

    def leaves(self) -> None:
        kind = KIND_BY_NAME["leaves"]
        sheet, rows = self.read(kind)
        seen: dict[Key, _Row] = {}
        for row in rows:
            assert sheet is not None  # noqa: S101
            values = row.values
            number, start, end = values.get("number"), values.get("start_date"), values.get("end_date")
            key = (number, values.get("kind"), start)
            self.duplicate(seen, key, row, "start_date")
            if number and (number,) not in self.snapshot.people and (number,) not in self.kinds["people"].rows:
                row.errors.append(("number", "unknown_person"))
            if start and end and end < start:
                row.errors.append(("end_date", "end_before_start"))
            self.accept(sheet, kind, row, key, self.snapshot.leaves.get(key))

    def missing(self) -> list[Record]:
        if not self.options.full:
            return []
        result = []
        for (number,), person in sorted(self.snapshot.people.items()):
            if person["status"] == LEFT or number in self.file_numbers or not person.get("station"):
                continue
            place = self.station_of(person["station"])
            if place is not None and place["county"] in self.file_counties:
                result.append({"number": number, **person})
        return result


_NOT_COMPARED = {"county", "county_name", "assigned_since", "police_area_name"}


STATION_UNITS = tuple(str(k.value) for k in (UnitKind.LEADERSHIP, UnitKind.COMMUNITY, UnitKind.CASE, UnitKind.COMMAND))
DEPARTMENT_UNITS = (str(UnitKind.DEPARTMENT.value),)


def standard_unit_kinds(station_kind: str) -> tuple[str, ...]:
    """The units every place of a kind has: "two teams and one room" plus leadership, or one office."""
    return DEPARTMENT_UNITS if station_kind == DEPARTMENT else STATION_UNITS


def _person_rules(person: Record, stored: Record | None, snapshot: Snapshot) -> list[tuple[str, str]]:
    """What must hold of a person, checked on the row merged over what is stored."""
    problems: list[tuple[str, str]] = []
    officer = person.get("kind") == OFFICER
    post = person.get("post")
    if post:
        if not officer and post in OFFICER_POST_CODES:
            problems.append(("post", "officer_post_for_auxiliary"))
        elif officer and post not in OFFICER_POST_CODES:
            problems.append(("post", "auxiliary_post_for_officer"))
    if officer and person.get("rank") not in RANK_CODES:
        problems.append(("rank", "rank_missing"))
    if not officer and person.get("rank"):
        problems.append(("rank", "rank_for_auxiliary"))
    if not officer and (person.get("law_enforcement_level") not in (None, "none") or person.get("investigator")):
        field_name = "investigator" if person.get("investigator") else "law_enforcement_level"
        problems.append((field_name, "enforcement_for_auxiliary"))
    if not officer and any(snapshot.qualifications.get(q) for q in person.get("qualifications") or ()):
        problems.append(("qualifications", "officer_qualification_for_auxiliary"))
    birth, hire, since = person.get("birth_date"), person.get("hire_date"), person.get("post_since")
    if birth and hire and hire <= birth:
        problems.append(("hire_date", "hire_before_birth"))
    if hire and since and since < hire:
        problems.append(("post_since", "post_before_hire"))
    assigned = person.get("assigned_since")
    if stored is None and hire and assigned and assigned < hire:
        problems.append(("assigned_since", "assignment_before_hire"))
    if person.get("seconded_to") and person.get("status") != SECONDED:
        problems.append(("seconded_to", "seconded_to_without_secondment"))
    return problems


def plan_import(sheets: Iterable[Sheet], mapping: OrgMapping, snapshot: Snapshot, options: Options) -> Plan:
    """Check every sheet, in the order kinds refer to each other, and work out the differences."""
    checker = _Checker(list(sheets), mapping, snapshot, options)
    checker.stations()
    checker.units()
    checker.communities()
    checker.people()
    checker.history()
    checker.leaves()
    return Plan(
        kinds=checker.kinds,
        errors=checker.errors,
        new_counties=checker.new_counties,
        missing=checker.missing(),
        options=options,
    )
