"""Fixed facts of the demo: names, place names and the first county's layout."""

from __future__ import annotations

from dataclasses import dataclass

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
