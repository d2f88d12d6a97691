"""An incident's references are kept by the database per statement (migration 0004), on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests import factories
from workload.models import Incident

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_an_incident_naming_a_missing_station_or_category_is_refused() -> None:
    station = factories.station()
    (incident,) = factories.incidents(station, 1)
    for column in ("station_id", "category_id", "community_id", "batch_id"):
        with pytest.raises(IntegrityError, match=f"{column} 987654 is not present"), transaction.atomic():
            Incident.objects.filter(pk=incident.pk).update(**{column: 987654})
    with pytest.raises(IntegrityError, match="station_id 987654 is not present"), transaction.atomic():
        Incident.objects.bulk_create([Incident(**{**_fields(incident), "external_id": "new", "station_id": 987654})])
    assert Incident.objects.get(pk=incident.pk).station_id == station.pk


def test_a_referenced_station_or_category_cannot_be_deleted_even_by_raw_sql() -> None:
    station = factories.station()
    (incident,) = factories.incidents(station, 1)
    with connection.cursor() as cursor:
        for table, pk in (("stations_station", station.pk), ("workload_incidentcategory", incident.category_id)):
            with pytest.raises(IntegrityError, match="still referenced"), transaction.atomic():
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608 - fixed names
        # Once nothing refers to the category, it goes as before.
        Incident.objects.filter(pk=incident.pk).delete()
        with transaction.atomic():
            cursor.execute("DELETE FROM workload_incidentcategory WHERE id = %s", [incident.category_id])
            assert cursor.rowcount == 1
            transaction.set_rollback(True)


def _fields(incident: Incident) -> dict[str, object]:
    return {
        field.attname: getattr(incident, field.attname)
        for field in Incident._meta.concrete_fields
        if field.attname not in {"id", "created_at", "updated_at"}
    }
