"""Calibrated illustrative layers: Kubuqi, cropland, basic farmland, forest, basic
grassland, red lines and sand closure areas (method: ``landuse`` module docstring).

Every feature is ``provenance = illustrative``; the totals match published figures
(``landuse.LANDUSE_TARGETS``), the outlines are drawn, not surveyed.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import shapely
from common import area_km2
from illustrative import Ctx, save
from landuse import (
    FOREST_COVER,
    LANDUSE_TARGETS,
    OTHER_FOREST_SHARE,
    RED_LINE_MARGIN,
    SAND_CLOSURE_KM2,
    build_grid,
    fit,
    footprints,
    to_m_all,
    top_cells,
)
from scipy import ndimage
from shapes import to_m

__all__ = ["build_calibrated"]

log = logging.getLogger(__name__)

PLAN = "鄂尔多斯市国土空间总体规划（2021—2035年）"
BANNER_ZH = {"150602": "东胜区", "150603": "康巴什区", "150621": "达拉特旗",
             "150622": "准格尔旗", "150623": "鄂托克前旗", "150624": "鄂托克旗",
             "150625": "杭锦旗", "150626": "乌审旗", "150627": "伊金霍洛旗"}


def _interp(lon: np.ndarray, pts: list[tuple[float, float]]) -> np.ndarray:
    xs, ys = zip(*pts, strict=True)
    return np.interp(lon, xs, ys)


def _by_banner(ctx: Ctx, geom_m: Any) -> list[tuple[str, Any]]:
    out = []
    for code in sorted(ctx.banner_m):
        g = shapely.intersection(geom_m, ctx.banner_m[code])
        if g.area > 2e6:
            out.append((code, g))
    return out


def build_calibrated(ctx: Ctx) -> None:
    """Build the calibrated layers in dependency order and record their statistics."""
    rng = np.random.default_rng(20240301)  # approval month of the 国土空间总体规划
    towns = [to_m(g) for g in ctx.out["settlements"].geometry]
    g = build_grid(ctx.city_m, ctx.banner_m, ctx.river_m, towns, ctx.landcover,
                   ctx.landcover_transform)
    city_km2 = ctx.city_m.area / 1e6
    plants = footprints()
    reserves = to_m_all(ctx.out["nature_reserves"].geometry)
    built = to_m_all([*ctx.out["urban_cores"].geometry, *ctx.out["parks"].geometry,
                      *ctx.out["mining_areas"].geometry, *ctx.out["subsidence"].geometry,
                      *ctx.out["reclamation"].geometry])
    m_plants = g.mask(plants, all_touched=True)
    m_built = g.mask(built, all_touched=True)
    m_res = g.mask(reserves)
    # MODIS pixels are 5 km squares: smooth them so no square holes show in the outlines
    water = (ndimage.gaussian_filter((g.modis == 0).astype(float), 2.0)
             + 0.15 * g.noise(rng, 3)) > 0.5
    barren = (ndimage.gaussian_filter((g.modis == 16).astype(float), 2.0)
              + 0.15 * g.noise(rng, 3)) > 0.45
    ins = g.inside

    # ---- Yellow River floodplain (irrigated farmland, not desert) -------------------
    lon, lat = g.lon, g.lat
    width_km = _interp(lon, [(107.3, 0.0), (107.8, 6.0), (108.1, 12.0), (109.2, 14.0),
                             (110.3, 12.0), (110.7, 4.0), (111.0, 1.5)])
    flood = ins & (lat > 39.9) & (g.d_river <= width_km * 1000 + 2500 * g.noise(rng, 5))
    flood &= g.d_river <= 20_000

    # ---- Kubuqi: band 39°15′–40°45′ N south of the floodplain --------------------------
    south = _interp(lon, [(107.0, 39.55), (107.6, 39.62), (108.2, 39.72), (108.8, 39.85),
                          (109.4, 39.98), (110.0, 40.08), (110.5, 40.18), (110.95, 40.28)])
    k_noise = g.noise(rng, 6)
    band = ins & ~flood & (lat >= 39.25) & (lat <= 40.75) & (lon >= 107.0) & (lon <= 110.95)
    band &= lat >= south - 0.35
    k_score = (lat - south) / 0.1 + 0.6 * k_noise + 2.0 * (barren & (lat >= 39.6))
    cores_m = to_m_all(ctx.out["urban_cores"].geometry)
    flood_poly = g.polygons(flood, min_km2=0.5)

    def make_kub(n: int) -> Any:
        sel = top_cells(k_score, band, n)
        return shapely.difference(shapely.intersection(g.polygons(sel), ctx.city_m),
                                  shapely.union(cores_m, flood_poly))

    kub_m, _ = fit(make_kub, LANDUSE_TARGETS["kubuqi"], 16_600)
    kub = g.mask(kub_m)
    save(ctx, "kubuqi", [{
        "name_zh": "库布其沙漠", "name_en": "Kubuqi Desert", "published_km2": 16600,
        "source": "band 39°15′–40°45′N between the irrigated Yellow River floodplain "
                  "(excluded; 0-14 km from the river, drawn) and a southern edge falling "
                  "from 39.55°N (107°E) to 40.28°N (110.95°E), plus MODIS MCD12C1 2019 "
                  "barren pixels north of 39.6°N; fitted to ~16,600 km² in Ordos "
                  "(uncertain); outline drawn", "confidence": "low", "geometry": kub_m}],
         ["name_en"])
    ctx.stats["floodplain_km2"] = flood_poly.area / 1e6

    # ---- fixed red-line parts (reserves, river belt, 孔兑): drawn first, cropland avoids them
    belt = shapely.intersection(shapely.buffer(ctx.river_m, 1000), ctx.city_m)
    ch = shapely.intersection(shapely.union_all(
        [shapely.buffer(to_m(x), 150) for x in ctx.out["kongdui"].geometry]), ctx.city_m)
    rl_cut = shapely.union_all([built, plants])
    fixed = [("nature_reserve", "自然保护地", r.name_zh, r.source, to_m(r.geometry))
             for r in ctx.out["nature_reserves"].itertuples()]
    fixed += [("riparian", "河湖岸线", "黄河干流岸线生态保护红线",
               "1 km belt on the Ordos side of the Yellow River (width assumed)",
               shapely.difference(belt, shapely.union(rl_cut, reserves))),
              ("kongdui_channel", "水土保持", "十大孔兑河道水土保持红线",
               "150 m either side of the drawn 孔兑 courses (width assumed)",
               shapely.difference(ch, shapely.union(rl_cut, reserves)))]
    fixed_union = shapely.union_all([f[4] for f in fixed])

    # ---- cropland and basic farmland ---------------------------------------------------
    mu_m = to_m(ctx.out["mu_us"].geometry.iloc[0])
    mu = g.mask(mu_m)
    east = (lon > 109.5) & (lat > 39.25) & (lat < 40.2) & ~flood
    crop_cand = ins & ~water & ~barren & ~kub & ~m_built & ~m_plants & ~m_res
    c_score = (3.0 * flood + 1.5 * np.isin(g.modis, (12, 14)) + 1.2 * np.exp(
        -g.d_town / 15_000) + 0.9 * east + 1.4 * (mu & (g.d_town < 20_000))
        + 0.8 * g.noise(rng, 6))
    cut_crop = shapely.union_all([built, plants, reserves, kub_m, fixed_union])
    crop_cells: dict[str, np.ndarray] = {}

    def make_crop(n: int) -> Any:
        crop_cells["sel"] = top_cells(c_score, crop_cand, n)
        return shapely.difference(shapely.intersection(g.polygons(crop_cells["sel"]),
                                                       ctx.city_m), cut_crop)

    crop_m, _ = fit(make_crop, LANDUSE_TARGETS["cropland"], 5_841)
    crop = crop_cells["sel"]
    bf_score = 2.0 * flood + np.exp(-g.d_river / 20_000) + 0.5 * np.isin(g.modis, (12, 14)) \
        - 0.8 * (g.d_town < 4000) + 0.6 * g.noise(rng, 4)

    def make_bf(n: int) -> Any:
        sel = top_cells(bf_score, crop, n)
        return shapely.intersection(g.polygons(sel, min_km2=1.0), crop_m)

    bf_m, _ = fit(make_bf, LANDUSE_TARGETS["basic_farmland"], 4_285)
    src_crop = (f"{PLAN}: 耕地 ≈ 5,841 km²; cells ranked by Yellow River floodplain "
                "(irrigated), MODIS cropland/mosaic, nearness to towns, eastern loess hills, "
                "Mu Us oases, smooth noise; outline drawn")
    save(ctx, "cropland", [{"name_zh": f"{BANNER_ZH[c]}耕地", "banner": c,
                            "land_class": "耕地", "source": src_crop, "confidence": "low",
                            "geometry": x} for c, x in _by_banner(ctx, crop_m)],
         ["banner"])
    save(ctx, "basic_farmland", [{
        "name_zh": f"{BANNER_ZH[c]}永久基本农田", "banner": c, "land_class": "永久基本农田",
        "source": f"{PLAN}: 永久基本农田 ≈ 4,285 km²; the best cropland (floodplain, near "
                  "the river) inside the drawn cropland; outline drawn",
        "confidence": "low", "geometry": x} for c, x in _by_banner(ctx, bf_m)], ["banner"])

    # ---- red lines ------------------------------------------------------------------------
    d_in_kub = ndimage.distance_transform_edt(kub) * 1000.0
    rl_cand = ins & ~crop & ~m_built & ~m_plants & ~m_res & (g.d_town > 4000) & ~water
    zones = [
        ("sand_fixation", "防风固沙", "库布其沙漠防风固沙", 0.34, kub,
         0.5 * barren + 0.4 * (d_in_kub > 6000)),
        ("sand_fixation", "防风固沙", "毛乌素沙地防风固沙", 0.30, mu, 0.0),
        ("soil_conservation", "水土保持", "东部丘陵沟壑(砒砂岩)水土保持", 0.19,
         east & (lat < 40.15) & ~kub, 0.0),
        ("biodiversity", "生物多样性维护", "西部荒漠草原生物多样性维护", 0.17,
         (lon < 107.9) & ~kub & ~mu, 0.5 * (g.d_town > 15000)),
    ]
    rl_noise = [g.noise(rng, 5) for _ in zones]
    rl_parts: dict[str, list[Any]] = {}
    target_rl = LANDUSE_TARGETS["red_lines"] * RED_LINE_MARGIN
    rest_km2 = target_rl - fixed_union.area / 1e6

    def make_rl(n: int) -> Any:
        taken = np.zeros(g.shape, bool)
        parts = []
        for (_t, _tzh, _zh, share, zone, bonus), nz in zip(zones, rl_noise, strict=True):
            sel = top_cells(nz + bonus, rl_cand & zone & ~taken, int(n * share))
            taken |= sel
            p = shapely.difference(shapely.intersection(g.polygons(sel), ctx.city_m),
                                   shapely.union_all([rl_cut, crop_m, reserves, fixed_union]))
            parts.append(p)
        rl_parts["parts"] = parts
        # fit on the area the grid part adds to the fixed part
        return shapely.difference(shapely.union_all(parts), fixed_union)

    fit(make_rl, rest_km2, int(rest_km2))
    rows = [{"name_zh": zh, "rl_type": t, "rl_type_zh": tzh, "banner": ctx.banner_of(geom),
             "source": src, "confidence": "low" if t != "nature_reserve" else "medium",
             "geometry": geom} for t, tzh, zh, src, geom in fixed]
    grid_src = (f"{PLAN}: 生态保护红线 ≥ 23,385 km² (≈ 26.9 %); this part: cells drawn inside "
                "the zone named (smooth noise), outside cropland, parks, urban cores, mines, "
                "known plants (layers/SOURCES.md) and 4 km around towns; outline drawn")
    for (t, tzh, zh, _s, _z, _b), part in zip(zones, rl_parts["parts"], strict=True):
        for code, x in _by_banner(ctx, part):
            rows.append({"name_zh": f"{zh}生态保护红线({BANNER_ZH[code]})", "rl_type": t,
                         "rl_type_zh": tzh, "banner": code, "source": grid_src,
                         "confidence": "low", "geometry": x})
    save(ctx, "red_lines", rows, ["rl_type", "name_zh"])
    rl_union = to_m_all(ctx.out["red_lines"].geometry)
    ctx.stats["red_lines_union_km2"] = rl_union.area / 1e6
    rl_cells = g.mask(rl_union)

    # ---- forest (林地) --------------------------------------------------------------------
    d_out_kub = d_in_kub
    riparian = (g.d_river < 6000) & ~flood
    f_cand = ins & ~crop & ~m_built & ~water & ~barren
    f_score = (1.4 * mu + 1.2 * east + 1.0 * (kub & (d_out_kub < 12_000)) + 0.7 * riparian
               - 1.0 * (kub & (d_out_kub >= 12_000)) - 0.6 * (lon < 107.6)
               + 0.9 * g.noise(rng, 5))
    tree_score = 1.5 * east + 1.0 * riparian + 0.8 * (g.d_town < 20_000) + 0.8 * g.noise(rng, 4)
    target_cover = FOREST_COVER * city_km2
    cut_f = shapely.union_all([crop_m, built])
    f_parts: dict[str, Any] = {}

    def make_forest(n: int) -> Any:
        sel = top_cells(f_score, f_cand, n)
        trees = top_cells(tree_score, sel, int(0.25 * n))
        other = top_cells(f_score, f_cand & ~sel, int(OTHER_FOREST_SHARE * n))
        shrub = sel & ~trees
        polys = {}
        for name, m in (("有林地", trees), ("灌木林地", shrub), ("其他林地", other)):
            polys[name] = shapely.difference(shapely.intersection(g.polygons(m), ctx.city_m),
                                             cut_f)
        polys["灌木林地"] = shapely.difference(polys["灌木林地"], polys["有林地"])
        polys["其他林地"] = shapely.difference(polys["其他林地"],
                                           shapely.union(polys["有林地"], polys["灌木林地"]))
        f_parts.update(polys)
        return shapely.union(polys["有林地"], polys["灌木林地"])

    fit(make_forest, target_cover, int(target_cover))
    sand_zone = shapely.union(mu_m, kub_m)
    rows = []
    for ftype in ("有林地", "灌木林地", "其他林地"):
        geom = f_parts[ftype]
        lv1 = shapely.intersection(geom, reserves)
        lv2 = shapely.difference(shapely.intersection(geom, rl_union), reserves)
        rest = shapely.difference(geom, shapely.union(rl_union, reserves))
        if ftype == "有林地":
            lv3, lv4 = rest, shapely.Polygon()
        elif ftype == "灌木林地":
            lv3 = shapely.intersection(rest, sand_zone)
            lv4 = shapely.difference(rest, sand_zone)
        else:
            lv3, lv4 = shapely.Polygon(), rest
        for lvl, x in (("I", lv1), ("II", lv2), ("III", lv3), ("IV", lv4)):
            if x.area < 2e6:
                continue
            rows.append({"name_zh": f"{ftype}(保护等级{lvl})", "forest_type": ftype,
                         "protection_level": lvl, "counts_in_forest_cover": int(
                             ftype != "其他林地"),
                         "source": "森林覆盖率 27.4 % (ordos.gov.cn 2024) = 有林地 + 灌木林地 "
                                   "(calibrated); 其他林地 +5 % ASSUMPTION; level I = in "
                                   "reserves, II = in red lines, III = 有林地 / 防风固沙 shrubs, "
                                   "IV = rest (林地保护利用规划 logic, assumed); cells ranked by "
                                   "Mu Us, eastern hills, Kubuqi edge, river, noise",
                         "confidence": "low", "geometry": x})
    save(ctx, "forest", rows, ["forest_type", "protection_level"])
    f_all = shapely.union_all(list(f_parts.values()))
    ctx.stats["forest_cover_km2"] = shapely.union(f_parts["有林地"], f_parts["灌木林地"]).area / 1e6
    ctx.stats["forest_other_km2"] = f_parts["其他林地"].area / 1e6
    ctx.stats["forest_cover_target_km2"] = target_cover
    f_cells = g.mask(f_all)

    # ---- basic grassland -----------------------------------------------------------------
    g_cand = ins & ~crop & ~f_cells & ~water & ~barren & ~m_built & ~m_plants \
        & (g.d_town > 5000)
    g_score = 1.0 * (lon < 109.5) + 0.4 * (g.elev > 1300) + 0.8 * g.noise(rng, 8)
    cut_g = shapely.union_all([crop_m, f_all, built, plants])

    def make_grass(n: int) -> Any:
        sel = top_cells(g_score, g_cand, n)
        return shapely.difference(shapely.intersection(g.polygons(sel), ctx.city_m), cut_g)

    grass_m, _ = fit(make_grass, LANDUSE_TARGETS["basic_grassland"], 38_667)
    ctx.stats["grass_pool_km2"] = float(g_cand.sum())
    save(ctx, "basic_grassland", [{
        "name_zh": f"{BANNER_ZH[c]}基本草原", "banner": c, "land_class": "基本草原",
        "source": f"{PLAN}: 基本草原 ≥ 5,800万亩 ≈ 38,667 km²; grassland cells (not cropland, "
                  "forest, bare sand, water, built or mined land; > 5 km from towns) ranked "
                  "by western steppe, elevation and noise; outline drawn",
        "confidence": "low", "geometry": x} for c, x in _by_banner(ctx, grass_m)], ["banner"])

    # ---- 沙化土地封禁保护区 ---------------------------------------------------------------------
    sc_cand = kub & (d_in_kub >= 8000) & ~m_plants & rl_cells
    sc_score = 1.0 * barren + g.noise(rng, 4)

    def make_sc(n: int) -> Any:
        sel = top_cells(sc_score, sc_cand, n)
        return shapely.difference(shapely.intersection(g.polygons(sel), kub_m), plants)

    sc_m, _ = fit(make_sc, SAND_CLOSURE_KM2, int(SAND_CLOSURE_KM2))
    save(ctx, "sand_closure", [{
        "name_zh": f"{BANNER_ZH[c]}库布其沙化土地封禁保护区(示意)", "banner": c,
        "source": "no published Ordos total found: 1,500 km² ASSUMED; drawn on bare Kubuqi "
                  "dunes ≥ 8 km inside the desert, within the 防风固沙 red lines, away from known "
                  "plants (封禁保护区 = sandy land not fit for treatment, 防沙治沙法 §22)",
        "confidence": "low", "geometry": x} for c, x in _by_banner(ctx, sc_m)], ["banner"])
    _calibration(ctx, city_km2)
    for k in ("kubuqi", "cropland", "basic_farmland", "basic_grassland", "sand_closure"):
        ctx.stats[f"{k}_km2"] = float(ctx.out[k]["area_km2"].sum())
    log.info("calibrated layers: %s", {k: round(v) for k, v in ctx.stats.items()
                                        if isinstance(v, float)})



#: Calibrated layers: id → (published figure and source, published km² or None for the
#: forest, whose figure is a share of the city).
CALIBRATION: dict[str, tuple[str, float | None]] = {
    "red_lines": (f"≥ 23,385 km² (≈ 26.9 %), {PLAN}", 23_385.0),
    "basic_grassland": (f"≥ 5,800万亩 ≈ 38,667 km², {PLAN}", 38_667.0),
    "cropland": (f"耕地 ≈ 5,841 km², {PLAN}", 5_841.0),
    "basic_farmland": (f"永久基本农田 ≈ 4,285 km², {PLAN}", 4_285.0),
    "forest": ("森林覆盖率 27.4 % (ordos.gov.cn 2024) × city area; 有林地 + 灌木林地 only", None),
    "kubuqi": ("≈ 16,600 km² in Ordos (encyclopaedias, reports) [uncertain]", 16_600.0),
    "mu_us": ("≈ 25,000 km² in Ordos (DATA.md) [uncertain]", 25_000.0),
}


def _calibration(ctx: Ctx, city_km2: float) -> None:
    rows = []
    for lid, (label, pub) in CALIBRATION.items():
        gdf = ctx.out[lid]
        if lid == "forest":
            gdf = gdf[gdf["counts_in_forest_cover"] == 1]
            pub = FOREST_COVER * city_km2
        drawn = area_km2(shapely.union_all(gdf.geometry.values))
        rows.append((lid, label, drawn, pub))
    ctx.stats["calibration"] = rows
    per: dict[str, dict[str, float]] = {}
    for lid in ("red_lines", "cropland", "basic_farmland", "basic_grassland", "forest"):
        u = to_m_all(ctx.out[lid].geometry)
        per[lid] = {c: shapely.intersection(u, b).area / 1e6
                    for c, b in sorted(ctx.banner_m.items())}
    ctx.stats["per_banner_km2"] = per
    ctx.stats["banner_names"] = dict(sorted(BANNER_ZH.items()))
