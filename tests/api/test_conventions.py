"""What every list shares: pages with a ceiling, filters, ordering, `updated_since`, ETags, CSV and
XLSX that a spreadsheet cannot be tricked by, and one error shape for every 4xx."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from stations.models import Community
from tests.api.conftest import World, client_for, user_for

pytestmark = pytest.mark.django_db


def many_communities(world: World, count: int) -> None:
    Community.objects.bulk_create(
        Community(
            station=world.own,
            code=f"QH-01-V{n:04d}",
            name=f"村{n}",
            kind=Community.Kind.VILLAGE,
            resident_population=1000 + n,
            households=300,
        )
        for n in range(count)
    )


def test_pages_have_a_size_chosen_by_the_caller_up_to_a_ceiling(world: World) -> None:
    many_communities(world, 520)
    client = client_for(user_for("planner", world))
    first = client.get("/api/v1/communities/", {"page_size": 7}).json()
    assert first["count"] == 524 and len(first["results"]) == 7 and "page=2" in first["next"]
    second = client.get(first["next"]).json()
    assert {c["code"] for c in first["results"]}.isdisjoint(c["code"] for c in second["results"])
    assert len(client.get("/api/v1/communities/").json()["results"]) == 50  # the default
    assert len(client.get("/api/v1/communities/", {"page_size": 5000}).json()["results"]) == 500  # the ceiling
    beyond = client.get("/api/v1/communities/", {"page": 999})
    assert beyond.status_code == 404 and beyond.json()["code"] == "not_found"


def test_filters_and_ordering(world: World) -> None:
    many_communities(world, 5)
    client = client_for(user_for("planner", world))
    biggest = client.get("/api/v1/communities/", {"ordering": "-resident_population", "page_size": 2}).json()
    populations = [c["resident_population"] for c in biggest["results"]]
    assert populations == sorted(populations, reverse=True) and populations[0] == 5000
    villages = client.get("/api/v1/communities/", {"kind": "village", "min_population": 1003}).json()
    assert sorted(c["code"] for c in villages["results"]) == ["QH-01-V0003", "QH-01-V0004"]
    incidents = client.get("/api/v1/incidents/", {"station": "QH-02", "received_after": "2026-01-02T00:00:00+08:00"})
    assert {i["station"] for i in incidents.json()["results"]} == {"QH-02"}
    assert incidents.json()["count"] == 2  # of its three, one was received on 1 January


def test_updated_since_returns_what_changed(world: World) -> None:
    client = client_for(user_for("planner", world))
    Community.objects.update(updated_at=timezone.now() - dt.timedelta(days=10))
    since = (timezone.now() - dt.timedelta(days=1)).isoformat()
    assert client.get("/api/v1/communities/", {"updated_since": since}).json()["count"] == 0
    world.other_community.households = 1000
    world.other_community.save(update_fields=["households", "updated_at"])
    changed = client.get("/api/v1/communities/", {"updated_since": since}).json()
    assert [c["code"] for c in changed["results"]] == [world.other_community.code]
    bad = client.get("/api/v1/communities/", {"updated_since": "last tuesday"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    assert bad.json()["message"].startswith("updated_since:")


def test_etag_answers_304_until_something_changes(world: World) -> None:
    client = client_for(user_for("planner", world))
    first = client.get("/api/v1/stations/")
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get("/api/v1/stations/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    world.own.establishment_quota = 40
    world.own.save(update_fields=["establishment_quota", "updated_at"])
    changed = client.get("/api/v1/stations/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    chief = client_for(user_for("chief", world)).get("/api/v1/stations/", HTTP_IF_NONE_MATCH=changed["ETag"])
    assert chief.status_code == 200  # another caller's view is another body, so another tag
    detail = client.get(f"/api/v1/people/{world.own_person.number}/")
    assert (
        client.get(f"/api/v1/people/{world.own_person.number}/", HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304
    )
    need = client.get("/api/v1/need/")
    assert client.get("/api/v1/need/", HTTP_IF_NONE_MATCH=need["ETag"]).status_code == 304
    assert "Authorization" in first["Vary"] and "Accept-Language" in first["Vary"]


def test_csv_is_utf8_with_bom_and_never_a_formula(world: World) -> None:
    for name in ('=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"):
        Community.objects.create(
            station=world.own,
            code=f"X{len(name)}{name[0]}",
            name=name,
            kind="village",
            resident_population=10,
            households=1,
        )
    world.own.latitude, world.own.longitude = -33.5, 151.25
    world.own.save(update_fields=["latitude", "longitude", "updated_at"])
    client = client_for(user_for("planner", world))
    response = client.get("/api/v1/communities/", {"format": "csv", "page_size": 100})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="communities.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("code,name,kind,station")
    assert "'=HYPERLINK" in text and "'+1+1" in text and "'-2+3" in text and "'@SUM(A1)" in text
    assert "东风社区" in text
    stations = client.get("/api/v1/stations/", {"format": "csv"}).content.decode("utf-8-sig")
    assert ",-33.500000," in stations  # a negative number stays a number
    assert "strength.officers_on_books" in stations.splitlines()[0]  # nested objects flattened


def test_xlsx_opens_with_the_same_rows_and_no_formulas(world: World) -> None:
    Community.objects.create(
        station=world.own, code="XF", name="=1+1", kind="village", resident_population=10, households=1
    )
    client = client_for(user_for("planner", world))
    response = client.get("/api/v1/communities/", {"format": "xlsx"})
    assert response.status_code == 200 and 'filename="communities.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("code", "name", "kind") and len(rows) == 1 + Community.objects.count()
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    assert "'=1+1" in [row[1] for row in rows]


def test_every_4xx_has_a_code_and_a_message(world: World) -> None:
    client = client_for(user_for("planner", world))
    cases = [
        (client.get("/api/v1/stations/NOPE/"), 404, "not_found"),
        (client.get("/api/v1/stations/NOPE/", {"format": "csv"}), 404, "not_found"),
        (client.get("/api/v1/incidents/", {"received_after": "yesterday"}), 400, "invalid"),
        (client.delete(f"/api/v1/stations/{world.own.code}/"), 405, "method_not_allowed"),
        (client.post("/api/v1/incidents/batch/", "x", content_type="text/plain"), 415, "unsupported_media_type"),
        (client.post("/api/v1/allocation-runs/", {"county": "QH"}, format="json"), 400, "invalid"),
        (client.get("/api/v1/stations/", HTTP_ACCEPT="application/pdf"), 406, "not_acceptable"),
        (client_for(None).get("/api/v1/stations/"), 403, "not_authenticated"),
        (client.get("/api/v1/no-such-thing/"), 404, "not_found"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, (status, response.content)
        assert response["Content-Type"].startswith("application/json")
        body = response.json()
        assert body["code"] == code and isinstance(body["message"], str) and body["message"]


@pytest.mark.postgres
def test_long_lists_give_the_database_estimate_and_say_so(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    client = client_for(user_for("planner", world))
    exact = client.get("/api/v1/incidents/").json()
    assert (exact["count"], exact["count_is_estimate"]) == (12, False)
    monkeypatch.setattr("config.api_defaults.EXACT_COUNT_UP_TO", 5)
    estimated = client.get("/api/v1/incidents/", {"page_size": 5}).json()
    assert estimated["count_is_estimate"] is True and estimated["count"] >= 6
    assert len(estimated["results"]) == 5 and estimated["next"]


def test_times_with_any_offset_python_accepts_are_compared_in_utc(world: World) -> None:
    # Found by schemathesis: PostgreSQL refuses an offset of -16:36 that ISO 8601 parsing accepts.
    client = client_for(user_for("auditor", world))
    for url in ("/api/v1/counties/", "/api/v1/audit-events/", "/api/v1/incidents/"):
        response = client.get(url, {"updated_since": "2020-06-10T08:31:38-16:36"})
        assert response.status_code == 200 and response.json()["count"] > 0
    late = client.get("/api/v1/incidents/", {"received_after": "2026-01-01T20:00:00-16:00"}).json()
    assert late["count"] < 12  # 2026-01-02 12:00 UTC: the incidents of the first day are out
