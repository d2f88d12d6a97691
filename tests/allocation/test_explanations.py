"""Every move explains itself in the reader's language: reasons are stored as codes with figures."""

from __future__ import annotations

from django.utils import translation

from allocation.engine import Counts, Instance, Member, Move, Place
from allocation.explain import explain_move, reasons_text, rule_label


def explanation() -> dict[str, object]:
    places = [
        Place(1, "QH-01", True, need=10, officer_need=8, case_need=3, latitude=30.0, longitude=114.0),
        Place(2, "QH-02", True, need=4, officer_need=3, latitude=30.2, longitude=114.2),
    ]
    member = Member(7, 2, True, investigator=True, tenure_years=3.26)
    instance = Instance(places, [member])
    before = {1: Counts(officers=6), 2: Counts(officers=7)}
    after = {1: Counts(officers=7, investigators=1), 2: Counts(officers=6)}
    return explain_move(instance, Move(7, 2, 1, community=True, cost=2.0), member, before, after)


def test_reasons_are_stored_as_codes_not_sentences() -> None:
    reasons = explanation()["reasons"]
    assert [r["code"] for r in reasons] == ["surplus", "investigator", "community", "tenure", "distance"]  # type: ignore[index,union-attr]
    assert reasons[0] == {"code": "surplus", "place": "QH-02", "people": 3.0}  # type: ignore[index]


def test_the_same_explanation_reads_in_english_and_in_chinese() -> None:
    stored = explanation()
    with translation.override("en"):
        english = reasons_text(stored)
    with translation.override("zh-hans"):
        chinese = reasons_text(stored)
    assert english == [
        "QH-02 has 3.0 people above its need",
        "investigator: QH-01's case team lacks investigators",
        "joins QH-01's community team",
        "3.3 years in post",
        "29 km between the two places",
    ]
    assert chinese == [
        "QH-02 人员比需求多 3.0 人",
        "侦查员：QH-01 的案件办理队缺少侦查员",
        "加入 QH-01 的社区警务队",
        "任现职 3.3 年",
        "两地相距 29 公里",
    ]
    with translation.override("zh-hans"):
        assert rule_label("qualified") == "案件办理所需具备执法资格的民警"


def test_what_the_move_does_to_both_places_is_kept() -> None:
    stored = explanation()
    assert stored["origin"]["gap_before"] == -3.0 and stored["origin"]["gap_after"] == -2.0  # type: ignore[index]
    assert stored["destination"]["gap_before"] == 4.0 and stored["destination"]["gap_after"] == 3.0  # type: ignore[index]


def test_old_sentences_still_read() -> None:
    assert reasons_text({"reasons": ["moved by hand"]}) == ["moved by hand"]


def test_pages_show_station_names_in_the_reasons() -> None:
    with translation.override("en"):
        assert reasons_text(explanation(), {"QH-02": "石门乡派出所"})[0] == "石门乡派出所 has 3.0 people above its need"
