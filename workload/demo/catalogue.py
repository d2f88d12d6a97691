"""Fixed facts of the demo: incident categories, names, place names and the first county's layout.

Category names follow the groupings used in Chinese 110 incident statistics (刑事、治安、交通、纠纷、
求助、灾害、举报); handling minutes and crews are plausible defaults, tunable per county in the admin.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySpec:
    code: str
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
    CategorySpec("XS01", "盗窃", "Theft", "criminal", 90, 2, True, 9.0, 7.0, 5.0),
    CategorySpec("XS02", "电信网络诈骗", "Telecom and online fraud", "criminal", 120, 2, True, 7.0, 5.0, 3.5),
    CategorySpec("XS03", "抢劫抢夺", "Robbery and snatching", "criminal", 150, 3, True, 0.6, 0.4, 0.2),
    CategorySpec("XS04", "故意伤害", "Assault causing injury", "criminal", 150, 3, True, 1.2, 1.2, 1.0),
    CategorySpec("ZA01", "打架斗殴", "Fighting", "public_order", 60, 2, True, 5.0, 4.5, 3.5),
    CategorySpec("ZA02", "赌博", "Gambling", "public_order", 90, 3, True, 1.0, 1.5, 2.0),
    CategorySpec("ZA03", "噪音扰民", "Noise nuisance", "public_order", 30, 2, False, 6.0, 3.0, 1.5),
    CategorySpec("ZA04", "醉酒滋事", "Drunken disturbance", "public_order", 45, 2, False, 4.0, 3.0, 2.0),
    CategorySpec("JT01", "交通事故", "Traffic accident", "traffic", 60, 2, False, 9.0, 8.0, 6.0),
    CategorySpec("JT02", "交通堵塞", "Traffic congestion", "traffic", 30, 1, False, 4.0, 2.0, 0.5),
    CategorySpec("JF01", "家庭纠纷", "Family dispute", "dispute", 50, 2, False, 6.0, 8.0, 10.0),
    CategorySpec("JF02", "邻里纠纷", "Neighbour dispute", "dispute", 45, 2, False, 5.0, 7.0, 9.0),
    CategorySpec("JF03", "经济纠纷", "Economic dispute and unpaid wages", "dispute", 60, 2, False, 4.0, 4.5, 4.0),
    CategorySpec("QZ01", "群众求助", "Request for help", "assistance", 30, 2, False, 10.0, 9.0, 9.0),
    CategorySpec("QZ02", "人员走失", "Missing person", "assistance", 120, 3, False, 1.0, 1.2, 1.5),
    CategorySpec(
        "QZ03", "救助醉酒或病患", "Aid to an intoxicated or ill person", "assistance", 40, 2, False, 3.0, 2.5, 2.0
    ),
    CategorySpec("HZ01", "火灾", "Fire", "disaster", 60, 2, False, 0.8, 1.0, 1.2),
    CategorySpec("HZ02", "自然灾害", "Natural disaster", "disaster", 120, 3, False, 0.2, 0.4, 0.6),
    CategorySpec("JB01", "违法犯罪线索举报", "Tip-off on an offence", "report", 30, 1, False, 3.0, 2.5, 2.0),
    CategorySpec("JB02", "投诉", "Complaint", "report", 20, 1, False, 3.0, 2.0, 1.5),
    CategorySpec("QT01", "其他警情", "Other incident", "other", 30, 2, False, 4.0, 4.0, 4.0),
    CategorySpec("QT02", "无效警情", "Invalid call (hoax or misdial)", "other", 5, 1, False, 4.0, 3.0, 2.5),
)

QUALIFICATIONS: tuple[tuple[str, str, str, bool], ...] = (
    ("DRIVER", "机动车驾驶", "Vehicle driver", False),
    ("HUKOU", "户籍管理", "Household registration", False),
    ("SCENE", "现场勘查", "Crime scene examination", True),
    ("MEDIATION", "人民调解", "Dispute mediation", False),
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE_GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林阳峰建国志新海东亮成文博"
FEMALE_GIVEN = "芳娜敏静丽艳娟霞燕玲婷雪琳晶颖慧莉倩洁佳雯欣悦蕾璐瑶琪萍红梅兰月婧"

COMMUNITY_WORDS = (
    "东风",
    "胜利",
    "建设",
    "和平",
    "人民",
    "幸福",
    "向阳",
    "红星",
    "文化",
    "新华",
    "光明",
    "朝阳",
    "民主",
    "团结",
    "长安",
    "解放",
    "滨河",
    "振兴",
    "友谊",
    "锦绣",
    "春晖",
    "南湖",
    "北苑",
    "西城",
)
VILLAGE_WORDS = (
    "李家",
    "王庄",
    "石桥",
    "柳树",
    "大王",
    "河口",
    "杨庄",
    "张湾",
    "马坊",
    "刘营",
    "陈家",
    "赵庄",
    "黄土",
    "青龙",
    "白沙",
    "高家",
    "小河",
    "后店",
    "前进",
    "双井",
    "三里",
    "四方",
    "五里",
    "六合",
    "七星",
    "八里",
    "九龙",
    "十里",
    "东岗",
    "西岭",
    "南坡",
    "北洼",
    "上庄",
    "下湾",
    "中和",
    "新村",
)

SECONDMENT_PLACES = ("市公安局专案组", "县委巡察办", "县信访局", "市局指挥中心", "县扫黑办")


@dataclass(frozen=True)
class StationSpec:
    code_suffix: str
    name: str
    name_en: str
    kind: str
    population: int
    officers: int
    auxiliaries: int
    # incidents per resident relative to the kind's norm: >1 is busier than its population suggests
    intensity: float = 1.0
    community_share: float = 0.55
    seconded: int = 0


@dataclass(frozen=True)
class DepartmentSpec:
    code_suffix: str
    name: str
    name_en: str
    officers: int
    auxiliaries: int


# The first demo county, laid out by hand so that each deliberate problem sits in a known place:
# S01 has many officers seconded away; S02 is swamped (busy and thin); S07's community officers are
# a quarter of its officers; S08 and S12 are overstaffed for their workload; S11 is below the floor of 5.
FIRST_COUNTY_STATIONS: tuple[StationSpec, ...] = (
    StationSpec("S01", "城关派出所", "Chengguan Station", "urban", 72_000, 24, 44, 1.0, seconded=6),
    StationSpec("S02", "城东派出所", "Chengdong Station", "urban", 66_000, 15, 33, 1.45),
    StationSpec("S03", "城西派出所", "Chengxi Station", "urban", 50_000, 22, 34, 0.9),
    StationSpec("S04", "城南派出所", "Chengnan Station", "urban", 55_000, 20, 36, 1.0, seconded=1),
    StationSpec("S05", "城北派出所", "Chengbei Station", "urban", 45_000, 18, 32, 1.0),
    StationSpec("S06", "青石镇派出所", "Qingshi Town Station", "town", 30_000, 14, 26, 1.0, seconded=1),
    StationSpec("S07", "白马镇派出所", "Baima Town Station", "town", 35_000, 12, 26, 1.1, community_share=0.25),
    StationSpec("S08", "河口镇派出所", "Hekou Town Station", "town", 28_000, 16, 24, 0.7),
    StationSpec("S09", "柳林镇派出所", "Liulin Town Station", "town", 25_000, 11, 22, 1.0),
    StationSpec("S10", "古城镇派出所", "Gucheng Town Station", "town", 32_000, 13, 26, 1.05, seconded=1),
    StationSpec("S11", "山口乡派出所", "Shankou Township Station", "rural", 12_000, 4, 14, 1.1),
    StationSpec("S12", "石门乡派出所", "Shimen Township Station", "rural", 10_000, 9, 12, 0.6),
    StationSpec("S13", "龙泉乡派出所", "Longquan Township Station", "rural", 14_000, 6, 16, 1.0),
    StationSpec("S14", "桃源乡派出所", "Taoyuan Township Station", "rural", 11_000, 6, 14, 1.0),
    StationSpec("S15", "云台乡派出所", "Yuntai Township Station", "rural", 9_000, 5, 12, 1.0),
)

DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("ZH", "指挥中心", "Command Centre", 35, 20),
    DepartmentSpec("XZ", "刑事侦查大队", "Criminal Investigation Brigade", 60, 15),
    DepartmentSpec("ZA", "治安管理大队", "Public Order Brigade", 35, 12),
    DepartmentSpec("ZZ", "政治处", "Political Department", 25, 8),
    DepartmentSpec("FZ", "法制大队", "Legal Affairs Brigade", 20, 4),
    DepartmentSpec("BZ", "警务保障室", "Logistics Office", 23, 20),
)

COUNTY_NAMES: tuple[tuple[str, str], ...] = (
    ("清河县", "Qinghe County"),
    ("青山县", "Qingshan County"),
    ("白水县", "Baishui County"),
    ("临江县", "Linjiang County"),
    ("安平县", "Anping County"),
    ("永宁县", "Yongning County"),
    ("石城县", "Shicheng County"),
    ("东林县", "Donglin County"),
    ("南溪县", "Nanxi County"),
    ("北岭县", "Beiling County"),
)

TOWN_NAMES = ("青石", "白马", "河口", "柳林", "古城", "新桥", "黄坡", "金山", "太平", "长乐", "双河", "红岩")
RURAL_NAMES = ("山口", "石门", "龙泉", "桃源", "云台", "杏林", "松岭", "月湖", "花溪", "清水", "梅岭", "竹园")
URBAN_NAMES = ("城关", "城东", "城西", "城南", "城北", "新区", "开发区", "滨江")

# Hour-of-day shape of calls for service (00..23), evening-heavy, lowest before dawn.
HOURLY_SHAPE = (
    0.90,
    0.70,
    0.55,
    0.45,
    0.40,
    0.45,
    0.60,
    0.80,
    1.00,
    1.10,
    1.15,
    1.15,
    1.10,
    1.05,
    1.10,
    1.15,
    1.20,
    1.30,
    1.40,
    1.50,
    1.55,
    1.50,
    1.35,
    1.15,
)
# January..December: Spring Festival disputes in February, summer nights, the National Day holiday.
MONTHLY_SHAPE = (0.95, 1.10, 0.90, 0.95, 1.00, 1.05, 1.15, 1.15, 1.00, 1.05, 0.90, 0.95)
# Mean minutes from call to arrival on scene by station kind.
ARRIVAL_MINUTES = {"urban": 8.0, "town": 14.0, "rural": 22.0}
