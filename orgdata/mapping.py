"""Org mappings: how another system's organisation spreadsheets map onto Jingli's layouts.

The same mechanism as incident mappings (docs/import-mappings.md): a small TOML text, in a file or
saved in the database and edited in the admin, parsed strictly with every problem reported at once.
Jingli's own layout is the shipped mapping "jingli"; a mapping only says what differs from it.

    name = "county-hr"
    date_formats = ["%Y年%m月%d日", "%Y.%m.%d"]
    [people]
    sheet = "人员"                      # the sheet of a workbook, or the CSV file's name
    columns = { number = "警号", name = "姓名" }
    values.kind = { "民警" = "officer", "勤务辅警" = "aux_duty" }
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orgdata.layouts import CHOICE, KIND_BY_NAME, KINDS
from workload.mapping import ENCODINGS, MappingError

SHIPPED_DIR = Path(__file__).resolve().parent / "mappings"
# Always understood after the mapping's own formats: ISO dates, and what spreadsheets give for date cells.
ISO_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d")

__all__ = ["KindMapping", "MappingError", "OrgMapping", "load_org_mapping_file", "parse_org_mapping"]


@dataclass(frozen=True)
class KindMapping:
    kind: str
    sheet: str  # sheet name in a workbook; also matches a CSV file named <sheet>.csv
    columns: dict[str, str]  # Jingli field -> column in the file
    values: dict[str, dict[str, str]]  # Jingli field -> value in the file -> Jingli code

    def column(self, field_name: str) -> str:
        return self.columns.get(field_name, field_name)


@dataclass(frozen=True)
class OrgMapping:
    name: str
    description: str
    encoding: str
    date_formats: tuple[str, ...]
    empty: frozenset[str]
    list_separators: tuple[str, ...]
    kinds: dict[str, KindMapping]
    text: str = field(repr=False, compare=False, default="")


def load_org_mapping_file(path: Path) -> OrgMapping:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"cannot read mapping file {path}: {exc}"]) from None
    return parse_org_mapping(text, default_name=path.stem)


def shipped_org_mapping_names() -> list[str]:
    return sorted(p.stem for p in SHIPPED_DIR.glob("*.toml"))


def parse_org_mapping(text: str, *, default_name: str = "") -> OrgMapping:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError([f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    top = {"name", "description", "encoding", "date_formats", "empty", "list_separators", *KIND_BY_NAME}
    problems += [f"unknown key {key!r}" for key in raw if key not in top]
    name = _string(raw, "name", default_name, problems) or default_name
    encoding = _string(raw, "encoding", "auto", problems)
    if encoding not in ENCODINGS:
        problems.append(f"encoding: {encoding!r} is not one of {', '.join(ENCODINGS)}")
    formats = _strings(raw, "date_formats", [], problems)
    if any("%" not in f for f in formats):
        problems.append('date_formats: strptime formats such as "%Y-%m-%d" or "%Y年%m月%d日"')
    empty = _strings(raw, "empty", ["", "无", "-", "N/A"], problems)
    separators = _strings(raw, "list_separators", [";", "；", "、", ","], problems)
    kinds = {kind.name: _kind(kind.name, raw.get(kind.name), problems) for kind in KINDS}
    if problems:
        raise MappingError(problems)
    return OrgMapping(
        name=name,
        description=_string(raw, "description", "", problems),
        encoding=encoding,
        date_formats=tuple(dict.fromkeys([*formats, *ISO_DATE_FORMATS])),
        empty=frozenset(empty) | {""},
        list_separators=tuple(s for s in separators if s),
        kinds=kinds,
        text=text,
    )


def _string(raw: dict[str, Any], key: str, default: str, problems: list[str]) -> str:
    value = raw.get(key, default)
    if not isinstance(value, str):
        problems.append(f"{key}: must be a string")
        return default
    return value


def _strings(raw: dict[str, Any], key: str, default: list[str], problems: list[str]) -> list[str]:
    value = raw.get(key, default)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(f"{key}: must be a list of strings")
        return default
    return value


def _kind(name: str, table: object, problems: list[str]) -> KindMapping:
    kind = KIND_BY_NAME[name]
    if table is None:
        return KindMapping(kind=name, sheet=name, columns={}, values={})
    if not isinstance(table, dict):
        problems.append(f"{name}: must be a table, e.g. [{name}] with columns = {{ ... }}")
        return KindMapping(kind=name, sheet=name, columns={}, values={})
    problems += [f"{name}: unknown key {key!r}" for key in table if key not in {"sheet", "columns", "values"}]
    sheet = table.get("sheet", name)
    if not isinstance(sheet, str) or not sheet:
        problems.append(f"{name}.sheet: must be a non-empty string")
        sheet = name
    columns = table.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) and v for v in columns.values()):
        problems.append(f'{name}.columns: a table of field = "column in the file"')
        columns = {}
    problems += [
        f"{name}.columns: {key!r} is not a field of {name} (fields: {', '.join(kind.names)})"
        for key in columns
        if key not in kind.names
    ]
    taken = [c for c in columns.values() if list(columns.values()).count(c) > 1]
    if taken:
        problems.append(f"{name}.columns: one column read for two fields: {sorted(set(taken))}")
    values = table.get("values", {})
    checked: dict[str, dict[str, str]] = {}
    if not isinstance(values, dict):
        problems.append(f'{name}.values: a table per field of "value in the file" = "Jingli code"')
        values = {}
    for field_name, table_of_values in values.items():
        if field_name not in kind.names or kind.field(field_name).value_type != CHOICE:
            choice_fields = [f.name for f in kind.fields if f.value_type == CHOICE]
            shown = ", ".join(choice_fields)
            problems.append(f"{name}.values: {field_name!r} is not a choice field of {name} ({shown})")
            continue
        if not isinstance(table_of_values, dict) or not all(isinstance(v, str) for v in table_of_values.values()):
            problems.append(f'{name}.values.{field_name}: a table of "value in the file" = "Jingli code"')
            continue
        choices = kind.field(field_name).choices
        allowed: set[str] = set(choices.values) if choices else set()
        wrong = sorted(v for v in table_of_values.values() if v not in allowed)
        if wrong:
            codes = ", ".join(sorted(allowed))
            problems.append(f"{name}.values.{field_name}: {wrong} are not codes of {field_name} ({codes})")
            continue
        checked[field_name] = {str(k): v for k, v in table_of_values.items()}
    return KindMapping(kind=name, sheet=sheet, columns=dict(columns), values=checked)
