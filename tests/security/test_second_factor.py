"""TOTP (RFC 6238): the algorithm, enrolment, and the code at login, required per role or per account."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from security import totp
from security.models import SecondFactor
from tests import factories

PASSWORD = "correct horse battery"
# RFC 6238 appendix B: the ASCII secret "12345678901234567890", SHA-1, 8 digits; we use the last 6.
RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


@pytest.mark.parametrize(
    ("when", "eight_digits"),
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
     (2000000000, "69279037"), (20000000000, "65353130")],
)  # fmt: skip
def test_codes_match_the_rfc_6238_test_vectors(when: int, eight_digits: str) -> None:
    assert totp.totp(RFC_SECRET, when) == eight_digits[-6:]


def test_a_code_is_accepted_one_step_either_side_and_never_twice() -> None:
    secret = totp.secret_new()
    now = 1_700_000_000.0
    previous = totp.totp(secret, now - 30)
    assert totp.verify(secret, previous, when=now) == totp.step_at(now) - 1
    assert totp.verify(secret, totp.totp(secret, now - 90), when=now) is None
    step = totp.verify(secret, totp.totp(secret, now), when=now)
    assert step is not None and totp.verify(secret, totp.totp(secret, now), when=now, after_step=step) is None
    assert totp.verify(secret, "12345", when=now) is None and totp.verify(secret, "abcdef", when=now) is None


def _enrol(client: Client) -> str:
    page = client.get("/security/totp/")
    assert page.status_code == 200 and b"<svg" in page.content
    secret = re.search(r"<code>([A-Z2-7 ]+)</code>", page.content.decode()).group(1).replace(" ", "")  # type: ignore[union-attr]
    assert (
        client.post("/security/totp/", {"code": "000000" if totp.totp(secret) != "000000" else "111111"}).status_code
        == 200
    )
    assert client.post("/security/totp/", {"code": totp.totp(secret)}).status_code == 302
    return secret


@pytest.mark.django_db
def test_a_planner_required_by_role_must_enrol_before_anything_else(settings) -> None:  # type: ignore[no-untyped-def]
    settings.JINGLI_2FA_REQUIRED_ROLES = ["planner"]
    planner = factories.planner()
    client = Client()
    assert client.post("/accounts/login/", {"username": planner.username, "password": PASSWORD}).status_code == 302
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"] == "/security/totp/"
    _enrol(client)
    assert client.get("/audit/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.2fa_enrol", outcome="success").count() == 1
    # Auditors are not required by this setting.
    auditor = Client()
    auditor.force_login(factories.auditor())
    assert auditor.get("/audit/").status_code == 200


@pytest.mark.django_db
def test_an_enrolled_account_logs_in_only_with_its_current_code() -> None:
    auditor = factories.auditor()
    SecondFactor.objects.create(user=auditor, required=True)
    client = Client()
    client.post("/accounts/login/", {"username": auditor.username, "password": PASSWORD})
    secret = _enrol(client)
    fresh = Client()
    without = fresh.post("/accounts/login/", {"username": auditor.username, "password": PASSWORD})
    assert without.status_code == 200 and "enter the code from your authenticator app" in without.content.decode()
    wrong = fresh.post("/accounts/login/", {"username": auditor.username, "password": PASSWORD, "otp_code": "12345x"})
    assert wrong.status_code == 200 and "wrong or was already used" in wrong.content.decode()
    code = totp.totp(secret)
    assert totp.verify(secret, code) is not None
    # The enrolment used the current step already; the next login needs the next code, so wait for it
    # in time rather than sleeping: verify accepts one step ahead.
    ahead = totp.totp(secret, __import__("time").time() + 30)
    ok = fresh.post("/accounts/login/", {"username": auditor.username, "password": PASSWORD, "otp_code": ahead})
    assert ok.status_code == 302
    assert fresh.get("/audit/").status_code == 200
    # The same code again (replay) is refused.
    replay = Client().post("/accounts/login/", {"username": auditor.username, "password": PASSWORD, "otp_code": ahead})
    assert replay.status_code == 200


@pytest.mark.django_db
def test_a_session_that_never_gave_a_code_is_logged_out_once_the_account_enrols() -> None:
    auditor = factories.auditor()
    other_session = Client()
    other_session.force_login(auditor)
    assert other_session.get("/audit/").status_code == 200
    enrolling = Client()
    enrolling.force_login(auditor)
    _enrol(enrolling)
    assert enrolling.get("/audit/").status_code == 200
    assert other_session.get("/audit/").status_code == 302
