"""界址点坐标 TXT: the boundary-point files of Chinese land surveys (read and write).

Layout (see ``docs/crs.md`` and DATA.md §4)::

    [属性描述]
    坐标系=2000国家大地坐标系
    几度分带=3
    带号=37
    [地块坐标]
    10,1.9600,1,光伏地块1,面,,,,@          ← 界址点数,面积(公顷),编号,名称,面,图幅号,用途,地类编码,@
    J1,1,4386900.000,37395200.000          ← 点号,圈号,X(north),Y(east, zone prefix)

Ring 1 is the exterior; further rings are holes (or, when they lie outside ring 1,
extra parts of a MultiPolygon). The reader tolerates the variants found in the wild:
``[项目信息]``/``[扩展信息]`` sections, ``分带=3度带``, GBK or UTF-8 (with BOM), CRLF,
9 or 13+ parcel fields, an area with a unit (``0.7655公顷``), point ids with or
without ``J``, closing points present or absent, numbering restarting per ring,
a wrong 界址点数, X/Y swapped (the prefixed easting is the value ≥ 10⁷), 带号 blank
or wrong (the zone comes from the easting prefix), Xian 1980 / Beijing 1954 headers.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
>>> _ = p.write_text(EXAMPLE, encoding="utf-8")
>>> g = read_coordfile(p)
>>> g.crs.to_epsg(), round(float(g.geometry.area.iloc[0]) / 10_000, 4), g["name"].iloc[0]
(4525, 1.96, '光伏地块1')
"""

from __future__ import annotations

import logging
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS
from shapely.geometry import LinearRing, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from ordos_geo.crs import (
    Datum,
    check_plausible,
    gk_epsg,
    gk_info,
    gk_zone_for_lon,
    normalize_datum,
)
from ordos_geo.errors import ConfigError, LayerIOError, ProjectInputError
from ordos_geo.io.atomic import write_bytes_atomic

__all__ = ["EXAMPLE", "read_coordfile", "write_coordfile"]

logger = logging.getLogger(__name__)

#: The DATA.md §4 example: 200 m x 100 m with a 20 m x 20 m hole = 1.96 ha, zone 37.
EXAMPLE = """[属性描述]
坐标系=2000国家大地坐标系
几度分带=3
投影类型=高斯克吕格
计量单位=米
带号=37
精度=0.001
转换参数=,,,,,,
[地块坐标]
10,1.9600,1,光伏地块1,面,,,,@
J1,1,4386900.000,37395200.000
J2,1,4386900.000,37395400.000
J3,1,4386800.000,37395400.000
J4,1,4386800.000,37395200.000
J1,1,4386900.000,37395200.000
J5,2,4386870.000,37395290.000
J6,2,4386870.000,37395310.000
J7,2,4386850.000,37395310.000
J8,2,4386850.000,37395290.000
J5,2,4386870.000,37395290.000
"""

_DATA_SECTION = "地块坐标"
_HEADER_SECTIONS = {"属性描述", "项目信息", "扩展信息"}
_GEOM_KINDS = {"面", "线", "点"}
_CLOSE_TOL_M = 0.01  # a ring's last point within 1 cm of its first closes the ring
_AREA_UNITS = {"公顷": 1.0, "ha": 1.0, "平方米": 1e-4, "m2": 1e-4, "㎡": 1e-4, "亩": 1 / 15.0}
_NUM = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?|[-+]?\.\d+)\s*(.*?)\s*$")
_DATUM_NAMES_ZH = {
    "CGCS2000": "2000国家大地坐标系",
    "Xian1980": "1980西安坐标系",
    "Beijing1954": "1954北京坐标系",
}


@dataclass
class _Parcel:
    line: int
    fields: list[str]
    n_declared: int | None
    area_ha: float | None
    rings: dict[int, list[tuple[float, float, int]]] = field(default_factory=dict)
    n_points: int = 0


