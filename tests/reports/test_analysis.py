"""The reports' pandas analysis, on small literal frames: each figure as a planner would check it."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd

from reports import analysis

RULES = analysis.Rules(min_officers=5, min_community_share=0.40, min_station_share=0.40)


def stations(*rows: tuple) -> pd.DataFrame:  # type: ignore[type-arg]
    columns = [
        "code",
        "name",
        "kind",
        "is_department",
        "nominal_officers",
        "effective_officers",
        "community_officers",
        "residents",
        "residents_limit",
    ]
    return pd.DataFrame(list(rows), columns=columns)


def test_compliance_flags_each_rule_separately() -> None:
    frame = stations(
        ("S1", "城关", "urban", False, 12, 10, 4, 16000, 4000),  # compliant: 40 %, 4,000 per officer
        ("S2", "山口", "rural", False, 4, 4, 2, 9000, 5000),  # below floor; 50 %; 4,500 per officer
        ("S3", "白马", "town", False, 12, 12, 3, 30000, 4000),  # 25 % community; 10,000 per officer
        ("S4", "石门", "rural", False, 6, 6, 0, 2000, 5000),  # no community officer for 2,000 residents
        ("D1", "指挥中心", "department", True, 20, 20, 0, 0, 4000),
    )
    table = analysis.compliance(frame, RULES).set_index("code")
    assert list(table.index) == ["S1", "S2", "S3", "S4"]  # departments are not stations
    assert table.loc["S1", "breaches"] == 0
    assert bool(table.loc["S2", "below_floor"]) and table.loc["S2", "breaches"] == 1
    assert bool(table.loc["S3", "community_share_low"]) and bool(table.loc["S3", "residents_over"])
    assert table.loc["S3", "residents_per_community_officer"] == 10000
    assert bool(table.loc["S4", "residents_over"]) and math.isnan(table.loc["S4", "residents_per_community_officer"])


def test_station_share_counts_officers_on_the_books() -> None:
    frame = stations(
        ("S1", "a", "urban", False, 30, 20, 8, 0, 4000),
        ("D1", "b", "department", True, 70, 70, 0, 0, 4000),
    )
    share = analysis.station_share(frame, RULES)
    assert (share.station_officers, share.county_officers) == (30, 100)
    assert share.share == 0.30 and share.below_standard
    assert not analysis.station_share(frame.assign(nominal_officers=[60, 40]), RULES).below_standard


def people(*rows: tuple) -> pd.DataFrame:  # type: ignore[type-arg]
    columns = ["station_code", "station_name", "team", "number", "name", "kind", "post", "status", "seconded_to"]
    return pd.DataFrame(list(rows), columns=columns)


PEOPLE = people(
    ("S1", "城关", "case", "001", "甲", "officer", "case_officer", "active", ""),
    ("S1", "城关", "case", "002", "乙", "officer", "case_officer", "seconded", "市局"),
    ("S1", "城关", "community", "003", "丙", "officer", "community_officer", "long_leave", ""),
    ("S1", "城关", "command", "FJ1", "丁", "aux_duty", "aux_patrol", "active", ""),
    ("S2", "河口", "case", "004", "戊", "officer", "case_officer", "active", ""),
    ("S2", "河口", "command", "FJ2", "己", "aux_duty", "aux_desk", "training", ""),
)


def test_absence_by_station_separates_the_books_from_the_post() -> None:
    table = analysis.absence_by_station(PEOPLE).set_index("station_code")
    s1 = table.loc["S1"]
    assert (s1.nominal_officers, s1.effective_officers, s1.nominal_auxiliaries, s1.effective_auxiliaries) == (
        3,
        1,
        1,
        1,
    )
    assert (s1.seconded, s1.long_leave, s1.training, s1.not_at_post) == (1, 1, 0, 2)
    assert s1.not_at_post_share == 0.5
    s2 = table.loc["S2"]
    assert (s2.effective_auxiliaries, s2.training, s2.not_at_post) == (0, 1, 1)


def test_absent_people_lists_only_those_away() -> None:
    away = analysis.absent_people(PEOPLE)
    assert list(away["number"]) == ["003", "002", "FJ2"]  # by station, then status, then number
    assert away.loc[away["number"] == "002", "seconded_to"].item() == "市局"


def test_workload_per_team_shares_hours_among_people_at_post() -> None:
    workload = pd.DataFrame(
        [
            ("S1", "case", pd.Timestamp("2026-01-01"), 10, 300.0),
            ("S1", "case", pd.Timestamp("2026-02-01"), 5, 100.0),
            ("S1", "command", pd.Timestamp("2026-01-01"), 8, 60.0),
            ("S2", "case", pd.Timestamp("2026-01-01"), 2, 40.0),
        ],
        columns=["station_code", "team", "month", "incidents", "officer_hours"],
    )
    per_team = analysis.workload_per_team(workload, PEOPLE, months=2)
    s1_case = per_team.query("station_code == 'S1' and team == 'case'").iloc[0]
    # 400 h over two months for the one case officer at post (the seconded one does not count).
    assert (s1_case.incidents, s1_case.officer_hours, s1_case.people_at_post) == (15, 400.0, 1)
    assert s1_case.hours_per_person == 400.0 and s1_case.hours_per_person_per_month == 200.0
    s1_community = per_team.query("station_code == 'S1' and team == 'community'")
    assert s1_community.empty  # nobody at post and no hours: nothing to show
    s2_command = per_team.query("station_code == 'S2' and team == 'command'")
    assert s2_command.empty  # the only command auxiliary is in training
    per_station = analysis.workload_per_station(per_team, months=2).set_index("station_code")
    assert per_station.loc["S1", "hours_per_person"] == 460.0 / 2  # case officer and patrol auxiliary
    assert per_station.loc["S2", "hours_per_person"] == 40.0
    mean = (230.0 + 40.0) / 2
    assert per_station.loc["S1", "against_mean"] == 230.0 / mean


def test_a_team_with_people_but_no_hours_shows_zero_not_nothing() -> None:
    workload = pd.DataFrame(
        [("S1", "case", pd.Timestamp("2026-01-01"), 3, 30.0)],
        columns=["station_code", "team", "month", "incidents", "officer_hours"],
    )
    per_team = analysis.workload_per_team(workload, PEOPLE, months=1)
    command = per_team.query("station_code == 'S1' and team == 'command'").iloc[0]
    assert (command.officer_hours, command.people_at_post, command.hours_per_person) == (0.0, 1, 0.0)


def test_months_between_counts_both_ends() -> None:
    assert analysis.months_between("2025-11-01", "2026-10-01") == 12
    assert analysis.months_between("2026-03-01", "2026-03-01") == 1


BEFORE = {
    "stations": [
        {"code": "S1", "need": 20.0, "people": 14, "gap": 6.0, "workload_per_person": 900.0},
        {"code": "S2", "need": 10.0, "people": 13, "gap": -3.0, "workload_per_person": 300.0},
    ],
    "shortfall": 6.0,
    "stations_below_need": 1,
    "workload_per_person_cv": 0.5,
    "workload_per_person_max_min": 3.0,
    "station_share_of_officers": 0.6,
    "violations": [{"rule": "min_officers"}, {"rule": "community_share"}],
}
AFTER = {
    "stations": [
        {"code": "S1", "need": 20.0, "people": 17, "gap": 3.0, "workload_per_person": 741.2},
        {"code": "S2", "need": 10.0, "people": 10, "gap": 0.0, "workload_per_person": 390.0},
    ],
    "shortfall": 3.0,
    "stations_below_need": 1,
    "workload_per_person_cv": 0.31,
    "workload_per_person_max_min": 1.9,
    "station_share_of_officers": 0.6,
    "violations": [{"rule": "community_share"}],
}


def test_proposal_summary_counts_violations_and_computes_changes() -> None:
    summary = analysis.proposal_summary(BEFORE, AFTER).set_index("metric")
    assert summary.loc["shortfall", "change"] == -3.0
    assert (summary.loc["violations", "before"], summary.loc["violations", "after"]) == (2, 1)
    assert summary.loc["station_share_of_officers", "change"] == 0.0


def test_proposal_stations_joins_before_after_and_moves() -> None:
    moves = pd.DataFrame([("S2", "S1")] * 3, columns=["origin_code", "destination_code"])
    table = analysis.proposal_stations(BEFORE, AFTER, moves).set_index("code")
    assert (table.loc["S1", "people_before"], table.loc["S1", "people_after"]) == (14, 17)
    assert (table.loc["S1", "arriving"], table.loc["S1", "leaving"]) == (3, 0)
    assert (table.loc["S2", "gap_before"], table.loc["S2", "gap_after"], table.loc["S2", "leaving"]) == (-3.0, 0.0, 3)


def test_proposal_without_moves_has_zero_arrivals() -> None:
    empty = pd.DataFrame([], columns=["origin_code", "destination_code"])
    table = analysis.proposal_stations(BEFORE, BEFORE, empty)
    assert table["arriving"].tolist() == [0, 0] and table["leaving"].tolist() == [0, 0]


def test_a_department_sending_people_down_gets_a_row() -> None:
    moves = pd.DataFrame([("D1", "S1"), ("S2", "S1")], columns=["origin_code", "destination_code"])
    table = analysis.proposal_stations(BEFORE, AFTER, moves).set_index("code")
    assert table.loc["D1", "leaving"] == 1 and math.isnan(table.loc["D1", "need"])
    assert table.loc["S1", "arriving"] == 2


def test_report_cells_round_rather_than_cut_digits() -> None:
    from django.utils import translation

    from reports.catalogue import FLOAT, PERCENT, Column, _display

    with translation.override("en"):
        assert _display(Column("x", "x", FLOAT, digits=1), 2.96) == ("3.0", "num")
        assert _display(Column("x", "x", FLOAT, digits=0), 1234.6) == ("1,235", "num")
        assert _display(Column("x", "x", PERCENT), 0.399) == ("40 %", "num")
        assert _display(Column("x", "x", FLOAT), float("nan"))[0] == "–"


# --- Roster fairness ---------------------------------------------------------------------------------

DUTY_COLUMNS = ["station_code", "number", "name", "kind", "day", "hours", "night"]
SAT, SUN, MON, TUE = (dt.date(2026, 11, d) for d in (7, 8, 9, 10))


def duty(*rows: tuple) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(list(rows), columns=DUTY_COLUMNS)


def test_fairness_counts_nights_weekends_and_holidays_per_person() -> None:
    calendar = pd.DataFrame([(MON, "holiday"), (SUN, "makeup")], columns=["date", "kind"])
    frame = analysis.duty_fairness(
        duty(
            ("A", "1", "甲", "officer", SAT, 8.0, True),  # a night on a Saturday: both
            ("A", "1", "甲", "officer", SUN, 8.0, False),  # a make-up working Sunday: neither
            ("A", "1", "甲", "officer", MON, 8.0, False),  # a public holiday on a Monday
            ("A", "2", "乙", "aux_duty", TUE, 12.0, True),
        ),
        calendar,
    ).set_index("number")
    assert frame.loc["1", ["shifts", "hours", "nights", "weekends", "holidays"]].tolist() == [3, 24.0, 1, 1, 1]
    assert frame.loc["2", ["shifts", "hours", "nights", "weekends", "holidays"]].tolist() == [1, 12.0, 1, 0, 0]
    # The station mean is half a weekend shift each: one above, the other below.
    assert frame.loc["1", "weekends_vs_mean"] == 0.5 and frame.loc["2", "weekends_vs_mean"] == -0.5
    assert frame.loc["1", "nights_vs_mean"] == 0.0


def test_fairness_compares_people_within_their_own_station() -> None:
    calendar = pd.DataFrame([], columns=["date", "kind"])
    per_person = analysis.duty_fairness(
        duty(
            ("A", "1", "甲", "officer", SAT, 8.0, True),
            ("A", "1", "甲", "officer", SUN, 8.0, True),
            ("A", "2", "乙", "officer", TUE, 8.0, False),
            ("B", "3", "丙", "officer", TUE, 8.0, True),
        ),
        calendar,
    )
    assert per_person.set_index("number").loc["3", "nights_vs_mean"] == 0.0  # alone at B: no one to envy
    spread = analysis.fairness_spread(per_person).set_index("station_code")
    assert spread.loc["A", ["people", "nights_min", "nights_max", "nights_spread"]].tolist() == [2, 0, 2, 2]
    assert spread.loc["A", "weekends_mean"] == 1.0
    assert spread.loc["B", ["people", "nights_spread", "holidays_max"]].tolist() == [1, 0, 0]


def test_fairness_of_no_duty_is_empty_frames_with_their_columns() -> None:
    empty = analysis.duty_fairness(duty(), pd.DataFrame([], columns=["date", "kind"]))
    assert empty.empty and "holidays_vs_mean" in empty.columns
    spread = analysis.fairness_spread(empty)
    assert spread.empty and "weekends_spread" in spread.columns
