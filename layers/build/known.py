# Source strings quote URLs and titles verbatim; they are longer than 100 characters.
# ruff: noqa: E501

"""Known plants and the main grid, placed from published names and places.

``known_plants`` lists built, approved or under-construction PV and wind plants in
Ordos from public reports; it is NEGATIVE evidence for the drawn protected layers
(a built plant cannot sit inside a red line, basic farmland or a reserve), so the
land-use builder keeps every plant's footprint out of them. ``grid_substations`` and
``grid_lines`` hold the 500 kV and 220 kV stations and lines named in public reports.
Positions are approximate (``location_confidence``); every feature is illustrative.
"""

from __future__ import annotations

import math
from typing import Any

import shapely
from shapely.geometry import LineString, Point
from shapes import to_m, xy_m

__all__ = [
    "GRID_LINES",
    "PLANTS",
    "SUBSTATIONS",
    "grid_rows",
    "plant_footprints",
    "plant_rows",
]

#: Sources (URLs of the public pages the entries come from).
S_JUNMA = "三峡“骏马电站”达拉特旗库布其 200 MW (219.95 MWp), 220 kV 升压站, 2019 — news reports, e.g. http://www.sfrqx52.cn/html/61b7699862.html"
S_TOPRUN = "国家能源局 2017 第三批光伏发电应用领跑基地: 达拉特旗基地 500 MW (骏马电站 is 200 MW of it) — NEA list, not re-checked offline"
S_TIANJIAO = "天骄绿能 50万千瓦采煤沉陷区光伏, 伊金霍洛旗乌兰木伦镇 布尔台, 4.2万亩, 并网 2021-11 — 新华每日电讯 2022-04-25 (http://m.olbfy.cn/cj/2022/0425/20326.html); http://kuainv.com.cn/news/show.php?itemid=91174"
S_MENGXI2GW = "蒙西基地库布其 200万千瓦光伏治沙项目, 杭锦旗库布其沙漠腹地, 87,212.62 亩, 并网 — 中国能建 report (http://wuwenjie.xyz/wordpress/?p=18172)"
S_ELION1 = "亿利库布其生态能源 治沙光伏 首期 200 MWp 并网 2016-06-16 (规划 1,000 MWp) — 国际在线 (https://big5.cri.cn/gate/big5/news.cri.cn/20160630/8563f572-f319-d652-e6e5-d5c78d3460d5.html)"
S_ELION2 = "亿利 库布其 光伏治沙 已并网 710 MW (this entry = 710 − 200 首期) — https://ttnews.xyz/a/5e8b954cdc9b5e2f980803fc"
S_CTG = "三峡集团 库布其沙漠鄂尔多斯中北部新能源基地 光伏 800万 + 风电 400万千瓦, 获批 2022-08-03 — http://668850.cn/sxxnychina/1077761/1077768/2024080501320734031/index.html"
S_SHUOFANG = "杭锦旗 朔方新能源大基地 1,600万千瓦 (光伏 800万), 库布其沙漠南部, 2024 先导工程 200万千瓦 — 杭锦旗融媒体 (https://wxredian.com/art?id=e642ba5b11fccefe2620efe62a360527)"
S_HUANENG = "华能 库布其沙漠鄂尔多斯南部新能源基地 4 GW 风电 核准, 杭锦旗巴拉贡镇、伊和乌素苏木、锡尼镇 — 鄂尔多斯市能源局批复 (http://hrzcn.com/article/94709.html)"
S_GUODIAN = "国电电力 蒙西鄂尔多斯采煤沉陷区 300万千瓦光伏基地, ~10.5万亩, 2023-09 在建 — http://baixuncn.com/s.html?keyword=光伏基地; banner not stated"
S_XINKUANG = "新矿内蒙古能源 5 个分布式光伏 20.1 MW, 鄂托克前旗上海庙镇 采煤沉陷区, 并网 — 鄂尔多斯日报 (http://www.www-944427.com/m.php?fid=52&id=73729)"
S_DALAD_ZONE = "达拉特经济开发区增量配电网绿色供电 光伏 50万千瓦, 开工 2024-03-13 (“光伏长城”启动工程) — http://86mhrk.com/html1/report/2403/607-1.htm"
S_HANGGIN_WIND = "杭锦旗 1.6 GW 风电 (3.45 TWh/yr design) — project approval, DATA.md §7"

