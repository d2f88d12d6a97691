"""The audit trail records logins and decisions, and nothing can change or remove a record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_purge, audit_record
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_login_and_a_failed_login_are_recorded_with_user_and_address(client: Client) -> None:
    planner = factories.planner()
    client.post("/accounts/login/", {"username": planner.username, "password": "wrong"}, REMOTE_ADDR="10.1.2.3")
    client.post(
        "/accounts/login/", {"username": planner.username, "password": "correct horse battery"}, REMOTE_ADDR="10.1.2.3"
    )
    failed, succeeded = AuditEvent.objects.filter(action__startswith="auth.").order_by("id")
    assert (failed.action, failed.outcome, failed.username, failed.address) == (
        "auth.login_failed",
        "failure",
        planner.username,
        "10.1.2.3",
    )
    assert (succeeded.action, succeeded.user_id, succeeded.role, succeeded.address) == (
        "auth.login",
        planner.pk,
        "planner",
        "10.1.2.3",
    )


def test_a_record_names_its_object_and_keeps_before_and_after() -> None:
    station = factories.station()
    planner = factories.planner()
    event = audit_record(action="station.rename", obj=station, by=planner, before={"name": "a"}, after={"name": "b"})
    event.refresh_from_db()
    assert event.object_type == "stations.station"
    assert event.object_id == str(station.pk)
    assert event.station_id == station.pk
    assert (event.before, event.after, event.username) == ({"name": "a"}, {"name": "b"}, planner.username)
    assert event.at.utcoffset() == dt.timedelta(0)


def test_records_cannot_be_changed_or_deleted_through_the_models() -> None:
    event = audit_record(action="test.event")
    event.detail = "rewritten"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="x")
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def test_the_database_refuses_an_update_even_in_raw_sql() -> None:
    event = audit_record(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET detail = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


@pytest.mark.postgres
def test_postgres_refuses_a_raw_delete_outside_the_retention_purge() -> None:
    event = audit_record(action="test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_purge_removes_only_records_past_retention_and_records_itself(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    old = AuditEvent.objects.create(action="old", at=now - dt.timedelta(days=400))
    recent = AuditEvent.objects.create(action="recent", at=now - dt.timedelta(days=300))
    assert audit_purge(now=now) == 1
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=recent.pk).exists()
    assert AuditEvent.objects.filter(action="audit.purge").exists()


def test_the_purge_never_keeps_less_than_six_months(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 30  # below the floor: treated as 183 days
    now = timezone.now()
    AuditEvent.objects.create(action="kept", at=now - dt.timedelta(days=100))
    assert audit_purge(now=now) == 0


def test_auditors_read_the_trail_in_the_admin_and_cannot_change_it(client: Client) -> None:
    event = audit_record(action="test.event")
    client.force_login(factories.auditor())
    assert client.get("/admin/audit/auditevent/").status_code == 200
    assert client.get(f"/admin/audit/auditevent/{event.pk}/change/").status_code == 200
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_chiefs_do_not_see_the_trail(client: Client) -> None:
    client.force_login(factories.chief(factories.station()))
    assert client.get("/admin/audit/auditevent/").status_code == 403
