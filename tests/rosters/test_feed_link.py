"""A person's calendar link: a secret URL a phone subscribes to without a session, made and revoked by a
chief of his station or a planner, read-only and holding exactly his published shifts."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from audit.models import AuditEvent
from personnel.models import Person, User
from rosters.models import FeedToken, Roster
from rosters.problem import cells_of
from rosters.services import (
    RosterRefused,
    cell_set,
    feed_token_issue,
    feed_token_revoke,
    roster_approve,
    roster_publish,
    roster_revise,
    roster_submit,
)
from stations.models import Station
from tests import factories
from tests.rosters.conftest import START

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(roster: Roster, chief: User, second_chief: User) -> Roster:
    roster_submit(roster=roster, by=chief)
    roster_approve(roster=roster, by=second_chief)
    return roster_publish(roster=roster, by=chief)


def _expected_starts(roster: Roster, person_id: int) -> set[str]:
    """DTSTARTs computed here from the stored cells: the shift's local start, in UTC."""
    zone = ZoneInfo(settings.TIME_ZONE)
    starts = set()
    for cell in roster.cells.filter(person_id=person_id).select_related("shift"):
        local = dt.datetime.combine(cell.day, cell.shift.start, tzinfo=zone)
        starts.add(local.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    return starts


def _feed(token: str) -> tuple[int, str]:
    response = Client().get(f"/rosters/ical/{token}.ics")  # a phone: no session, no cookie
    return response.status_code, response.content.decode() if response.status_code == 200 else ""


def test_the_link_gives_exactly_the_persons_published_shifts(published: Roster, chief: User) -> None:
    person_id = sorted(cells_of(published))[0][0]
    token = feed_token_issue(person=Person.objects.get(pk=person_id), by=chief)
    status, text = _feed(token)
    assert status == 200
    starts = set(re.findall(r"^DTSTART:(\S+)\r$", text, flags=re.M))
    assert starts == _expected_starts(published, person_id) and starts
    assert text.count("BEGIN:VEVENT") == published.cells.filter(person_id=person_id).count()
    # A new draft version with a change is nobody's calendar until it is published.
    draft = roster_revise(roster=published, by=chief)
    day = next(
        START + dt.timedelta(days=d) for d in range(7) if (person_id, d) not in cells_of(draft) and d < 7
    )  # a day he is off
    with contextlib.suppress(RosterRefused):  # the rules may forbid it; the draft is not in the feed anyway
        cell_set(roster=draft, person_id=person_id, day=day, shift_code="D", by=chief)
    assert _feed(token)[1].count("BEGIN:VEVENT") == published.cells.filter(person_id=person_id).count()
    assert set(re.findall(r"^DTSTART:(\S+)\r$", _feed(token)[1], flags=re.M)) == starts


def test_nobody_elses_shifts_and_no_other_station(published: Roster, chief: User, other_station: Station) -> None:
    people = sorted({p for p, _d in cells_of(published)})
    mine, other = people[0], people[1]
    token = feed_token_issue(person=Person.objects.get(pk=mine), by=chief)
    text = _feed(token)[1]
    assert not _expected_starts(published, other) - _expected_starts(published, mine) & set(
        re.findall(r"^DTSTART:(\S+)\r$", text, flags=re.M)
    )
    assert f"-{mine}@" in text and f"-{other}@" not in text
    # A chief of another station cannot make a link for this person; neither can an auditor.
    for outsider in (factories.chief(other_station), factories.auditor()):
        with translation.override("en"), pytest.raises(RosterRefused, match="person's station or a planner"):
            feed_token_issue(person=Person.objects.get(pk=mine), by=outsider)


def test_wrong_revoked_and_replaced_tokens_are_404(published: Roster, chief: User) -> None:
    person = Person.objects.get(pk=sorted(cells_of(published))[0][0])
    planner = factories.planner()
    first = feed_token_issue(person=person, by=planner)
    assert _feed(first)[0] == 200
    assert _feed(first[:-1] + ("A" if first[-1] != "A" else "B"))[0] == 404
    assert _feed("")[0] == 404 and _feed("x" * 300)[0] == 404
    # The token is not stored, only its digest.
    row = FeedToken.objects.get(person=person, revoked_at__isnull=True)
    assert first not in row.digest and len(row.digest) == 64
    second = feed_token_issue(person=person, by=chief)  # a new link revokes the old one
    assert _feed(first)[0] == 404 and _feed(second)[0] == 200
    assert feed_token_revoke(person=person, by=chief) is True
    assert _feed(second)[0] == 404
    assert feed_token_revoke(person=person, by=chief) is False
    assert FeedToken.objects.filter(person=person).count() == 2
    assert FeedToken.objects.filter(person=person, revoked_at__isnull=True).count() == 0
    actions = list(
        AuditEvent.objects.filter(action__startswith="roster.feed_link").order_by("pk").values_list("action", "user")
    )
    assert actions == [
        ("roster.feed_link_issue", planner.pk),
        ("roster.feed_link_issue", chief.pk),
        ("roster.feed_link_revoke", chief.pk),
    ]
    assert AuditEvent.objects.filter(action="roster.export_ics_link").count() == 2  # the two successful fetches


def test_the_link_is_read_only(published: Roster, chief: User) -> None:
    token = feed_token_issue(person=Person.objects.get(pk=sorted(cells_of(published))[0][0]), by=chief)
    assert Client().post(f"/rosters/ical/{token}.ics").status_code in (403, 404, 405)
    response = Client().get(f"/rosters/ical/{token}.ics")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_the_page_shows_a_new_link_once_and_revokes_it(
    client, published: Roster, chief: User, other_station: Station
) -> None:
    person_id = sorted(cells_of(published))[0][0]
    client.force_login(chief)
    detail = client.get(f"/rosters/{published.pk}/")
    assert f"/rosters/feed-link/{person_id}/" in detail.text
    page = client.post(f"/rosters/feed-link/{person_id}/", {"action": "issue"})
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    url = re.search(r'value="(http://testserver/rosters/ical/[^"]+\.ics)"', page.text)
    assert url is not None
    assert Client().get(url.group(1)).status_code == 200
    again = client.get(f"/rosters/feed-link/{person_id}/")
    assert "/rosters/ical/" not in again.text and "A link is live" in again.text  # shown once only
    client.post(f"/rosters/feed-link/{person_id}/", {"action": "revoke"})
    assert Client().get(url.group(1)).status_code == 404
    # Another station's chief does not see the page; an auditor sees no link on the roster page.
    client.force_login(factories.chief(other_station))
    assert client.get(f"/rosters/feed-link/{person_id}/").status_code == 404
    client.force_login(factories.auditor())
    assert client.get(f"/rosters/feed-link/{person_id}/").status_code == 404
    assert "/rosters/feed-link/" not in client.get(f"/rosters/{published.pk}/").text


def test_the_admin_lists_links_by_scope_and_lets_planners_revoke_them(
    published: Roster, chief: User, other_station: Station
) -> None:
    people = sorted({p for p, _d in cells_of(published)})
    mine = Person.objects.get(pk=people[0])
    feed_token_issue(person=mine, by=chief)
    stranger = factories.person()
    factories.place(stranger, other_station)
    feed_token_issue(person=stranger, by=factories.planner())
    changelist = "/admin/rosters/feedtoken/"

    def shown(user: User) -> str:
        client = Client()
        client.force_login(user)
        response = client.get(changelist)
        assert response.status_code == 200
        return response.content.decode()

    # The chief sees his own person's link, not the other station's; the planner sees both.
    page = shown(chief)
    assert mine.name in page and stranger.name not in page
    assert "revoke_links" not in page  # chiefs read here and manage on their pages
    page = shown(factories.planner())
    assert mine.name in page and stranger.name in page and "revoke_links" in page
    # Nobody adds a link in the admin: its secret exists only when the page makes it.
    client = Client()
    client.force_login(factories.planner())
    assert client.get(changelist + "add/").status_code == 403

    # An auditor's POST of the action is refused and changes nothing.
    auditor = Client()
    auditor.force_login(factories.auditor())
    live = FeedToken.objects.filter(revoked_at__isnull=True)
    auditor.post(changelist, {"action": "revoke_links", "_selected_action": [t.pk for t in live]})
    assert live.count() == 2

    planner = factories.planner()
    client.force_login(planner)
    token = FeedToken.objects.get(person=mine)
    response = client.post(changelist, {"action": "revoke_links", "_selected_action": [token.pk]}, follow=True)
    assert "已作废 1 个日历订阅链接。" in response.content.decode()  # pages speak zh-hans unless asked otherwise
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == planner
    assert FeedToken.objects.get(person=stranger).revoked_at is None
    event = AuditEvent.objects.filter(action="roster.feed_link_revoke").latest("pk")
    assert event.user == planner
