"""The built-in shift patterns, as plain data (installed after every migrate by rosters.reference).

Figures are defaults a planner may change in the admin. Rest between 24-hour duties follows from the
rotation: with 3 groups a group is on one day in three, so 48 hours off; with 4 groups 72 hours.
"""

from __future__ import annotations

from typing import Any

# (code, start "HH:MM", hours, name, night, leader_shift)
Shift = tuple[str, str, float, str, bool, bool]

BUILTIN_PATTERNS: list[dict[str, Any]] = [
    {
        "code": "DUTY24-3",
        "name": "24小时值班（三组轮换）",
        "kind": "duty24_3",
        "groups": 3,
        "min_rest_hours": 48,
        "max_consecutive_days": 1,
        "max_hours_week": 72,
        "max_hours_month": 264,
        "teams": "",
        "shifts": [("值", "08:00", 24, "24小时值班", True, True)],
        "forbidden": [],
    },
    {
        "code": "DUTY24-4",
        "name": "24小时值班（四组轮换）",
        "kind": "duty24_4",
        "groups": 4,
        "min_rest_hours": 72,
        "max_consecutive_days": 1,
        "max_hours_week": 48,
        "max_hours_month": 192,
        "teams": "",
        "shifts": [("值", "08:00", 24, "24小时值班", True, True)],
        "forbidden": [],
    },
    {
        "code": "THREE8",
        "name": "三班倒（8小时）",
        "kind": "three8",
        "groups": 0,
        "min_rest_hours": 11,
        "max_consecutive_days": 6,
        "max_hours_week": 48,
        "max_hours_month": 192,
        "teams": "",
        # The night shift opens the day (00:00-08:00), so every shift lies within its own date.
        "shifts": [
            ("N", "00:00", 8, "夜班", True, False),
            ("D", "08:00", 8, "白班", False, True),
            ("E", "16:00", 8, "中班", False, False),
        ],
        # An evening shift ends at midnight: the next day's night or day shift would leave 0 or 8 hours.
        "forbidden": [["E", "N"], ["E", "D"]],
    },
    {
        "code": "TWO12",
        "name": "白夜两班（12小时）",
        "kind": "two12",
        "groups": 0,
        "min_rest_hours": 12,
        "max_consecutive_days": 4,
        "max_hours_week": 48,
        "max_hours_month": 192,
        "teams": "",
        "shifts": [
            ("D", "08:00", 12, "白班", False, True),
            ("N", "20:00", 12, "夜班", True, False),
        ],
        # A night ends at 08:00, when the day shift starts: no rest at all.
        "forbidden": [["N", "D"]],
    },
    {
        "code": "OFFICE",
        "name": "社区民警工作日（8:30-17:30）",
        "kind": "office",
        "groups": 0,
        "min_rest_hours": 12,
        "max_consecutive_days": 6,
        "max_hours_week": 45,
        "max_hours_month": 180,
        "teams": "community",
        "workdays_only": True,
        "leader_daily": False,
        "desk_persons": 0,
        "standby_crews": 0,
        "crew_size": 1,
        "shifts": [("班", "08:30", 9, "工作日", False, False)],
        "forbidden": [],
    },
]
