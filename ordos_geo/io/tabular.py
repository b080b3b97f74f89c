"""Point and WKT tables: CSV (UTF-8 or GBK) and Excel XLSX (openpyxl) → GeoDataFrame.

Columns are found by name: longitude ``经度``/``lon``/``lng``/``longitude``, latitude
``纬度``/``lat``/``latitude`` (units in brackets such as ``经度(°)`` are ignored), or a
WKT column ``wkt``/``geometry``/``geom``. Degrees may be decimal or
degrees-minutes-seconds (``109°59'24.5"``, ``109度59分24.5秒``). Codes such as
``地类编码 0601`` stay text.

Examples
--------
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "sites.csv"
>>> _ = p.write_text("名称,经度,纬度\\n东胜,109.99,39.82\\n康巴什,109°47'24\\",39.61\\n")
>>> g = read_points_table(p)
>>> g.crs.to_epsg(), round(float(g.geometry.x.iloc[1]), 4)
(4326, 109.79)
"""

from __future__ import annotations

import io
import logging
import math
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.errors import GEOSException

from ordos_geo.crs import gk_epsg, zone_from_easting
from ordos_geo.errors import CRSMismatchError, LayerIOError, ProjectInputError
from ordos_geo.io.vector import apply_declared_crs, clean_geometries

__all__ = ["LAT_NAMES", "LON_NAMES", "WKT_NAMES", "parse_degrees", "read_points_table"]

logger = logging.getLogger(__name__)

#: Column names recognised as longitude / latitude / WKT (case-insensitive).
LON_NAMES: tuple[str, ...] = ("经度", "东经", "lon", "lng", "long", "longitude", "x_lon")
LAT_NAMES: tuple[str, ...] = ("纬度", "北纬", "lat", "latitude", "y_lat")
WKT_NAMES: tuple[str, ...] = ("wkt", "geometry", "geom", "the_geom", "shape", "几何", "坐标串")

# Columns kept as text even when they look numeric (leading zeros matter).
_CODE_HINTS = ("编码", "代码", "编号", "code", "id", "adcode", "号")
_DMS = re.compile(
    r"^\s*([-+]?\d+(?:\.\d+)?)\s*[°度d:\s]\s*"
    r"(?:(\d+(?:\.\d+)?)\s*['′分m:\s]\s*)?"
    r"(?:(\d+(?:\.\d+)?)\s*(?:[\"″秒s]|'')?\s*)?([NSEW东西南北]?)\s*$",
    re.IGNORECASE,
)


def parse_degrees(value: Any) -> float:
    """Decimal degrees from a number or a degrees-minutes-seconds string.

    Raises
    ------
    ValueError
        If the value is not an angle.

    Examples
    --------
    >>> parse_degrees("109°59'24\\""), parse_degrees("39度49分12秒"), parse_degrees(" 110.5 ")
    (109.99, 39.82, 110.5)
    """
    if isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool):
        return float(value)
    text = str(value).strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = _DMS.match(text)
    if m is None:
        raise ValueError(f"not an angle: {text!r}")
    deg = float(m.group(1))
    minutes = float(m.group(2) or 0.0)
    seconds = float(m.group(3) or 0.0)
    if minutes >= 60 or seconds >= 60:
        raise ValueError(f"minutes/seconds ≥ 60 in {text!r}")
    sign = -1.0 if deg < 0 or m.group(4).upper() in ("S", "W", "西", "南") else 1.0
    return round(sign * (abs(deg) + minutes / 60.0 + seconds / 3600.0), 10)


def _norm(name: Any) -> str:
    text = re.sub(r"[（(\[].*?[)）\]]", "", str(name))
    return text.strip().lower()


def _find(
    columns: Sequence[str], wanted: str | None, names: tuple[str, ...], path: Path, what: str
) -> str | None:
    if wanted is not None:
        if wanted in columns:
            return wanted
        for c in columns:
            if _norm(c) == _norm(wanted):
                return c
        listed = ", ".join(map(str, columns))
        raise ProjectInputError(
            f"{path}: {what} column {wanted!r} not found (columns: {listed}); "
            f"check the {what}= option"
        )
    for n in names:
        for c in columns:
            if _norm(c) == n:
                return c
    return None


