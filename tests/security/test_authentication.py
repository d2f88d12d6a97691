"""Logging in: lockout, session rotation and limits, sessions ended, passwords, Argon2."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.hashers import check_password, identify_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from security.models import LoginFailure
from security.services import SESSION_LOGIN_AT, SESSION_SEEN_AT
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests/factories.py


def login(client: Client, username: str, password: str, address: str = "10.0.0.1", **extra: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password, **extra}, REMOTE_ADDR=address)


def test_five_failures_lock_the_account_for_fifteen_minutes_and_say_so() -> None:
    planner = factories.planner()
    client = Client()
    for _n in range(4):
        assert "Too many failed logins" not in login(client, planner.username, "wrong").content.decode()
    fifth = login(client, planner.username, "wrong").content.decode()
    assert "Too many failed logins" in fifth
    # Even the right password is refused while locked, from another address too (per account).
    refused = login(Client(), planner.username, PASSWORD, address="10.0.0.2")
    assert refused.status_code == 200 and "Too many failed logins" in refused.content.decode()
    assert "_auth_user_id" not in refused.client.session
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "outcome"))
    assert actions.count(("auth.login_failed", "failure")) == 5
    assert ("auth.lockout", "denied") in actions and ("auth.login_refused_locked", "denied") in actions
    # Fifteen minutes after the fifth failure the account may log in again, and the failures are forgiven.
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(minutes=15, seconds=1))
    assert login(Client(), planner.username, PASSWORD).status_code == 302
    assert not LoginFailure.objects.filter(username=planner.username).exists()


def test_five_failures_from_one_address_lock_that_address_whatever_the_account() -> None:
    accounts = [factories.planner() for _n in range(5)]
    for account in accounts:
        login(Client(), account.username, "wrong", address="192.0.2.7")
    victim = factories.auditor()
    assert "Too many failed logins" in login(Client(), victim.username, PASSWORD, address="192.0.2.7").content.decode()
    # The same account from elsewhere is fine: the lock is on the address.
    assert login(Client(), victim.username, PASSWORD, address="192.0.2.8").status_code == 302


def test_the_session_id_changes_at_login() -> None:
    planner = factories.planner()
    client = Client()
    client.get("/accounts/login/")
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    assert login(client, planner.username, PASSWORD).status_code == 302
    after = client.session.session_key
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()  # the old id is gone, not just unused


def _age_session(client: Client, *, idle_minutes: float = 0, since_login_hours: float = 0) -> None:
    session = client.session
    now = timezone.now().timestamp()
    session[SESSION_SEEN_AT] = now - idle_minutes * 60
    session[SESSION_LOGIN_AT] = now - since_login_hours * 3600
    session.save()


def test_thirty_idle_minutes_end_the_session() -> None:
    client = Client()
    client.force_login(factories.planner())
    _age_session(client, idle_minutes=29)
    assert client.get("/audit/").status_code == 200
    _age_session(client, idle_minutes=31)
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/audit/").status_code == 302  # logged out, not just redirected once
    assert AuditEvent.objects.filter(action="auth.session_expired", detail="idle").exists()


def test_twelve_hours_end_the_session_however_active() -> None:
    client = Client()
    client.force_login(factories.planner())
    _age_session(client, since_login_hours=11.9)
    assert client.get("/audit/").status_code == 200
    _age_session(client, since_login_hours=12.1)
    assert client.get("/audit/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.session_expired", detail="absolute").exists()
    assert settings.SESSION_COOKIE_AGE == 12 * 3600


@pytest.mark.django_db(transaction=True)  # sessions end after the change commits
def test_disabling_an_account_ends_all_its_sessions() -> None:
    planner = factories.planner()
    laptop, phone = Client(), Client()
    assert login(laptop, planner.username, PASSWORD).status_code == 302
    assert login(phone, planner.username, PASSWORD, address="10.0.0.9").status_code == 302
    assert laptop.get("/audit/").status_code == 200
    planner.is_active = False
    planner.save()
    for client in (laptop, phone):
        assert client.get("/audit/").status_code == 302
    assert not Session.objects.exists()
    event = AuditEvent.objects.get(action="auth.sessions_ended")
    assert event.detail == "account disabled: 2 sessions ended"


@pytest.mark.django_db(transaction=True)
def test_a_new_password_ends_the_other_sessions() -> None:
    planner = factories.planner()
    laptop = Client()
    assert login(laptop, planner.username, PASSWORD).status_code == 302
    planner.set_password("a much better passphrase 42")
    planner.save()
    assert laptop.get("/audit/").status_code == 302
    assert not Session.objects.exists()


def test_passwords_need_twelve_characters_and_no_common_one() -> None:
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password("Xk3#vb9!Lq")
    with pytest.raises(ValidationError, match="too common"):
        validate_password("password1234")
    validate_password("staffing quota river 7")


def test_production_hashes_passwords_with_argon2(settings) -> None:  # type: ignore[no-untyped-def]
    import config.settings as production

    # The suite swaps in MD5 for speed (tests/conftest.py); the settings module itself says Argon2.
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    hashed = make_password("staffing quota river 7")
    assert identify_hasher(hashed).algorithm == "argon2" and hashed.startswith("argon2$argon2id$")
    assert check_password("staffing quota river 7", hashed)
    assert not check_password("staffing quota river 8", hashed)


def test_login_and_logout_are_on_record_with_the_address() -> None:
    planner = factories.planner()
    client = Client()
    login(client, planner.username, PASSWORD, address="198.51.100.4")
    client.post("/accounts/logout/", REMOTE_ADDR="198.51.100.4")
    events = list(AuditEvent.objects.filter(username=planner.username).order_by("id"))
    assert [(e.action, e.address, e.role) for e in events if e.action.startswith("auth.log")] == [
        ("auth.login", "198.51.100.4", "planner"),
        ("auth.logout", "198.51.100.4", "planner"),
    ]


def test_the_admin_logs_in_through_the_same_form() -> None:
    response = Client().get("/admin/login/?next=/admin/personnel/person/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/admin/personnel/person/"
    # A logged-in account the admin refuses gets 403, not a loop between the two login pages.
    client = Client()
    client.force_login(factories.user())
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_the_lockout_is_explained_in_chinese_too() -> None:
    planner = factories.planner()
    for _n in range(5):
        login(Client(), planner.username, "wrong")
    page = Client().post(
        "/accounts/login/", {"username": planner.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "登录失败次数过多" in page.content.decode()


def test_behind_a_trusted_proxy_the_lockout_counts_the_client_not_the_proxy(settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import override_settings

    with override_settings(JINGLI_TRUSTED_PROXIES=["10.0.0.254"]):
        accounts = [factories.planner() for _n in range(5)]
        for account in accounts:
            Client().post(
                "/accounts/login/",
                {"username": account.username, "password": "wrong"},
                REMOTE_ADDR="10.0.0.254",
                HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",  # the left part is the client's own claim
            )
        assert set(LoginFailure.objects.values_list("address", flat=True)) == {"203.0.113.9"}
        other = factories.auditor()
        response = Client().post(
            "/accounts/login/",
            {"username": other.username, "password": PASSWORD},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR="198.51.100.20",
        )
        assert response.status_code == 302  # another client behind the same proxy is not locked out
