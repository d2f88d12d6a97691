"""The trail records what the issue lists, auditors browse, filter and export it, retention is scheduled."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from audit.models import AuditEvent
from audit.services import audit_record
from config.roles import Role
from config.spreadsheet import cell_safe
from personnel.services import user_set_role
from tests import factories
from workload.models import ImportBatch, StandardsSet
from workload.services import standards_ensure

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_a_role_change_is_recorded_with_before_and_after() -> None:
    operator = factories.user(is_superuser=True, is_staff=True)
    account = factories.planner()
    station = factories.station()
    user_set_role(user=account, role=Role.CHIEF, station=station, by=operator)
    event = AuditEvent.objects.filter(action="account.role_set", object_id=str(account.pk)).latest("id")
    assert event.username == operator.username and event.role == "superuser"
    assert event.before == {"role": "planner", "station": None, "is_staff": True}
    assert event.after == {"role": "chief", "station": station.pk, "is_staff": True}


def test_admin_changes_to_an_account_are_recorded_field_by_field() -> None:
    operator = factories.user(is_superuser=True, is_staff=True)
    account = factories.auditor()
    client = logged_in(operator)
    form = {
        "username": account.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
        "is_staff": "on", "is_superuser": "on", "role": "auditor", "station": "",
        "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01", "date_joined_1": "00:00:00",
        "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "00:00:00",
    }  # fmt: skip
    response = client.post(f"/admin/personnel/user/{account.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="account.change", object_id=str(account.pk))
    assert event.before["is_superuser"] is False and event.after["is_superuser"] is True
    assert event.username == operator.username and event.channel == "admin"


def test_a_standards_change_in_the_admin_is_recorded() -> None:
    standards_ensure()
    national = StandardsSet.objects.get(name="national")
    planner = factories.planner()
    client = logged_in(planner)
    page = client.get(f"/admin/workload/standardsset/{national.pk}/change/")
    form = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    form = {k: ("on" if v is True else v) for k, v in form.items() if v is not False}
    form["min_officers_per_station"] = national.min_officers_per_station + 1
    inline = page.context["inline_admin_formsets"][0].formset
    management = {f"{inline.prefix}-{k}": v for k, v in inline.management_form.initial.items()}
    rows = {}
    for n, sub in enumerate(inline.forms):
        rows[f"{inline.prefix}-{n}-id"] = sub.instance.pk
        rows[f"{inline.prefix}-{n}-standards"] = national.pk
        for name, value in sub.initial.items():
            if value is not None and value is not False:
                rows[f"{inline.prefix}-{n}-{name}"] = "on" if value is True else value
    response = client.post(f"/admin/workload/standardsset/{national.pk}/change/", {**form, **management, **rows})
    assert response.status_code == 302, (
        response.context["adminform"].form.errors,
        [f.errors for f in response.context["inline_admin_formsets"][0].formset.forms],
        response.context["inline_admin_formsets"][0].formset.non_form_errors(),
    )
    event = AuditEvent.objects.get(action="admin.change", object_type="workload.standardsset")
    assert event.before == {"min_officers_per_station": national.min_officers_per_station}
    assert event.after == {"min_officers_per_station": national.min_officers_per_station + 1}
    assert event.username == planner.username


def test_downloading_rejected_rows_is_recorded() -> None:
    planner = factories.planner()
    batch = ImportBatch.objects.create(
        file_name="x.csv", checksum="1" * 64, size_bytes=1, mapping_name="m", mapping_text="", source="t"
    )
    batch.rejected_file.save("r.csv", ContentFile(b"row\n"), save=True)
    response = logged_in(planner).get(f"/imports/{batch.pk}/rejected.csv")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="export.import_rejected_rows")
    assert (event.username, event.object_id) == (planner.username, str(batch.pk))


def _seed_trail() -> None:
    now = timezone.now()
    AuditEvent.objects.create(action="auth.login", username="alice", at=now - dt.timedelta(days=3))
    AuditEvent.objects.create(
        action="auth.login_failed", username="bob", outcome="failure", at=now - dt.timedelta(days=1)
    )
    AuditEvent.objects.create(
        action="import.submit", username="alice", object_type="workload.importbatch", object_id="7",
        object_repr="=HYPERLINK(\"http://evil\")", at=now,
    )  # fmt: skip


def test_auditors_filter_the_trail_by_user_action_object_outcome_and_dates() -> None:
    _seed_trail()
    client = logged_in(factories.auditor())

    def shown(**query: str) -> set[str]:
        response = client.get("/audit/", query)
        assert response.status_code == 200
        return {f"{e.username}:{e.action}" for e in response.context["page"]}

    assert shown(user="alice") == {"alice:auth.login", "alice:import.submit"}
    by_action = shown(action="auth.")  # the auditor's own login is there too
    assert {"alice:auth.login", "bob:auth.login_failed"} <= by_action
    assert (
        all(entry.split(":")[1].startswith("auth.") for entry in by_action) and "alice:import.submit" not in by_action
    )
    assert shown(object="7") == {"alice:import.submit"}
    assert shown(outcome="failure") == {"bob:auth.login_failed"}
    today = timezone.localdate()
    assert shown(user="alice", date_from=str(today - dt.timedelta(days=2))) == {"alice:import.submit"}
    assert shown(user="bob", date_to=str(today - dt.timedelta(days=2))) == set()
    assert client.get("/audit/", {"date_from": "2026-02-01", "date_to": "2026-01-01"}).status_code == 400


def test_the_export_escapes_formulas_and_is_itself_recorded() -> None:
    _seed_trail()
    auditor = factories.auditor()
    client = logged_in(auditor)
    response = client.get("/audit/", {"user": "alice", "export": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "at (UTC)" and len(rows) == 3
    assert '\'=HYPERLINK("http://evil")' in [cell for row in rows for cell in row]
    workbook = load_workbook(io.BytesIO(client.get("/audit/", {"user": "alice", "export": "xlsx"}).content))
    cells = [c for row in workbook.active.iter_rows(values_only=True) for c in row]
    assert '\'=HYPERLINK("http://evil")' in cells and not any(isinstance(c, str) and c.startswith("=") for c in cells)
    exports = AuditEvent.objects.filter(action="audit.export", username=auditor.username)
    assert exports.count() == 2 and "'user': 'alice'" in exports.first().detail  # type: ignore[union-attr]


def test_chiefs_and_accounts_without_a_role_do_not_read_the_trail() -> None:
    assert logged_in(factories.chief(factories.station())).get("/audit/").status_code == 403
    assert logged_in(factories.user()).get("/audit/").status_code == 403
    assert logged_in(factories.planner()).get("/audit/").status_code == 200


@pytest.mark.parametrize(
    ("value", "safe"),
    [("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@A1", "'@A1"), ("\t=1", "'\t=1"), ("a=1", "a=1"),
     (-1, -1), (None, None), ("", "")],
)  # fmt: skip
def test_cells_that_start_a_formula_are_escaped(value: object, safe: object) -> None:
    assert cell_safe(value) == safe


def test_the_retention_purge_is_scheduled_nightly_with_the_six_month_floor() -> None:
    from config.celery import app

    app.loader.import_default_modules()  # what a worker and beat do at start: autodiscovery
    entry = settings.CELERY_BEAT_SCHEDULE["audit-purge-nightly"]
    assert entry["task"] == "audit.purge" and "audit.purge" in app.tasks
    assert entry["schedule"].hour == {19} and entry["schedule"].minute == {0}
    assert settings.AUDIT_RETENTION_DAYS >= 183


def test_the_trail_cannot_be_changed_through_the_application() -> None:
    event = audit_record(action="x.y")
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(detail="rewritten")
