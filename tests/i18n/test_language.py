"""The interface language: Chinese by default, chosen by the user, remembered on the account."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from audit.models import AuditEvent
from reports.models import LanguagePreference
from tests import factories

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # what tests.factories.user gives every account


def test_the_default_comes_from_the_language_code_setting() -> None:
    assert settings.LANGUAGE_CODE == "zh-hans"
    page = Client().get(reverse("login")).content.decode()
    assert 'lang="zh-hans"' in page and "登录" in page


def test_the_browser_language_is_followed_until_the_user_chooses() -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("login")).content.decode()
    assert 'lang="en"' in page and "Log in" in page


def test_choosing_a_language_sets_the_cookie_and_remembers_it_on_the_account() -> None:
    planner = factories.planner()
    client = Client()
    client.force_login(planner)
    response = client.post(reverse("language_set"), {"language": "en", "next": reverse("reports:index")})
    assert response.status_code == 302 and response.url == reverse("reports:index")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert LanguagePreference.objects.get(user=planner).language == "en"
    event = AuditEvent.objects.get(action="account.language")
    assert (event.before, event.after, event.user_id) == (None, "en", planner.pk)
    # Choosing the same language again changes nothing and records nothing.
    client.post(reverse("language_set"), {"language": "en"})
    assert AuditEvent.objects.filter(action="account.language").count() == 1


def test_an_unknown_language_is_ignored() -> None:
    planner = factories.planner()
    client = Client()
    client.force_login(planner)
    client.post(reverse("language_set"), {"language": "fr"})
    assert not LanguagePreference.objects.filter(user=planner).exists()


def test_the_remembered_language_follows_the_user_to_another_browser() -> None:
    planner = factories.planner()
    first = Client()
    first.force_login(planner)
    first.post(reverse("language_set"), {"language": "en"})
    # A new browser that prefers Chinese: after logging in, the account's choice wins.
    second = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = second.post(reverse("login"), {"username": planner.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = second.get(reverse("reports:index")).content.decode()
    assert 'lang="en"' in page and "Reports" in page


def test_anonymous_choice_is_kept_in_the_cookie_only() -> None:
    response = Client().post(reverse("language_set"), {"language": "en"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert not LanguagePreference.objects.exists()


def test_dates_and_numbers_follow_the_language() -> None:
    row = factories.county(code="QH")
    station = factories.station(county_row=row, code="QH-01")
    for _n in range(1234 // 100):
        factories.place(factories.person(), station)
    planner = factories.planner()
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese.force_login(planner)
    english = Client(HTTP_ACCEPT_LANGUAGE="en")
    english.force_login(planner)
    path = reverse("reports:report", args=["absence"])
    zh_page, en_page = chinese.get(path).content.decode(), english.get(path).content.decode()
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in zh_page and "在编不在岗" in zh_page
    with translation.override("en"):
        assert formats.date_format(today, "DATE_FORMAT") in en_page  # e.g. Nov. 22, 2026
    assert "在编不在岗" not in en_page and "On the books, not at the post" in en_page
