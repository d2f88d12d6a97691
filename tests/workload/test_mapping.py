"""Mappings are parsed strictly: every mistake is named, all at once, before any row is read."""

from __future__ import annotations

import pytest

from workload.importer import mapping_resolve
from workload.mapping import SHIPPED_DIR, MappingError, load_mapping_file, parse_mapping, shipped_mapping_names
from workload.models import ImportMapping

MINIMAL = """
[id]
column = "id"
[received]
column = "t"
[station]
column = "s"
[category]
column = "c"
"""


def test_every_shipped_mapping_parses() -> None:
    names = shipped_mapping_names()
    assert {"jingli", "sandiego", "seattle", "dallas"} <= set(names)
    for name in names:
        mapping = load_mapping_file(SHIPPED_DIR / f"{name}.toml")
        assert mapping.columns_used()


def test_a_minimal_mapping_gets_sensible_defaults() -> None:
    mapping = parse_mapping(MINIMAL, default_name="mine")
    assert (mapping.name, mapping.source, mapping.timezone, mapping.outliers) == (
        "mine",
        "mine",
        "Asia/Shanghai",
        "flag",
    )
    assert "%Y-%m-%d %H:%M:%S" in mapping.received.formats
    assert mapping.columns_used() == ["id", "t", "s", "c"]


def test_all_problems_are_reported_together() -> None:
    text = """
    timezone = "Mars/Base"
    outliers = "ignore"
    colour = "blue"
    [received]
    column = "t"
    formats = ["no percent sign"]
    [station]
    match = ["code", "nickname"]
    [category]
    column = "c"
    [handling]
    minutes = "m"
    start = "a"
    """
    with pytest.raises(MappingError) as caught:
        parse_mapping(text)
    problems = "\n".join(caught.value.problems)
    for expected in [
        "unknown key 'colour'",
        "timezone: 'Mars/Base'",
        "outliers: 'ignore'",
        "[id] is required",
        "received.formats",
        "station.column is required",
        "station.match",
        "handling: give either minutes",
        "handling: start and end go together",
    ]:
        assert expected in problems


def test_not_toml_at_all() -> None:
    with pytest.raises(MappingError, match="not valid TOML"):
        parse_mapping("[id\ncolumn=")


@pytest.mark.django_db
def test_a_mapping_saved_in_the_database_wins_over_a_shipped_one_of_the_same_name() -> None:
    ImportMapping.objects.create(name="seattle", definition=MINIMAL)
    name, mapping = mapping_resolve("seattle")
    assert (name, mapping.columns_used()) == ("seattle", ["id", "t", "s", "c"])