# name_zh, kind, capacity MW, status, year, lon, lat, location_confidence, source
PLANTS: list[tuple[str, str, float, str, int, float, float, str, str]] = [
    ("三峡达拉特光伏领跑基地“骏马电站”", "pv", 200.0, "built", 2019, 109.78, 40.22, "low",
     S_JUNMA),
    ("达拉特光伏发电应用领跑基地(其余标段)", "pv", 300.0, "built", 2019, 109.90, 40.25, "low",
     S_TOPRUN),
    ("伊金霍洛旗天骄绿能采煤沉陷区光伏", "pv", 500.0, "built", 2021, 110.03, 39.37, "medium",
     S_TIANJIAO),
    ("蒙西基地库布其200万千瓦光伏治沙项目", "pv", 2000.0, "built", 2023, 108.45, 40.10, "low",
     S_MENGXI2GW),
    ("亿利库布其治沙光伏(首期)", "pv", 200.0, "built", 2016, 108.30, 40.17, "low", S_ELION1),
    ("亿利库布其治沙光伏(后续)", "pv", 510.0, "built", 2019, 108.62, 40.20, "low", S_ELION2),
    ("新矿上海庙采煤沉陷区分布式光伏", "pv", 20.1, "built", 2023, 107.05, 38.36, "low",
     S_XINKUANG),
    ("三峡库布其鄂尔多斯中北部基地(光伏)", "pv", 8000.0, "approved", 2022, 109.30, 40.12, "low",
     S_CTG),
    ("三峡库布其鄂尔多斯中北部基地(风电)", "wind", 4000.0, "approved", 2022, 109.05, 40.02,
     "low", S_CTG),
    ("杭锦旗朔方新能源基地光伏先导工程", "pv", 2000.0, "under_construction", 2024, 108.55,
     39.97, "low", S_SHUOFANG),
    ("华能库布其鄂尔多斯南部基地4GW风电", "wind", 4000.0, "approved", 2023, 108.20, 39.85,
     "low", S_HUANENG),
    ("国电电力蒙西鄂尔多斯采煤沉陷区光伏基地", "pv", 3000.0, "under_construction", 2023,
     110.16, 39.47, "low", S_GUODIAN),
    ("达拉特经济开发区增量配电网绿色供电光伏", "pv", 500.0, "under_construction", 2024, 110.22,
     40.27, "low", S_DALAD_ZONE),
    ("杭锦旗1.6GW风电项目", "wind", 1600.0, "approved", 2023, 108.90, 39.62, "low",
     S_HANGGIN_WIND),
    ("天骄绿能白音提布光储电站(国电电力25万千瓦)", "pv", 250.0, "built", 2021, 110.07, 39.35,
     "medium", "part of the 天骄绿能 50万千瓦 site: 国家能源集团天骄绿能 25万千瓦 白音提布光储电站 — "
     "http://www.tthjjt.com/news/show-1467.html"),
]

#: PV land use, MW per km² (DATA.md §7: 18-55 depending on layout) used to size footprints.
PV_MW_PER_KM2 = 40.0
#: Radius kept free around a wind plant's reported position, m (turbines spread widely).
WIND_RADIUS_M = 6000.0
#: A single footprint is capped at this radius, m (very large bases span several sites).
MAX_RADIUS_M = 9000.0


def _radius_m(kind: str, mw: float) -> float:
    if kind == "wind":
        return WIND_RADIUS_M
    r = math.sqrt(mw / PV_MW_PER_KM2 / math.pi) * 1000.0
    return float(min(max(r, 1500.0), MAX_RADIUS_M))


def plant_footprints() -> Any:
    """Union of the plants' footprints (metres, ``WORK_CRS``): discs sized from capacity
    at :data:`PV_MW_PER_KM2` (PV) or :data:`WIND_RADIUS_M` (wind), plus 1 km margin."""
    return shapely.union_all([Point(*xy_m(lon, lat)).buffer(_radius_m(k, mw) + 1000.0)
                              for _, k, mw, _, _, lon, lat, _, _ in PLANTS])


def plant_rows(banner_of: Any) -> list[dict[str, Any]]:
    """Feature rows of ``known_plants`` (points in metres)."""
    rows = []
    for zh, kind, mw, status, year, lon, lat, conf, src in PLANTS:
        p = Point(*xy_m(lon, lat))
        rows.append({"name_zh": zh, "kind": kind, "capacity_mw": mw, "status": status,
                     "year": year, "banner": banner_of(p.buffer(10)), "lon": lon, "lat": lat,
                     "location_confidence": conf, "footprint_radius_m": round(
                         _radius_m(kind, mw)),
                     "source": src, "confidence": conf, "geometry": p})
    return rows


