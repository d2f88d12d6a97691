"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by Playwright
against pytest-django's live server.

Fixtures, so that a journey reads as the user's steps:
- `browser`: one Chromium for the session;
- `open_page(language)`: a fresh 1280 px wide page whose console errors fail the test;
- `login_as(role, language)`: such a page, logged in through the login form as a planner, an auditor
  or the chief of the county's first station (`journey_county` holds the users and their passwords).
The allocation-review and roster journeys (after the merge) add their files next to test_journeys.py
and use the same fixtures.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from config.roles import Role
from personnel.models import Person, User
from personnel.services import user_set_role
from stations.models import County, Station
from tests import factories
from workload.aggregate import cells_refresh

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The README's pictures are refreshed on purpose (JINGLI_SCREENSHOT_DIR=docs/screenshots); an ordinary run
# writes them under tests/artifacts/ so that running the suite leaves the working tree clean.
SCREENSHOTS = Path(
    os.environ.get("JINGLI_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "tests" / "artifacts" / "screenshots"
)
VIEWPORT = {"width": 1280, "height": 900}
PASSWORD = "correct horse battery"  # tests.factories.user gives every account this one


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One Chromium per test module, closed with it, so no event loop outlives the browser tests."""
    if not CHROMIUM.exists():
        if os.environ.get("JINGLI_REQUIRE_SERVICES") == "1":
            pytest.fail("CI needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
        pytest.skip("needs Debian's chromium: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while it lives; the ORM calls the tests
    # (and the database teardown) make between browser steps are still plain synchronous calls, which
    # Django would otherwise refuse. Allowed for exactly as long as the browser is open.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=FLAGS)
        yield chromium
        chromium.close()


@dataclass
class Console:
    """Console errors and uncaught page errors; a test may declare the ones it provokes on purpose."""

    errors: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect(self, fragment: str) -> None:
        self.expected.append(fragment)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(fragment in e for fragment in self.expected)]


@dataclass
class JourneyCounty:
    county: County
    stations: list[Station]
    users: dict[str, User]


def _account(username: str, role: str, station: Station | None = None) -> User:
    account = User.objects.create_user(username=username, password=PASSWORD)
    user_set_role(user=account, role=role, station=station)
    return account


@pytest.fixture
def journey_county(transactional_db: None, tasks_in_process: None) -> JourneyCounty:
    """A small county with workload, people away from their post and an allocation proposal."""
    row = factories.county(code="QH", name="清河县", name_en="Qinghe County")
    busy = factories.station(county_row=row, code="QH-01", name="城关派出所")
    quiet = factories.station(county_row=row, code="QH-02", name="石门乡派出所", kind="rural")
    bureau = factories.station(county_row=row, code="QH-ZH", name="指挥中心", kind="department")
    factories.place(
        factories.person(post=Person.Post.CHIEF, rank=Person.Rank.INSPECTOR_3), busy, unit_kind="leadership"
    )
    for _n in range(4):
        factories.place(factories.person(post=Person.Post.COMMUNITY_OFFICER), busy, unit_kind="community")
    factories.place(factories.person(status=Person.Status.SECONDED, seconded_to="市局"), busy)
    for n in range(12):
        factories.place(
            factories.person(post=Person.Post.COMMUNITY_OFFICER if n < 5 else Person.Post.CASE_OFFICER),
            quiet,
            unit_kind="community" if n < 5 else "case",
        )
    for _n in range(10):
        factories.place(factories.person(post=Person.Post.DEPARTMENT_OFFICER), bureau)
    factories.jurisdiction(busy, residents=8000)
    factories.jurisdiction(quiet, residents=3000)
    factories.incidents(busy, 2000, category="ZA01", months=10)
    factories.incidents(quiet, 200, category="ZA01", months=10)
    cells_refresh()
    call_command("run_allocation", "--county", "QH", "--max-moves", "4", stdout=io.StringIO())
    # Fixed names, so the screenshots do not change with the order the tests run in.
    users = {
        "planner": _account("planner", Role.PLANNER),
        # Separation of duties: the planner who starts a run does not approve its proposal.
        "approver": _account("approver", Role.PLANNER),
        "auditor": _account("auditor", Role.AUDITOR),
        "chief": _account("chief-qh-01", Role.CHIEF, busy),
    }
    return JourneyCounty(row, [busy, quiet, bureau], users)


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Callable[[str], Any]]:
    """Open a fresh page in `language` ("zh-CN" or "en-US"); console errors fail the test at the end."""
    contexts = []
    consoles: list[Console] = []

    def open_(language: str = "zh-CN") -> Any:
        context = browser.new_context(viewport=VIEWPORT, locale=language, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        console = Console()
        consoles.append(console)
        page.on("console", lambda message: message.type == "error" and console.errors.append(message.text))
        page.on("pageerror", lambda error: console.errors.append(str(error)))
        page.console = console
        page.base = live_server.url
        return page

    yield open_
    for context in contexts:
        context.close()
    unexpected = [error for console in consoles for error in console.unexpected()]
    assert not unexpected, f"console errors: {unexpected}"


@pytest.fixture
def login_as(open_page: Callable[[str], Any], journey_county: JourneyCounty) -> Callable[..., Any]:
    def login(role: str, language: str = "zh-CN") -> Any:
        page = open_page(language)
        page.goto(page.base + "/accounts/login/")
        check_page(page)
        page.fill("#id_username", journey_county.users[role].username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "/accounts/login/" not in page.url, "login failed"
        return page

    return login


# --- Assertions every page must pass ---------------------------------------------------------------

UNLABELLED = """() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => !['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type))
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def check_page(page: Any) -> None:
    """Forms have labels; nothing scrolls sideways at 1280 px; the page says what language it is in."""
    unlabelled = page.evaluate(UNLABELLED)
    assert not unlabelled, f"form fields without a label on {page.url}: {unlabelled}"
    overflow = page.evaluate(OVERFLOW)
    assert overflow <= 0, f"{page.url} scrolls {overflow} px sideways at 1280 px"
    assert page.get_attribute("html", "lang") in ("zh-hans", "en")


def screenshot(page: Any, name: str) -> None:
    """The visible 1280 × 900 part of the page, for the README (SCREENSHOTS/NAME.png)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