def _read_csv(path: Path) -> tuple[pd.DataFrame, int]:
    """The table (all text) and the file line of its first data row."""
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ProjectInputError(
            f"{path}: text is neither UTF-8 nor GBK/GB18030 (truncated or binary file?); "
            "save the table as UTF-8 CSV"
        )
    try:
        # blank lines are kept (dropped later) so that row numbers match the file
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                         skipinitialspace=True, skip_blank_lines=False)
        return df, 2
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = " ".join(str(exc).split())[:120]
        raise LayerIOError(f"{path}: not a readable CSV table ({msg}); check the file") from exc


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[pd.DataFrame, int]:
    """The first sheet (or ``sheet``) and the spreadsheet row of its first data row.

    ``attrs["formula_cells"]`` lists ``(body row index, column)`` of formula cells
    that have no cached value (the file was written by a program that does not
    compute formulas): they read as blank, and the caller names them as such.
    """
    import openpyxl

    def load(data_only: bool) -> Any:
        try:
            return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise LayerIOError(f"{path}: not a readable XLSX workbook; re-save it as .xlsx") \
                from exc

    def pick(wb: Any) -> Any:
        names = list(wb.sheetnames)
        if sheet is None:
            return wb.worksheets[0]
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise LayerIOError(
                    f"{path}: sheet {sheet} not found (sheets: {', '.join(names)}); set sheet:"
                )
            return wb.worksheets[sheet]
        if sheet in names:
            return wb[sheet]
        raise LayerIOError(
            f"{path}: sheet {sheet!r} not found (sheets: {', '.join(names)}); set sheet:"
        )

    wb = load(True)
    try:
        names = list(wb.sheetnames)
        rows = [list(r) for r in pick(wb).iter_rows(values_only=True)]
    finally:
        wb.close()
    skipped = 0
    while rows and all(v is None or str(v).strip() == "" for v in rows[0]):
        rows.pop(0)
        skipped += 1
    if not rows:
        which = f"sheet {sheet!r}" if sheet is not None else f"the first sheet ({names[0]!r})"
        others = [n for n in names if sheet is None and n != names[0]]
        hint = (f"; the table is on another sheet? pass --sheet NAME (sheets: {', '.join(names)})"
                if others else "; put the table on this sheet")
        raise ProjectInputError(f"{path}: {which} is empty{hint}")
    header = [str(h).strip() if h is not None else f"col{i + 1}" for i, h in enumerate(rows[0])]
    body = [r + [None] * (len(header) - len(r)) for r in rows[1:]]
    df = pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=object)
    formula_cells: set[tuple[int, str]] = set()
    if df.isna().to_numpy().any():
        wb = load(False)  # formulas as text: which blank cells are uncomputed formulas?
        try:
            frows = [list(r) for r in pick(wb).iter_rows(values_only=True)][skipped + 1:]
        finally:
            wb.close()
        for i, fr in enumerate(frows[: len(df)]):
            for j, v in enumerate(fr[: len(header)]):
                if isinstance(v, str) and v.startswith("=") and df.iat[i, j] is None:
                    formula_cells.add((i, header[j]))
    out = df.map(lambda v: "" if v is None else v)
    out.attrs["formula_cells"] = formula_cells
    return out, skipped + 2


def _typed(df: pd.DataFrame, keep: set[str]) -> pd.DataFrame:
    """Convert numeric-looking columns to numbers, except codes and geometry columns."""
    out = df.copy()
    for c in out.columns:
        if c in keep or any(h in _norm(c) for h in _CODE_HINTS):
            continue
        col = out[c]
        nonblank = col.astype(str).str.strip() != ""
        if not nonblank.any():
            continue
        num = pd.to_numeric(col.where(nonblank, None), errors="coerce")
        if num[nonblank].notna().all():
            out[c] = num
    return out


