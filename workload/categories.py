"""The standard catalogue every county starts with: incident categories and qualifications.

Category names follow the groupings used in Chinese 110 incident statistics (刑事、治安、交通、纠纷、
求助、灾害、举报); handling minutes and crews are plausible defaults, tunable per county in the admin.
The relative frequencies by kind of jurisdiction are used by the demo generator only. Loaded after
every migration (insert-only, so a planner's edits stay).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySpec:
    code: str
    team: str
    name_zh: str
    name_en: str
    group: str
    minutes: int
    crew: int
    officer_only: bool
    # relative frequency in urban, town and rural jurisdictions
    urban: float
    town: float
    rural: float


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec("XS01", "case", "盗窃", "Theft", "criminal", 90, 2, True, 9.0, 7.0, 5.0),
    CategorySpec("XS02", "case", "电信网络诈骗", "Telecom and online fraud", "criminal", 120, 2, True, 7.0, 5.0, 3.5),
    CategorySpec("XS03", "case", "抢劫抢夺", "Robbery and snatching", "criminal", 150, 3, True, 0.6, 0.4, 0.2),
    CategorySpec("XS04", "case", "故意伤害", "Assault causing injury", "criminal", 150, 3, True, 1.2, 1.2, 1.0),
    CategorySpec("ZA01", "command", "打架斗殴", "Fighting", "public_order", 60, 2, True, 5.0, 4.5, 3.5),
    CategorySpec("ZA02", "command", "赌博", "Gambling", "public_order", 90, 3, True, 1.0, 1.5, 2.0),
    CategorySpec("ZA03", "command", "噪音扰民", "Noise nuisance", "public_order", 30, 2, False, 6.0, 3.0, 1.5),
    CategorySpec("ZA04", "command", "醉酒滋事", "Drunken disturbance", "public_order", 45, 2, False, 4.0, 3.0, 2.0),
    CategorySpec("JT01", "command", "交通事故", "Traffic accident", "traffic", 60, 2, False, 9.0, 8.0, 6.0),
    CategorySpec("JT02", "command", "交通堵塞", "Traffic congestion", "traffic", 30, 1, False, 4.0, 2.0, 0.5),
    CategorySpec("JF01", "community", "家庭纠纷", "Family dispute", "dispute", 50, 2, False, 6.0, 8.0, 10.0),
    CategorySpec("JF02", "community", "邻里纠纷", "Neighbour dispute", "dispute", 45, 2, False, 5.0, 7.0, 9.0),
    CategorySpec(
        "JF03", "community", "经济纠纷", "Economic dispute and unpaid wages", "dispute", 60, 2, False, 4.0, 4.5, 4.0
    ),
    CategorySpec("QZ01", "command", "群众求助", "Request for help", "assistance", 30, 2, False, 10.0, 9.0, 9.0),
    CategorySpec("QZ02", "command", "人员走失", "Missing person", "assistance", 120, 3, False, 1.0, 1.2, 1.5),
    CategorySpec(
        "QZ03",
        "command",
        "救助醉酒或病患",
        "Aid to an intoxicated or ill person",
        "assistance",
        40,
        2,
        False,
        3.0,
        2.5,
        2.0,
    ),
    CategorySpec("HZ01", "command", "火灾", "Fire", "disaster", 60, 2, False, 0.8, 1.0, 1.2),
    CategorySpec("HZ02", "command", "自然灾害", "Natural disaster", "disaster", 120, 3, False, 0.2, 0.4, 0.6),
    CategorySpec("JB01", "command", "违法犯罪线索举报", "Tip-off on an offence", "report", 30, 1, False, 3.0, 2.5, 2.0),
    CategorySpec("JB02", "command", "投诉", "Complaint", "report", 20, 1, False, 3.0, 2.0, 1.5),
    CategorySpec("QT01", "command", "其他警情", "Other incident", "other", 30, 2, False, 4.0, 4.0, 4.0),
    CategorySpec("QT02", "command", "无效警情", "Invalid call (hoax or misdial)", "other", 5, 1, False, 4.0, 3.0, 2.5),
)

# Investigation after the first response, per incident, in hours (officers only): the case load.
FOLLOW_UP_HOURS = {"XS01": 1.5, "XS02": 3.0, "XS03": 6.0, "XS04": 4.0, "ZA01": 1.0, "ZA02": 1.5}

QUALIFICATIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("DRIVER", "机动车驾驶", "Vehicle driver", False),
    ("HUKOU", "户籍管理", "Household registration", False),
    ("SCENE", "现场勘查", "Crime scene examination", True),
    ("MEDIATION", "人民调解", "Dispute mediation", False),
)