def _decode(raw: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ProjectInputError(  # pragma: no cover - gb18030 decodes any byte string
        f"{path}: text is neither UTF-8 nor GBK; save the file as UTF-8 or GBK"
    )


def _float(text: str, path: Path, lineno: int, what: str) -> float:
    try:
        v = float(text.strip())
    except ValueError:
        raise ProjectInputError(
            f"{path}: line {lineno}: {what} {text.strip()!r} is not a number; "
            "fix the row (点号,圈号,X,Y)"
        ) from None
    if not math.isfinite(v):
        raise ProjectInputError(f"{path}: line {lineno}: {what} is not finite; fix the row")
    return v


def _area_ha(text: str, path: Path, lineno: int) -> float | None:
    t = text.strip()
    if not t:
        return None
    m = _NUM.match(t)
    unit = m.group(2).lower() if m else ""
    if m is None or (unit and unit not in _AREA_UNITS):
        raise ProjectInputError(
            f"{path}: line {lineno}: 地块面积 {t!r} is not an area; write hectares, e.g. 0.7655"
        )
    return float(m.group(1)) * _AREA_UNITS.get(unit, 1.0)


def _zone_width(text: str, path: Path) -> None:
    t = text.strip().replace("度带", "").replace("度", "").replace("°", "")
    if t in ("3", "三", ""):
        return
    raise ProjectInputError(
        f"{path}: 几度分带={text.strip()}: only 3° Gauss-Krüger zones are supported; "
        "convert the coordinates to a 3° zone"
    )


def _header_zone(header: dict[str, str], path: Path) -> int | None:
    z = header.get("带号", "").strip()
    if z:
        try:
            return int(float(z))
        except ValueError:
            logger.warning("%s: 带号=%s is not a number; ignored", path, z)
    cm = (header.get("中央子午线") or header.get("中央经线") or "").strip()
    if cm:
        try:
            return gk_zone_for_lon(float(cm.rstrip("°度E ")))
        except ValueError:
            logger.warning("%s: 中央子午线=%s is not a number; ignored", path, cm)
    return None


def _parse(text: str, path: Path) -> tuple[dict[str, str], list[_Parcel]]:
    header: dict[str, str] = {}
    parcels: list[_Parcel] = []
    section: str | None = None
    for lineno, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip().replace("，", ",")
        if not line:
            continue
        m = re.fullmatch(r"\[\s*(.+?)\s*\]", line)
        if m:
            section = m.group(1)
            continue
        if section != _DATA_SECTION and "=" in line and not line.endswith("@"):
            key, _, value = line.partition("=")
            header[key.strip()] = value.strip()
            continue
        if section in _HEADER_SECTIONS:
            logger.warning("%s: line %d in [%s] is not key=value; ignored", path, lineno, section)
            continue
        fields = [f.strip() for f in line.split(",")]
        is_parcel = fields[-1] == "@" or (len(fields) >= 8 and fields[4] in _GEOM_KINDS)
        if is_parcel:
            if len(fields) < 5:
                raise ProjectInputError(
                    f"{path}: line {lineno}: parcel row has {len(fields)} fields; expected "
                    "界址点数,地块面积,地块编号,地块名称,面,图幅号,地块用途,地类编码,@"
                )
            n_decl: int | None = None
            if fields[0]:
                try:
                    n_decl = int(float(fields[0]))
                except ValueError:
                    logger.warning("%s: line %d: 界址点数 %r ignored", path, lineno, fields[0])
            parcels.append(_Parcel(lineno, fields, n_decl, _area_ha(fields[1], path, lineno)))
            continue
        while fields and fields[-1] == "":
            fields.pop()
        if len(fields) != 4:
            raise ProjectInputError(
                f"{path}: line {lineno}: expected a point row 点号,圈号,X,Y or a parcel row "
                f"ending in @ (got {len(fields)} fields); fix the line"
            )
        if not parcels:
            raise ProjectInputError(
                f"{path}: line {lineno}: point row before any parcel row; add the parcel "
                "row (界址点数,地块面积,地块编号,地块名称,面,…,@) above it"
            )
        try:
            ring = int(float(fields[1]))
        except ValueError:
            raise ProjectInputError(
                f"{path}: line {lineno}: 圈号 {fields[1]!r} is not an integer; fix the row"
            ) from None
        a = _float(fields[2], path, lineno, "X")
        b = _float(fields[3], path, lineno, "Y")
        p = parcels[-1]
        p.rings.setdefault(ring, []).append((a, b, lineno))
        p.n_points += 1
    return header, parcels


def _east_north(a: float, b: float) -> tuple[float, float, bool]:
    """(easting, northing, swapped) from a row's X, Y (X should be the northing)."""
    if b >= 1e7 or (a < 1e7 and b < 1e6 <= a):
        return b, a, False
    if a >= 1e7 or (b < 1e7 and a < 1e6 <= b):
        return a, b, True
    return b, a, False  # undecidable (both alike): trust the standard order


def _ring(
    pts: list[tuple[float, float]], path: Path, line: int, label: str
) -> list[tuple[float, float]]:
    if len(pts) >= 2 and math.dist(pts[0], pts[-1]) <= _CLOSE_TOL_M:
        pts = pts[:-1]
    uniq = {(round(x, 3), round(y, 3)) for x, y in pts}
    if len(uniq) < 3:
        raise ProjectInputError(
            f"{path}: line {line}: {label} has {len(uniq)} distinct points; a ring needs at least 3"
        )
    return [*pts, pts[0]]


def _assemble(rings: list[list[tuple[float, float]]]) -> BaseGeometry:
    """Ring 1 first; later rings inside an exterior are its holes, others new parts."""
    polys: list[tuple[Polygon, list[list[tuple[float, float]]]]] = []
    for i, r in enumerate(rings):
        ring_poly = Polygon(r)
        host = None
        if i > 0:
            probe = ring_poly.representative_point() if ring_poly.is_valid else ring_poly.centroid
            for ext, holes in polys:
                if ext.contains(probe):
                    host = holes
                    break
        if host is not None:
            host.append(r)
        else:
            polys.append((ring_poly, []))
    parts = [Polygon(ext.exterior.coords, holes) for ext, holes in polys]
    return parts[0] if len(parts) == 1 else MultiPolygon(parts)


def read_coordfile(path: str | os.PathLike[str], *, zone: int | None = None) -> gpd.GeoDataFrame:
    """Read a 界址点坐标 TXT file: one row per parcel, polygons in Gauss-Krüger metres.

    Parameters
    ----------
    path
        The TXT file (UTF-8 or GBK).
    zone
        3° zone number for files whose eastings carry no zone prefix and whose 带号
        is blank; ignored (with a warning if different) when eastings are prefixed.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``parcel_id`` (地块编号), ``name`` (地块名称), ``use`` (地块用途),
        ``land_class`` (地类编码), ``sheet`` (图幅号), ``area_ha_declared``
        (地块面积 in ha), ``area_ha`` (computed in the GK plane), ``n_points``
        (point rows read), ``source_file``, ``line`` (line of the parcel row); geometry
        Polygon/MultiPolygon with holes in the detected GK CRS (e.g. EPSG:4525 for
        zone 37 with prefix; Xian 1980/Beijing 1954 codes for those headers).
        ``attrs``: ``header`` (key=value pairs), ``zone``, ``datum``, ``epsg``,
        ``warnings`` (list of one-line notes), ``repaired``, ``source``.

    Raises
    ------
    LayerIOError
        The file cannot be read.
    ProjectInputError
        A malformed row (message names the file and line), no parcels, no zone.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise LayerIOError(
            f"{p}: cannot read ({exc.strerror or exc}); check the path of the 界址点 file"
        ) from exc
    header, parcels = _parse(_decode(raw, p), p)
    if not parcels:
        raise ProjectInputError(
            f"{p}: no parcels found; a 界址点 file needs a [地块坐标] section with parcel rows "
            "ending in @ followed by point rows 点号,圈号,X,Y"
        )
    notes: list[str] = []

    def note(msg: str) -> None:
        notes.append(msg)
        logger.warning("%s: %s", p, msg)

    _zone_width(header.get("几度分带", header.get("分带", header.get("带宽", "3"))), p)
    unit = header.get("计量单位", "米").strip()
    if unit not in ("米", "m", "M", "metre", "meter", ""):
        raise ProjectInputError(f"{p}: 计量单位={unit}: coordinates must be in metres (米)")
    datum_text = header.get("坐标系", "").strip()
    datum: Datum
    if datum_text:
        try:
            datum = normalize_datum(datum_text, where=f"{p}: 坐标系")
        except ConfigError as exc:
            raise ProjectInputError(str(exc)) from None
    else:
        datum = "CGCS2000"
        note("坐标系 missing; assumed 2000国家大地坐标系 (CGCS2000)")

    # Orient every point as (easting, northing) and find the zone from the prefix.
    swapped = 0
    eastings: list[float] = []
    parcel_rings: list[list[tuple[int, list[tuple[float, float]], int]]] = []
    for parcel in parcels:
        if not parcel.rings:
            raise ProjectInputError(
                f"{p}: line {parcel.line}: parcel has no point rows; add 点号,圈号,X,Y rows"
            )
        rings_en = []
        for ring_no, pts in parcel.rings.items():
            en = []
            for a, b, _ in pts:
                e, n, sw = _east_north(a, b)
                swapped += sw
                en.append((e, n))
                eastings.append(e)
            rings_en.append((ring_no, en, pts[0][2]))
        parcel_rings.append(rings_en)
    if swapped:
        note(f"{swapped} point(s) had X/Y swapped (easting first); read as X=north, Y=east")

    e_arr = np.asarray(eastings)
    prefixed = bool((e_arr >= 1e7).any())
    if prefixed and not (e_arr >= 1e7).all():
        raise ProjectInputError(
            f"{p}: some eastings carry a zone prefix and some do not; write all Y values "
            "with the 2-digit zone prefix"
        )
    hz = _header_zone(header, p)
    if prefixed:
        zones, counts = np.unique((e_arr // 1_000_000).astype(int), return_counts=True)
        file_zone = int(zones[np.argmax(counts)])
        if len(zones) > 1:
            note(f"points in zones {', '.join(map(str, zones))}; all converted to zone {file_zone}")
        if hz is not None and hz != file_zone:
            note(f"带号={hz} disagrees with the easting prefix {file_zone}; using {file_zone}")
        elif hz is None:
            logger.info("%s: 带号 blank; zone %d taken from the easting prefix", p, file_zone)
        if zone is not None and zone != file_zone:
            note(f"zone={zone} ignored: eastings carry the prefix of zone {file_zone}")
    else:
        if zone is not None:
            file_zone = int(zone)
        elif hz is not None:
            file_zone = hz
        else:
            raise ProjectInputError(
                f"{p}: eastings have no zone prefix and 带号 is blank; pass the 3° zone "
                "(e.g. --zone 37 for CM 111° E, 36 for 108° E)"
            )
    try:
        epsg = gk_epsg(file_zone, prefixed=prefixed, datum=datum)
    except ConfigError as exc:
        raise ProjectInputError(f"{p}: {exc}") from None
    crs = CRS.from_epsg(epsg)

    rows: list[dict[str, Any]] = []
    geoms: list[BaseGeometry] = []
    repaired = 0
    for parcel, rings_en in zip(parcels, parcel_rings, strict=True):
        rings = []
        for ring_no, en, first_line in sorted(rings_en, key=lambda t: t[0]):
            if prefixed:
                en = _to_zone(en, file_zone, datum)
            rings.append(_ring(en, p, first_line, f"parcel {_fld(parcel, 2)!r} ring {ring_no}"))
        geom = _assemble(rings)
        if not geom.is_valid:
            geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
            repaired += 1
            note(f"line {parcel.line}: parcel {_fld(parcel, 2)!r} geometry repaired (make_valid)")
        if parcel.n_declared is not None and parcel.n_declared != parcel.n_points:
            note(
                f"line {parcel.line}: 界址点数 {parcel.n_declared} but {parcel.n_points} point "
                "rows; using the point rows"
            )
        area_ha = geom.area / 10_000.0
        if parcel.area_ha is not None and abs(area_ha - parcel.area_ha) > max(
            1e-4, 0.01 * parcel.area_ha
        ):
            note(
                f"line {parcel.line}: declared area {parcel.area_ha:.4f} ha but the boundary "
                f"encloses {area_ha:.4f} ha"
            )
        rows.append(
            {
                "parcel_id": _fld(parcel, 2),
                "name": _fld(parcel, 3),
                "use": _fld(parcel, 6),
                "land_class": _fld(parcel, 7),
                "sheet": _fld(parcel, 5),
                "area_ha_declared": parcel.area_ha if parcel.area_ha is not None else np.nan,
                "area_ha": area_ha,
                "n_points": parcel.n_points,
                "source_file": str(p),
                "line": parcel.line,
            }
        )
        geoms.append(geom)
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs=crs)
    check_plausible(gdf.total_bounds, crs, path=p)
    gdf["location_note"] = _band_notes(gdf, file_zone)
    gdf.attrs.update(
        {
            "header": header,
            "zone": file_zone,
            "datum": datum,
            "epsg": epsg,
            "warnings": notes,
            "repaired": repaired,
            "dropped_empty": 0,
            "source": str(p),
        }
    )
    logger.info("%s: %d parcel(s), EPSG:%d", p, len(gdf), epsg)
    return gdf


#: How far (degrees of longitude) a parcel may lie outside its 3° zone's band.
_BAND_MARGIN_DEG = 0.25


def _band_notes(gdf: gpd.GeoDataFrame, zone: int) -> list[str | None]:
    """A note per parcel whose centroid lies outside the band of its 3° zone.

    Surveyors use the zone whose band (central meridian 3·zone ± 1.5°) holds the
    parcel; a centroid well outside it means the 带号 (or the coordinates) are wrong.
    """
    cm = 3.0 * zone
    lon = gdf.geometry.centroid.to_crs(4326).x.to_numpy()
    return [None if abs(x - cm) <= 1.5 + _BAND_MARGIN_DEG else
            f"centroid at {x:.2f}°E is outside the band of 带号 {zone} ({cm - 1.5:g}–"
            f"{cm + 1.5:g}°E): check the 带号 and the eastings"
            for x in lon]


def _fld(parcel: _Parcel, i: int) -> str:
    f = parcel.fields
    return f[i] if i < len(f) and f[i] != "@" else ""


def _to_zone(en: list[tuple[float, float]], zone: int, datum: str) -> list[tuple[float, float]]:
    """Re-project points of another prefixed zone into ``zone`` (no-op when already in it)."""
    if all(int(e // 1_000_000) == zone for e, _ in en):
        return en
    from pyproj import Transformer

    out = []
    transformers: dict[int, Transformer] = {}
    for e, n in en:
        z = int(e // 1_000_000)
        if z == zone:
            out.append((e, n))
            continue
        if z not in transformers:
            transformers[z] = Transformer.from_crs(
                gk_epsg(z, datum=datum), gk_epsg(zone, datum=datum), always_xy=True
            )
        x, y = transformers[z].transform(e, n)
        out.append((float(x), float(y)))
    return out


# --- writer -------------------------------------------------------------------------


def _clockwise(coords: Any) -> list[tuple[float, float]]:
    ring = LinearRing(coords)
    pts = [(float(x), float(y)) for x, y in ring.coords[:-1]]
    return pts[::-1] if ring.is_ccw else pts


def write_coordfile(
    gdf: gpd.GeoDataFrame,
    path: str | os.PathLike[str],
    *,
    zone: int | None = None,
    overwrite: bool = True,
    encoding: str = "utf-8",
) -> Path:
    """Write polygons as a 界址点坐标 TXT file (prefixed 3° GK eastings), atomically.

    Parameters
    ----------
    gdf
        Polygons in any CRS. A Gauss-Krüger frame keeps its datum (CGCS2000, Xian
        1980, Beijing 1954); any other CRS is written in CGCS2000.
    path
        Output ``.txt``.
    zone
        3° zone to write in; default the frame's GK zone, else the zone of the data's
        centre longitude.
    overwrite
        Replace an existing file; otherwise raise :class:`~ordos_geo.errors.OutputError`.
    encoding
        ``"utf-8"`` (default) or ``"gbk"`` for older Chinese software.

    Returns
    -------
    pathlib.Path
        The final path. Columns ``parcel_id``, ``name``, ``use``, ``land_class``,
        ``sheet`` are written when present; areas are computed from the geometry.
    """
    if gdf.crs is None:
        raise ProjectInputError(f"{path}: frame has no CRS; set it before writing 界址点")
    info = gk_info(gdf.crs)
    datum: str = info.datum if info is not None else "CGCS2000"
    if zone is None:
        if info is not None:
            zone = info.zone
        else:
            c = gdf.to_crs(4490).geometry.union_all().centroid
            zone = gk_zone_for_lon(c.x)
    target = CRS.from_epsg(gk_epsg(zone, prefixed=True, datum=datum))
    g = gdf if gdf.crs.equals(target) else gdf.to_crs(target)
    lines = [
        "[属性描述]",
        f"坐标系={_DATUM_NAMES_ZH[datum]}",
        "几度分带=3",
        "投影类型=高斯克吕格",
        "计量单位=米",
        f"带号={zone}",
        "精度=0.001",
        "转换参数=,,,,,,",
        "[地块坐标]",
    ]
    for i, (idx, geom) in enumerate(zip(g.index, g.geometry, strict=True), start=1):
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise ProjectInputError(
                f"{path}: row {idx}: {geom.geom_type} cannot be written as 界址点; "
                "only polygons are parcels"
            )
        parts = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        rings = [r for poly in parts for r in (poly.exterior, *poly.interiors)]
        point_rows: list[str] = []
        j = 0
        for ring_no, ring in enumerate(rings, start=1):
            pts = _clockwise(ring.coords)
            first = j + 1
            for e, n in pts:
                j += 1
                point_rows.append(f"J{j},{ring_no},{n:.3f},{e:.3f}")
            e0, n0 = pts[0]
            point_rows.append(f"J{first},{ring_no},{n0:.3f},{e0:.3f}")
        row = g.loc[idx]

        def val(col: str, default: str = "", row: Any = row) -> str:
            v = row.get(col, default) if col in g.columns else default
            text = "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            return text.replace(",", "，").replace("\n", " ")

        lines.append(
            f"{len(point_rows)},{geom.area / 10_000.0:.4f},{val('parcel_id', str(i))},"
            f"{val('name')},面,{val('sheet')},{val('use')},{val('land_class')},@"
        )
        lines.extend(point_rows)
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    out = write_bytes_atomic(path, data, overwrite=overwrite)
    logger.info("wrote %s (%d parcel(s), EPSG:%d)", out, len(g), target.to_epsg() or 0)
    return out