def read_points_table(
    path: str | os.PathLike[str],
    *,
    sheet: str | int | None = None,
    lon: str | None = None,
    lat: str | None = None,
    wkt: str | None = None,
    crs: Any = None,
    keep_missing: bool = False,
) -> gpd.GeoDataFrame:
    """Read a CSV or XLSX table with lon/lat or WKT columns into a GeoDataFrame.

    Parameters
    ----------
    path
        ``.csv`` (UTF-8 or GBK) or ``.xlsx``.
    sheet
        XLSX sheet name or 0-based index; default the first sheet.
    lon, lat
        Column names of the x/y coordinates (default: found by name, see module doc).
        For a projected table pass e.g. ``lon="Y", lat="X"`` with ``crs="EPSG:4525"``.
    wkt
        Column with WKT geometries (default: a ``wkt``/``geometry`` column if present).
    crs
        Declared CRS. Default EPSG:4326 for lon/lat and for WKT in degrees (CGCS2000
        and WGS84 are the same at map scale); required for WKT in metres.
        ``"GCJ-02"`` coordinates (Amap/Tencent pickers) are converted to WGS84.
    keep_missing
        Keep rows without coordinates (blank 经度/纬度, uncomputed formulas) with a
        null geometry and say why in ``attrs["geometry_problems"]`` (row position →
        reason) instead of dropping them with a warning. Project readers use it so
        that no row vanishes.

    Returns
    -------
    geopandas.GeoDataFrame
        All other columns as attributes (numbers converted; code columns such as
        地类编码 kept as text), ``attrs["row"]``-style row numbers in column
        ``source_row`` (1-based spreadsheet/CSV line), plus the ``attrs`` of
        :func:`ordos_geo.io.vector.read_vector`.

    Raises
    ------
    LayerIOError
        Missing or unreadable file, unknown sheet.
    ProjectInputError
        Missing columns or a bad value (the message names the row).
    CRSMismatchError
        Implausible coordinates (e.g. lon/lat swapped) or metres without a CRS.
    """
    p = Path(path)
    if not p.exists():
        raise LayerIOError(f"{p}: file not found; check the path")
    suffix = p.suffix.lower()
    if suffix == ".csv":
        df, first_row = _read_csv(p)
    elif suffix in (".xlsx", ".xlsm"):
        df, first_row = _read_xlsx(p, sheet)
    else:
        raise LayerIOError(f"{p}: not a table (.csv or .xlsx); convert the file")
    df.columns = [str(c).strip() for c in df.columns]
    cols = list(df.columns)
    wkt_col = _find(cols, wkt, WKT_NAMES, p, "wkt") if lon is None and lat is None else None
    lon_col = lat_col = None
    if wkt_col is None:
        lon_col = _find(cols, lon, LON_NAMES, p, "lon")
        lat_col = _find(cols, lat, LAT_NAMES, p, "lat")
        if lon_col is None or lat_col is None:
            raise ProjectInputError(
                f"{p}: no longitude/latitude (经度/纬度, lon/lat) or WKT column found "
                f"(columns: {', '.join(cols)}); name the coordinate columns 经度/纬度 "
                "(or lon/lat) or add a WKT column"
            )
    # row numbers as the user sees them in the file, then drop fully blank rows
    source_row = np.arange(len(df)) + first_row
    blank = df.astype(str).apply(lambda c: c.str.strip() == "").all(axis=1).to_numpy()
    if blank.any():
        df = df.loc[~blank].reset_index(drop=True)
        source_row = source_row[~blank]
    formula_cells: set[tuple[int, str]] = df.attrs.get("formula_cells") or set()
    if blank.any() and formula_cells:  # re-index to the rows kept
        pos = np.cumsum(~blank) - 1
        formula_cells = {(int(pos[i]), c) for i, c in formula_cells if not blank[i]}
    geoms = _geometries(df, p, wkt_col, lon_col, lat_col, source_row)
    attrs = _typed(df.drop(columns=[wkt_col] if wkt_col else []), set())
    attrs["source_row"] = source_row
    gdf = gpd.GeoDataFrame(attrs, geometry=geoms, crs=None)
    problems: dict[int, str] = {}
    if keep_missing:
        coord_cols = [c for c in (wkt_col, lon_col, lat_col) if c is not None]
        for i in np.flatnonzero(shapely.is_missing(geoms)):
            formulas = [c for c in coord_cols if (int(i), c) in formula_cells]
            if formulas:
                problems[int(i)] = (f"column(s) {', '.join(formulas)} hold a formula without a "
                                    "cached value; open and save the file in Excel or WPS (or "
                                    "paste the values)")
            else:
                problems[int(i)] = f"{' and '.join(coord_cols)} blank"
        present = ~shapely.is_missing(geoms)
        cleaned = clean_geometries(gdf.loc[present], path=p, layer=sheet)
        lost = sorted(set(gdf.index[present]) - set(cleaned.index))
        for i in lost:
            problems[int(i)] = ("empty or degenerate geometry (a polygon ring needs at least 4 "
                                "points, the last equal to the first)")
        rest = gdf.loc[~present | gdf.index.isin(lost)].copy()
        rest = rest.set_geometry(gpd.GeoSeries([None] * len(rest), index=rest.index))
        gdf = pd.concat([cleaned, rest]).sort_index()
        gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=None).reset_index(drop=True)
    else:
        gdf = clean_geometries(gdf, path=p, layer=sheet)
    declared = crs
    if declared is None:
        b = gdf.total_bounds
        if len(gdf) and max(abs(float(v)) for v in b) > 360:
            z = zone_from_easting(float(b[0]))
            hint = f" (e.g. EPSG:{gk_epsg(z)} for prefixed zone {z})" if z and 25 <= z <= 45 else ""
            raise CRSMismatchError(
                f"{p}: coordinates are metres but no crs was given; declare crs:{hint} "
                "in the catalog, or pass --crs to `check`"
            )
        declared = 4326
        logger.info("%s: no crs given; lon/lat read as EPSG:4326 (CGCS2000 ≈ WGS84)", p)
    gdf = apply_declared_crs(gdf, declared, path=p, layer=sheet)
    gdf.attrs["source"] = str(p)
    gdf.attrs["layer"] = sheet
    gdf.attrs["geometry_problems"] = problems
    return gdf


