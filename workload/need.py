"""Need of a station from its measured workload, its fixed posts and the policy floors. Pure.

The formulas are DOMAIN.md §3. Every figure is kept with the numbers it came from, so a page can show
the formula with the station's own values (`NeedResult.explain`).

    committed  = reactive officer-hours + follow-up (case) hours          per team, per year
    admin      = committed × admin minutes per hour / 60
    required   = (committed + admin) / (1 − proactive share)
    workload   = required / net hours per person                          (people)
    posts      = Σ hours per week × 52.18 × people on the post / net hours per person
    team need  = workload + posts; the community team at least Σ⌈residents / residents per officer⌉
    need       = leaders + Σ team needs, at least the minimum officers per station
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

TEAMS = ("command", "case", "community")
# What each step of an explanation is called on a page (the same words as the teams' names).
STEP_LABELS = {
    "window": gettext_lazy("Measured window"),
    "command": gettext_lazy("Command room"),
    "case": gettext_lazy("Case handling team"),
    "community": gettext_lazy("Community policing team"),
    "need": gettext_lazy("Need"),
}
WEEKS_PER_YEAR = 365.25 / 7


@dataclass(frozen=True)
class Post:
    name: str
    team: str
    hours_per_week: float
    persons: int
    officers_only: bool


@dataclass(frozen=True)
class Standards:
    proactive_share: float = 0.40
    net_hours_per_person: float = 1800.0
    admin_minutes_per_hour: float = 10.0
    residents_per_community_officer: int = 4000
    min_officers: int = 5
    leaders: int = 2
    posts: tuple[Post, ...] = ()


@dataclass(frozen=True)
class StationWorkload:
    """What was measured for one station over `months` months, and who works there now."""

    months: int
    officer_hours: dict[str, float]  # by team, over the months measured
    officer_only_hours: dict[str, float]  # by team: the part auxiliaries may not do
    follow_up_hours: float
    police_area_residents: tuple[int, ...]
    effective_officers: int
    effective_auxiliaries: int


@dataclass
class TeamNeed:
    team: str
    reactive_hours: float
    follow_up_hours: float
    admin_hours: float
    required_hours: float
    workload_people: float
    post_people: float
    floor_people: float
    need: float
    officer_need: float


class ExplainLine(NamedTuple):
    """One line of the formula: a stable step name (for the API) and the text in the active language."""

    step: str
    text: str

    @property
    def label(self) -> str:
        return str(STEP_LABELS.get(self.step, self.step))


@dataclass
class NeedResult:
    teams: dict[str, TeamNeed]
    leaders: int
    community_floor: float
    need: float
    officer_need: float
    effective_people: int
    effective_officers: int
    committed_hours: float
    workload_per_person: float | None
    saturation: float | None
    floor_applied: bool
    explain: list[ExplainLine] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """People missing (positive) or in excess (negative) against need."""
        return self.need - self.effective_people

    @property
    def officer_gap(self) -> float:
        return self.officer_need - self.effective_officers


def compute_need(workload: StationWorkload, standards: Standards, *, station_kind: str) -> NeedResult:
    months = max(workload.months, 1)
    per_year = 12.0 / months
    net = standards.net_hours_per_person
    keep = 1.0 - standards.proactive_share
    admin_rate = standards.admin_minutes_per_hour / 60.0
    community_floor = float(
        sum(
            math.ceil(residents / standards.residents_per_community_officer)
            for residents in workload.police_area_residents
        )
    )
    teams: dict[str, TeamNeed] = {}
    for team in TEAMS:
        reactive = workload.officer_hours.get(team, 0.0) * per_year
        follow_up = workload.follow_up_hours * per_year if team == "case" else 0.0
        committed = reactive + follow_up
        admin = committed * admin_rate
        required = (committed + admin) / keep
        posts = [p for p in standards.posts if p.team == team]
        post_people = sum(p.hours_per_week * WEEKS_PER_YEAR * p.persons for p in posts) / net
        officer_post_people = sum(p.hours_per_week * WEEKS_PER_YEAR * p.persons for p in posts if p.officers_only) / net
        workload_people = required / net
        floor = community_floor if team == "community" else 0.0
        need = max(workload_people + post_people, floor)
        if team == "case":
            officer_need = need  # case handling is law enforcement: officers only
        else:
            only = workload.officer_only_hours.get(team, 0.0) * per_year
            officer_need = max((only * (1 + admin_rate) / keep) / net + officer_post_people, floor)
        teams[team] = TeamNeed(
            team=team,
            reactive_hours=reactive,
            follow_up_hours=follow_up,
            admin_hours=admin,
            required_hours=required,
            workload_people=workload_people,
            post_people=post_people,
            floor_people=floor,
            need=need,
            officer_need=min(officer_need, need),
        )
    raw_need = standards.leaders + sum(t.need for t in teams.values())
    need = max(raw_need, float(standards.min_officers))
    officer_need = max(standards.leaders + sum(t.officer_need for t in teams.values()), float(standards.min_officers))
    committed = sum(t.reactive_hours + t.follow_up_hours for t in teams.values())
    people = workload.effective_officers + workload.effective_auxiliaries
    result = NeedResult(
        teams=teams,
        leaders=standards.leaders,
        community_floor=community_floor,
        need=need,
        officer_need=min(officer_need, need),
        effective_people=people,
        effective_officers=workload.effective_officers,
        committed_hours=committed,
        workload_per_person=committed / people if people else None,
        saturation=committed / (people * net) if people else None,
        floor_applied=raw_need < standards.min_officers,
    )
    result.explain = _explain(result, standards, per_year, months)
    return result


def _explain(result: NeedResult, standards: Standards, per_year: float, months: int) -> list[ExplainLine]:
    """Formula and numbers, line by line, in plain notation any planner can check on paper.

    Translated when computed, in the language active for the request that asked for it.
    """
    keep = 1 - standards.proactive_share
    lines = [
        ExplainLine(
            "window",
            _("%(months)d months measured, × %(factor)s to a year") % {"months": months, "factor": f"{per_year:.2f}"},
        )
    ]
    for team in result.teams.values():
        text = _(
            "(%(reactive)s reactive + %(follow_up)s follow-up) h × (1 + %(admin)s/60 admin) ÷ %(keep)s"
            " = %(required)s h ÷ %(net)s h = %(workload)s + %(posts)s posts"
        ) % {
            "reactive": f"{team.reactive_hours:,.0f}",
            "follow_up": f"{team.follow_up_hours:,.0f}",
            "admin": f"{standards.admin_minutes_per_hour:g}",
            "keep": f"{keep:.2f}",
            "required": f"{team.required_hours:,.0f}",
            "net": f"{standards.net_hours_per_person:,.0f}",
            "workload": f"{team.workload_people:.1f}",
            "posts": f"{team.post_people:.1f}",
        }
        if team.floor_people:
            text += _(", floor %(floor)s") % {"floor": f"{team.floor_people:.0f}"}
        lines.append(ExplainLine(team.team, f"{text} → {team.need:.1f}"))
    total = result.leaders + sum(t.need for t in result.teams.values())
    text = _("%(leaders)d leaders + %(teams)s = %(total)s") % {
        "leaders": result.leaders,
        "teams": " + ".join(f"{t.need:.1f}" for t in result.teams.values()),
        "total": f"{total:.1f}",
    }
    if result.floor_applied:
        text += _(", raised to the floor of %(minimum)d") % {"minimum": standards.min_officers}
    lines.append(ExplainLine("need", text))
    return lines
