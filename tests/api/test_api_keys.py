"""API keys: stored as a hash, shown once, scoped read or read-write, revocable, used as their owner,
recorded when used, named in the audit trail, and throttled per key."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from apikeys.models import ApiKey
from apikeys.services import apikey_create, apikey_revoke
from audit.models import AuditEvent
from tests import factories
from tests.api.conftest import World, key_client

pytestmark = pytest.mark.django_db


def test_only_a_hash_is_stored_and_the_key_acts_as_its_owner(world: World) -> None:
    chief = factories.chief(world.own)
    client, plaintext = key_client(chief)
    key = ApiKey.objects.get()
    assert key.hashed_key == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = plaintext.split("_", 2)[2]
    stored = [str(value) for value in ApiKey.objects.values_list().get()]
    assert not any(secret in value or plaintext in value for value in stored)
    assert plaintext.startswith(f"jk_{key.prefix}_")
    codes = [s["code"] for s in client.get("/api/v1/stations/").json()["results"]]
    assert codes == [world.own.code]  # the chief's scope, not more
    assert client.get(f"/api/v1/stations/{world.other.code}/").status_code == 404


def test_last_use_is_recorded(world: World) -> None:
    client, _plaintext = key_client(factories.planner())
    assert ApiKey.objects.get().last_used_at is None
    assert client.get("/api/v1/counties/", REMOTE_ADDR="10.1.2.3").status_code == 200
    key = ApiKey.objects.get()
    assert key.last_used_at is not None and key.last_used_from == "10.1.2.3"


def test_revoked_unknown_and_malformed_keys_are_refused(world: World) -> None:
    client, plaintext = key_client(factories.planner())
    assert client.get("/api/v1/counties/").status_code == 200
    apikey_revoke(key=ApiKey.objects.get(), by=factories.planner())
    refused = client.get("/api/v1/counties/")
    assert refused.status_code == 403
    assert refused.json() == {"code": "authentication_failed", "message": "This API key was revoked."}
    forged = plaintext[:-4] + ("AAAA" if not plaintext.endswith("AAAA") else "BBBB")
    for header in (f"Api-Key {forged}", "Api-Key nonsense", "Api-Key "):
        response = Client(HTTP_AUTHORIZATION=header).get("/api/v1/counties/")
        assert response.status_code == 403 and response.json()["code"] == "authentication_failed"
    assert AuditEvent.objects.filter(action="apikey.revoke").count() == 1


def test_a_disabled_owner_disables_the_key(world: World) -> None:
    owner = factories.planner()
    client, _plaintext = key_client(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    assert client.get("/api/v1/counties/").status_code == 403


def test_a_read_only_key_cannot_write_a_read_write_key_can_and_the_trail_names_it(world: World) -> None:
    planner = factories.planner()
    reader, _plaintext = key_client(planner, scope="read")
    url = f"/api/v1/moves/{world.own_move.pk}/accept/"
    refused = reader.post(url, {}, format="json")
    assert refused.status_code == 403
    assert refused.json() == {"code": "permission_denied", "message": "This API key is read-only."}
    world.own_move.refresh_from_db()
    assert world.own_move.status == "pending"

    writer, _plaintext = key_client(planner, scope="read_write")
    accepted = writer.post(url, {"reason": "agreed with the chief"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    event = AuditEvent.objects.get(action="allocation.move_accept")
    key = ApiKey.objects.get(scope="read_write")
    assert (event.api_key, event.username, event.channel) == (key.prefix, planner.username, "api")


def test_keys_cannot_grant_more_than_the_owner_has(world: World) -> None:
    with pytest.raises(ValidationError, match="can only be read-only"):
        apikey_create(name="BI", owner=factories.auditor(), scope="read_write")
    with pytest.raises(ValidationError, match="has no role"):
        apikey_create(name="BI", owner=factories.user(), scope="read")
    assert ApiKey.objects.count() == 0


def test_a_key_over_its_rate_gets_429_and_other_keys_do_not(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/minute", "api_user": "100/minute"},
    }
    planner = factories.planner()
    busy, _busy_key = key_client(planner)
    calm, _calm_key = key_client(planner)
    statuses = [busy.get("/api/v1/counties/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    throttled = busy.get("/api/v1/counties/")
    assert throttled.json()["code"] == "throttled" and int(throttled["Retry-After"]) > 0
    assert calm.get("/api/v1/counties/").status_code == 200


def test_planners_make_keys_in_the_admin_and_see_the_plaintext_once(world: World) -> None:
    planner = factories.planner()
    owner = factories.chief(world.own)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(planner)
    response = browser.post("/admin/apikeys/apikey/add/", {"name": "警综平台", "owner": owner.pk, "scope": "read"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    match = re.search(r"jk_[0-9a-f]{8}_[A-Za-z0-9_-]{20,}", response.content.decode())
    assert match is not None
    key = ApiKey.objects.get()
    assert key.hashed_key == hashlib.sha256(match.group().encode()).hexdigest() and key.created_by == planner
    change = browser.get(f"/admin/apikeys/apikey/{key.pk}/change/").content.decode()
    assert key.prefix in change and match.group() not in change
    assert AuditEvent.objects.filter(action="apikey.create", object_id=str(key.pk)).exists()
    # A key for an account that may not write cannot be read-write: the form says so, nothing is made.
    refused = browser.post("/admin/apikeys/apikey/add/", {"name": "x", "owner": owner.pk, "scope": "read_write"})
    assert "can only be read-only" in refused.content.decode() and ApiKey.objects.count() == 1
    browser.post("/admin/apikeys/apikey/", {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    key.refresh_from_db()
    assert key.is_revoked and key.revoked_by == planner


@pytest.mark.parametrize("role", ["chief", "auditor"])
def test_only_planners_make_or_revoke_keys(world: World, role: str) -> None:
    user = factories.chief(world.own) if role == "chief" else factories.auditor()
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(user)
    response = browser.post("/admin/apikeys/apikey/add/", {"name": "x", "owner": user.pk, "scope": "read"})
    assert response.status_code == 403 and ApiKey.objects.count() == 0
    key, _plaintext = apikey_create(name="BI", owner=factories.planner())
    browser.post("/admin/apikeys/apikey/", {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert not key.is_revoked


def test_browser_sessions_write_only_with_the_csrf_token(world: World) -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en", enforce_csrf_checks=True)
    browser.force_login(factories.planner())
    url = f"/api/v1/moves/{world.own_move.pk}/accept/"
    refused = browser.post(url, {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["message"]
    token = "a" * 32  # what the csrftoken cookie holds; the page's JavaScript echoes it in a header
    browser.cookies["csrftoken"] = token
    accepted = browser.post(url, {}, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