def _geometries(
    df: pd.DataFrame,
    path: Path,
    wkt_col: str | None,
    lon_col: str | None,
    lat_col: str | None,
    source_row: np.ndarray,
) -> np.ndarray:
    n = len(df)
    out = np.empty(n, dtype=object)
    out[:] = None
    if wkt_col is not None:
        for i, v in enumerate(df[wkt_col].tolist()):
            text = "" if v is None else str(v).strip()
            if not text:
                continue
            try:
                out[i] = shapely.from_wkt(text)
            except (GEOSException, ValueError) as exc:
                why = str(exc).split(":", 1)[-1].strip().rstrip(".")[:80]
                raise ProjectInputError(
                    f"{path}: row {source_row[i]}: column {wkt_col!r} is not valid WKT "
                    f"({text[:40]!r}: {why}); fix the geometry text (a polygon ring needs at "
                    "least 4 points, the last equal to the first)"
                ) from None
        return out
    if lon_col is None or lat_col is None:  # pragma: no cover - the caller chose them
        raise ProjectInputError(f"{path}: no coordinate columns; pass lon= and lat=")
    xs = df[lon_col].tolist()
    ys = df[lat_col].tolist()
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    for i, (a, b) in enumerate(zip(xs, ys, strict=True)):
        blank_a = a is None or str(a).strip() == ""
        blank_b = b is None or str(b).strip() == ""
        if blank_a and blank_b:
            continue
        for col, v, arr in ((lon_col, a, x), (lat_col, b, y)):
            try:
                arr[i] = parse_degrees(v)
            except ValueError:
                raise ProjectInputError(
                    f"{path}: row {source_row[i]}: {col} {str(v).strip()!r} is not a number; "
                    "write decimal degrees (e.g. 109.99) or 109°59'24\""
                ) from None
            if not math.isfinite(arr[i]):
                raise ProjectInputError(f"{path}: row {source_row[i]}: {col} is not finite")
    ok = np.isfinite(x) & np.isfinite(y)
    out[ok] = shapely.points(x[ok], y[ok])
    return out
