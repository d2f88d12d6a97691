"""The organisation's column layouts: which kinds of rows a county file holds and what each field is.

Plain data, no ORM: the mapping, the checker and the exporter all read these definitions, so the
documented layout (docs/org-import.md), what is read and what is written cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from personnel.models import LawEnforcementLevel, LeaveKind, LeaveStatus, PersonKind, PersonStatus, Post, Rank, Sex
from stations.models import CommunityKind, StationKind, UnitKind

# Field types the checker knows how to read.
TEXT, INT, DECIMAL, DATE, BOOL, CHOICE, CODES = "text", "int", "decimal", "date", "bool", "choice", "codes"


@dataclass(frozen=True)
class Field:
    name: str
    value_type: str = TEXT
    required: bool = False
    max_length: int = 0
    choices: type[models.TextChoices] | None = None
    digits: tuple[int, int] = (0, 0)  # decimals: (max_digits, decimal_places)
    bounds: tuple[float, float] | None = None
    past: bool = False  # a date that cannot lie after the reference day


@dataclass(frozen=True)
class Kind:
    name: str
    key: tuple[str, ...]  # the natural key within Jingli
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]


STATIONS = Kind(
    "stations",
    ("code",),
    (
        Field("code", required=True, max_length=32),
        Field("name", required=True, max_length=100),
        Field("name_en", max_length=100),
        Field("kind", CHOICE, required=True, choices=StationKind),
        Field("county", required=True, max_length=32),
        Field("county_name", max_length=100),
        Field("address", max_length=200),
        Field("latitude", DECIMAL, digits=(9, 6), bounds=(-90, 90)),
        Field("longitude", DECIMAL, digits=(9, 6), bounds=(-180, 180)),
        Field("establishment_quota", INT),
        Field("auxiliary_quota", INT),
    ),
)
UNITS = Kind(
    "units",
    ("station", "kind"),
    (
        Field("station", required=True, max_length=32),
        Field("kind", CHOICE, required=True, choices=UnitKind),
        Field("name", required=True, max_length=100),
    ),
)
COMMUNITIES = Kind(
    "communities",
    ("code",),
    (
        Field("code", required=True, max_length=32),
        Field("name", required=True, max_length=100),
        Field("station", required=True, max_length=32),
        Field("police_area", max_length=32),
        Field("police_area_name", max_length=100),
        Field("kind", CHOICE, required=True, choices=CommunityKind),
        Field("resident_population", INT, required=True),
        Field("households", INT, required=True),
        Field("area_km2", DECIMAL, digits=(9, 2), bounds=(0.01, 9_999_999)),
    ),
)
PEOPLE = Kind(
    "people",
    ("number",),
    (
        Field("number", required=True, max_length=32),
        Field("name", required=True, max_length=50),
        Field("kind", CHOICE, required=True, choices=PersonKind),
        Field("sex", CHOICE, required=True, choices=Sex),
        Field("birth_date", DATE, required=True, past=True),
        Field("station", required=True, max_length=32),
        Field("unit", CHOICE, required=True, choices=UnitKind),
        Field("rank", CHOICE, choices=Rank),
        Field("post", CHOICE, required=True, choices=Post),
        Field("law_enforcement_level", CHOICE, choices=LawEnforcementLevel),
        Field("investigator", BOOL),
        Field("qualifications", CODES),
        Field("status", CHOICE, choices=PersonStatus),
        Field("seconded_to", max_length=100),
        Field("hire_date", DATE, required=True, past=True),
        Field("post_since", DATE, required=True, past=True),
        Field("assigned_since", DATE, past=True),
        Field("movable", BOOL),
    ),
)
HISTORY = Kind(
    "history",
    ("number", "start_date"),
    (
        Field("number", required=True, max_length=32),
        Field("station", required=True, max_length=32),
        Field("unit", CHOICE, required=True, choices=UnitKind),
        Field("start_date", DATE, required=True, past=True),
        Field("end_date", DATE, required=True, past=True),
        Field("reason", max_length=200),
    ),
)
LEAVES = Kind(
    "leaves",
    ("number", "kind", "start_date"),
    (
        Field("number", required=True, max_length=32),
        Field("kind", CHOICE, required=True, choices=LeaveKind),
        Field("start_date", DATE, required=True),
        Field("end_date", DATE, required=True),
        Field("status", CHOICE, choices=LeaveStatus),
        Field("reason", max_length=200),
    ),
)

# In the order they are checked and stored: each kind may refer to those before it.
KINDS: tuple[Kind, ...] = (STATIONS, UNITS, COMMUNITIES, PEOPLE, HISTORY, LEAVES)
KIND_BY_NAME = {k.name: k for k in KINDS}

# Defaults for optional fields of a new row when the file has no column for them.
NEW_ROW_DEFAULTS: dict[str, dict[str, object]] = {
    "stations": {"name_en": "", "address": "", "latitude": None, "longitude": None, "establishment_quota": 0,
                 "auxiliary_quota": 0, "county_name": ""},
    "units": {},
    "communities": {"police_area": "", "police_area_name": "", "area_km2": None},
    "people": {"rank": "", "law_enforcement_level": "none", "investigator": False, "qualifications": (),
               "status": "active", "seconded_to": "", "assigned_since": None, "movable": True},
    "history": {"reason": ""},
    "leaves": {"status": "requested", "reason": ""},
}  # fmt: skip
