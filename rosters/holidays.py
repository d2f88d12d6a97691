"""China's official public holidays and make-up working days (国务院办公厅 notices), as plain data.

2025: 国办发明电〔2024〕12号 of 12 November 2024 (the first year with the revised 全国年节及纪念日放假办法:
New Year's Eve of the lunar calendar and 2 May became statutory days). 2026: the notice of 4 November 2025.
Each holiday lists its days off, the statutory days among them (法定节假日, the rest are bridged weekend
days), and the weekend days worked in exchange (调休上班). rosters.reference installs them into every
new database and `python manage.py load_holidays` reloads a year;
planners edit the calendar in the admin when the next notice comes out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Holiday:
    name: str
    first: dt.date
    last: dt.date
    statutory: tuple[dt.date, ...]
    makeup: tuple[dt.date, ...] = ()

    def days_off(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def _span(first: dt.date, count: int) -> tuple[dt.date, ...]:
    return tuple(first + dt.timedelta(days=i) for i in range(count))


OFFICIAL: dict[int, tuple[Holiday, ...]] = {
    2025: (
        Holiday("元旦", _d(2025, 1, 1), _d(2025, 1, 1), (_d(2025, 1, 1),)),
        # 除夕 (28 Jan) to 初三 (31 Jan) are statutory since 2025; 8 days off with two weekend days worked.
        Holiday("春节", _d(2025, 1, 28), _d(2025, 2, 4), _span(_d(2025, 1, 28), 4), (_d(2025, 1, 26), _d(2025, 2, 8))),
        Holiday("清明节", _d(2025, 4, 4), _d(2025, 4, 6), (_d(2025, 4, 4),)),
        Holiday("劳动节", _d(2025, 5, 1), _d(2025, 5, 5), _span(_d(2025, 5, 1), 2), (_d(2025, 4, 27),)),
        Holiday("端午节", _d(2025, 5, 31), _d(2025, 6, 2), (_d(2025, 5, 31),)),
        # National Day and Mid-Autumn (6 Oct) merged into 8 days.
        Holiday(
            "国庆节、中秋节",
            _d(2025, 10, 1),
            _d(2025, 10, 8),
            (*_span(_d(2025, 10, 1), 3), _d(2025, 10, 6)),
            (_d(2025, 9, 28), _d(2025, 10, 11)),
        ),
    ),
    2026: (
        Holiday("元旦", _d(2026, 1, 1), _d(2026, 1, 3), (_d(2026, 1, 1),), (_d(2026, 1, 4),)),
        # 除夕 falls on 16 Feb 2026 (腊月二十九); the holiday runs from 腊月二十八 to 正月初七.
        Holiday(
            "春节", _d(2026, 2, 15), _d(2026, 2, 23), _span(_d(2026, 2, 16), 4), (_d(2026, 2, 14), _d(2026, 2, 28))
        ),
        Holiday("清明节", _d(2026, 4, 4), _d(2026, 4, 6), (_d(2026, 4, 5),)),
        Holiday("劳动节", _d(2026, 5, 1), _d(2026, 5, 5), _span(_d(2026, 5, 1), 2), (_d(2026, 5, 9),)),
        Holiday("端午节", _d(2026, 6, 19), _d(2026, 6, 21), (_d(2026, 6, 19),)),
        Holiday("中秋节", _d(2026, 9, 25), _d(2026, 9, 27), (_d(2026, 9, 25),)),
        Holiday(
            "国庆节", _d(2026, 10, 1), _d(2026, 10, 7), _span(_d(2026, 10, 1), 3), (_d(2026, 9, 20), _d(2026, 10, 10))
        ),
    ),
}


def calendar_rows(year: int) -> list[tuple[dt.date, str, str, bool]]:
    """(date, kind, name, statutory) for every holiday and make-up day of a year, by date."""
    rows: list[tuple[dt.date, str, str, bool]] = []
    for holiday in OFFICIAL[year]:
        rows.extend((day, "holiday", holiday.name, day in holiday.statutory) for day in holiday.days_off())
        rows.extend((day, "makeup", holiday.name, False) for day in holiday.makeup)
    return sorted(rows)
