"""The demo county's organisation as org files, imported through the same path as a real county's.

seed_demo generates the county as plain records (workload.demo.generate), writes them here in
Jingli's layout, and imports the files with orgdata.services.org_import, adding what is new and
leaving what planners changed since as it is.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from orgdata.files import write_csv
from orgdata.layouts import KIND_BY_NAME
from orgdata.models import OrgBatch, OrgBatchStatus
from orgdata.services import OrgImportRefused, org_import
from stations.models import Unit
from workload.demo.generate import DemoCounty


def _unit_kind(station_kinds: dict[str, str], station: str, wanted: str) -> str:
    return "department" if station_kinds[station] == "department" else wanted


def demo_org_tables(county: DemoCounty) -> dict[str, list[dict[str, Any]]]:
    """The demo county as rows of each kind, keyed by the layout's field names."""
    kinds = {s.code: s.kind for s in county.stations}
    unit_names = dict(Unit.Kind.choices)
    area_names = {(station, code): name for station, code, name in county.police_areas}
    tables: dict[str, list[dict[str, Any]]] = {
        "stations": [{**s.__dict__, "county": county.code, "county_name": county.name} for s in county.stations],
        "units": [
            {"station": s.code, "kind": kind, "name": s.name if kind == "department" else str(unit_names[kind])}
            for s in county.stations
            for kind in (("department",) if s.kind == "department" else Unit.STATION_KINDS)
        ],
        "communities": [
            {
                **c.__dict__,
                "station": c.station_code,
                "police_area": c.police_area_code,
                "police_area_name": area_names[(c.station_code, c.police_area_code)],
            }
            for c in county.communities
        ],
        "people": [],
        "history": [],
        "leaves": [leave.__dict__ for leave in county.leaves],
    }
    for p in county.people:
        tables["people"].append(
            {
                **p.__dict__,
                "station": p.station_code,
                "unit": p.unit_kind,
                "investigator": p.is_investigator,
                "assigned_since": p.post_since if p.previous_placement is not None else p.hire_date,
            }
        )
        if p.previous_placement is not None and p.hire_date < p.post_since:
            station, unit = p.previous_placement
            tables["history"].append(
                {
                    "number": p.number,
                    "station": station,
                    "unit": _unit_kind(kinds, station, unit),
                    "start_date": p.hire_date,
                    "end_date": p.post_since,
                    "reason": "",
                }
            )
    return tables


def demo_org_write(county: DemoCounty, directory: Path) -> None:
    for kind, rows in demo_org_tables(county).items():
        names = KIND_BY_NAME[kind].names
        write_csv(directory / f"{kind}.csv", names, [[row.get(n) for n in names] for row in rows])


def demo_org_load(county: DemoCounty) -> OrgBatch:
    """Write the county's org files and import them, adding only what is not stored yet."""
    dates = [d for p in county.people for d in (p.hire_date, p.post_since)]
    as_of = max([timezone.localdate(), *dates])
    with tempfile.TemporaryDirectory(prefix=f"jingli-demo-{county.code}-") as tmp:
        directory = Path(tmp) / f"{county.code.lower()}-organisation"
        directory.mkdir()
        demo_org_write(county, directory)
        batch = org_import(path=directory, update_existing=False, as_of=as_of, effective_date=as_of)
    if batch.status != OrgBatchStatus.STORED:
        shown = "; ".join(
            f"{e['file']} row {e['row']} {e['column']}={e['value']!r}: {e['reason']}" for e in batch.errors[:5]
        )  # noqa: E501
        raise OrgImportRefused(f"the demo's org files were refused: {batch.message} {shown}")
    return batch


def demo_stats(batch: OrgBatch) -> dict[str, int]:
    counts = batch.applied.get("counts", {})
    return {
        "stations": counts.get("stations", {}).get("added", 0),
        "communities": counts.get("communities", {}).get("added", 0),
        "people": counts.get("people", {}).get("added", 0),
        "assignments": int(batch.applied.get("assignments_created", 0)),
        "leaves": counts.get("leaves", {}).get("added", 0),
    }


__all__ = ["demo_org_load", "demo_org_tables", "demo_org_write", "demo_stats"]