# name_zh, voltage kV, lon, lat, status, location_confidence, source
SUBSTATIONS: list[tuple[str, int, float, float, str, str, str]] = [
    ("芒哈图500千伏变电站", 500, 107.10, 38.42, "approved", "low",
     "芒哈图—阿勒泰双回500千伏线路起于鄂托克前旗上海庙镇芒哈图嘎查 — 鄂托克前旗自然资源局 "
     "(https://wxredian.com/art?id=d47e5539430b1129200418b25c95c446)"),
    ("阿勒泰500千伏变电站", 500, 108.55, 38.95, "built", "low",
     "芒哈图—阿勒泰线路止于乌审旗苏力德苏木阿勒泰500千伏变电站 (same source)"),
    ("常胜500千伏变电站", 500, 111.10, 39.93, "built", "low",
     "蒙能准大二期 500千伏送出工程 接入常胜500千伏变电站, 薛家湾供电公司 — "
     "http://www.6112246.cn/tag/煤电一体"),
    ("汇光1 500千伏变电站", 500, 109.40, 40.12, "under_construction", "low",
     "蒙西至京津冀直流送端500千伏配套工程: 汇光1 至蒙西换流站 2 回 ~12.5 km — "
     "https://thekorwi.com/content/2024-11/20/content_1089905.html"),
    ("汇光2 500千伏变电站", 500, 108.95, 40.24, "under_construction", "low",
     "汇光2 至蒙西换流站 ~34.5 km (same source)"),
    ("汇风500千伏变电站", 500, 109.27, 40.04, "under_construction", "low",
     "汇风至蒙西换流站 2 回 ~3.6 km (same source)"),
    ("蒙西换流站(500千伏交流侧)", 500, 109.28, 40.07, "under_construction", "low",
     "蒙西至京津冀 ±800千伏特高压直流 送端换流站; 库布其 鄂尔多斯中北部 1,200万千瓦 送出 (same source)"),
    ("骏马电站220千伏升压站", 220, 109.79, 40.21, "built", "low", S_JUNMA),
]

# name_zh, voltage kV, from, to (substation names), status, source
GRID_LINES: list[tuple[str, int, str, str, str, str]] = [
    ("芒哈图—阿勒泰双回500千伏线路", 500, "芒哈图500千伏变电站", "阿勒泰500千伏变电站", "approved",
     "183.8 km, via 敖勒召其镇、昂素镇、苏力德苏木 — 鄂托克前旗自然资源局 "
     "(https://wxredian.com/art?id=d47e5539430b1129200418b25c95c446)"),
    ("汇光1—蒙西换流站500千伏线路", 500, "汇光1 500千伏变电站", "蒙西换流站(500千伏交流侧)",
     "under_construction", "~12.5 km — https://thekorwi.com/content/2024-11/20/content_1089905.html"),
    ("汇光2—蒙西换流站500千伏线路", 500, "汇光2 500千伏变电站", "蒙西换流站(500千伏交流侧)",
     "under_construction", "~34.5 km (same source)"),
    ("汇风—蒙西换流站500千伏线路", 500, "汇风500千伏变电站", "蒙西换流站(500千伏交流侧)",
     "under_construction", "~3.6 km (same source)"),
]

#: Via points of the 芒哈图—阿勒泰 line (towns named in the source; positions approximate).
VIA = {"芒哈图—阿勒泰双回500千伏线路": [(107.48, 38.18), (108.05, 38.45)]}


#: Towns (besides the banner seats) given an assumed 220 kV station: industrial towns.
TOWNS_220 = ("棋盘井镇", "上海庙镇", "乌兰木伦镇")
SEAT_220_SOURCE = ("ASSUMPTION: every banner seat and the industrial towns 棋盘井, 上海庙, "
                   "乌兰木伦 are served by at least one 220 kV substation; name and position "
                   "not published here — placed at the town point (settlements layer)")


def assumed_220(places: list[tuple[str, str, float, float]]) -> list[
        tuple[str, int, float, float, str, str, str]]:
    """220 kV stations assumed at banner seats and industrial towns.

    Parameters
    ----------
    places
        ``(name_zh, kind, lon, lat)`` of the settlements (kind ``banner_seat`` | ``town``).
    """
    return [(f"{zh}220千伏变电站(示意)", 220, lon, lat, "built", "low", SEAT_220_SOURCE)
            for zh, kind, lon, lat in places if kind == "banner_seat" or zh in TOWNS_220]


def grid_rows(banner_of: Any, city_m: Any, places: list[tuple[str, str, float, float]]
              ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Feature rows of ``grid_substations`` (points) and ``grid_lines`` (lines), metres.

    ``places`` are the settlements (see :func:`assumed_220`).
    """
    subs = []
    pos = {}
    for zh, kv, lon, lat, status, conf, src in [*SUBSTATIONS, *assumed_220(places)]:
        p = Point(*xy_m(lon, lat))
        pos[zh] = (lon, lat)
        subs.append({"name_zh": zh, "voltage_kv": kv, "status": status,
                     "banner": banner_of(p.buffer(10)), "lon": lon, "lat": lat,
                     "location_confidence": conf, "source": src, "confidence": conf,
                     "geometry": p})
    lines = []
    for zh, kv, a, b, status, src in GRID_LINES:
        pts = [pos[a], *VIA.get(zh, []), pos[b]]
        line = to_m(LineString(pts))
        line = shapely.intersection(line, city_m)
        lines.append({"name_zh": zh, "voltage_kv": kv, "status": status, "from_zh": a,
                      "to_zh": b, "length_km": round(line.length / 1000, 1),
                      "source": src + "; course drawn straight between the named places",
                      "confidence": "low", "geometry": line})
    return subs, lines
