"""Org mappings: strict parsing that reports every mistake at once; saved mappings work like files."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgdata.mapping import MappingError, parse_org_mapping
from orgdata.models import OrgBatchStatus, OrgMapping
from orgdata.services import org_mapping_resolve
from tests.orgdata.conftest import run_import

SHIPPED = Path(__file__).resolve().parents[2] / "orgdata" / "mappings"
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"


def test_every_mistake_is_reported_at_once() -> None:
    text = """
    colour = "red"
    encoding = "latin-1"
    date_formats = ["YYYY-MM-DD"]
    [people]
    sheet = ""
    columns = { rank = "警衔", grade = "职级", name = "警衔" }
    values.post = { "所长" = "boss" }
    values.name = { "a" = "b" }
    """
    with pytest.raises(MappingError) as raised:
        parse_org_mapping(text)
    problems = "\n".join(raised.value.problems)
    for expected in (
        "unknown key 'colour'",
        "encoding: 'latin-1'",
        "date_formats",
        "people.sheet",
        "'grade' is not a field of people",
        "one column read for two fields: ['警衔']",
        "people.values.post: ['boss'] are not codes of post",
        "'name' is not a choice field of people",
    ):
        assert expected in problems


def test_the_shipped_mappings_parse() -> None:
    for path in SHIPPED.glob("*.toml"):
        mapping = parse_org_mapping(path.read_text(encoding="utf-8"), default_name=path.stem)
        assert mapping.name == path.stem and set(mapping.kinds) >= {"stations", "people", "leaves"}


@pytest.mark.django_db
def test_a_mapping_saved_in_the_database_is_used_by_name() -> None:
    OrgMapping.objects.create(name="hr-saved", definition=(SHIPPED / "county-hr.toml").read_text(encoding="utf-8"))
    name, mapping = org_mapping_resolve("hr-saved")
    assert name == "hr-saved" and mapping.kinds["people"].column("number") == "警号"
    batch = run_import(EXAMPLES / "county-hr", mapping_name="hr-saved")
    assert batch.status == OrgBatchStatus.STORED and batch.mapping_name == "hr-saved"
    with pytest.raises(MappingError, match="known mappings: county-hr, hr-saved, jingli"):
        org_mapping_resolve("nope")
