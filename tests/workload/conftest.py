"""Places for the real public exports in ../shared/data/real to land in."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from stations.models import County, Station, StationAlias

# The real public exports live beside the project (../shared), where every checkout and CI has them.
SHARED = Path(os.environ.get("JINGLI_SHARED_DIR") or Path(__file__).resolve().parents[3] / "shared")
REAL = SHARED / "data" / "real"
if not REAL.is_dir():
    raise RuntimeError(f"the real data files are missing: {REAL} (set JINGLI_SHARED_DIR to the shared/ folder)")


@pytest.fixture
def san_diego_beats(db: None) -> list[str]:
    """Every San Diego beat as a station, coded SD-<beat> as the shipped mapping expects."""
    county = County.objects.create(code="SD", name="San Diego", name_en="San Diego")
    with (REAL / "sandiego" / "pd_beat_codes_list_datasd.csv").open(encoding="utf-8-sig") as handle:
        beats = [row["beat"].strip() for row in csv.DictReader(handle) if row["beat"].strip()]
    Station.objects.bulk_create(
        [Station(county=county, code=f"SD-{beat}", name=f"Beat {beat}", kind=Station.Kind.URBAN) for beat in beats]
    )
    return beats


@pytest.fixture
def seattle_sectors(db: None) -> list[str]:
    """Seattle's sectors as stations, each known by its one-letter sector code as an alias."""
    county = County.objects.create(code="SEA", name="Seattle")
    sectors = sorted(set("BCDEFGJKLMNOQRSUW"))
    for sector in sectors:
        station = Station.objects.create(county=county, code=f"SEA-{sector}", name=f"Sector {sector}", kind="urban")
        StationAlias.objects.create(station=station, alias=sector)
    return sectors


@pytest.fixture
def dallas_divisions(db: None) -> list[str]:
    county = County.objects.create(code="DAL", name="Dallas")
    divisions = ["Central", "NorthEast", "SouthEast", "SouthWest", "NorthWest", "North Central", "South Central"]
    for number, division in enumerate(divisions, start=1):
        Station.objects.create(county=county, code=f"DAL-{number}", name=division, kind="urban")
    return divisions
