"""Property-based fuzzing of the input readers (issue 7).

Anything a reader raises other than :class:`~ordos_geo.errors.OrdosGeoError` is a bug
(it would reach the user as "internal error"). Targets: the 界址点 parser
(:func:`ordos_geo.io.coordfile.read_coordfile`), the project readers
(:func:`ordos_geo.io.projects.read_projects`, :func:`ordos_geo.io.tabular.read_points_table`)
on CSV and XLSX, and the catalog loader (:func:`ordos_geo.config.load_yaml` +
:func:`ordos_geo.config.validate` with :class:`ordos_geo.catalog.CatalogFile`, and
:meth:`ordos_geo.catalog.Catalog.load`).

Text is generated from a grammar close to the real formats (so that the parsers get
deep), then damaged (truncated, wrong encoding, CRLF). Example counts are modest so
the file runs in well under a minute.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from ordos_geo.catalog import Catalog, CatalogFile
from ordos_geo.config import load_yaml, validate
from ordos_geo.errors import OrdosGeoError
from ordos_geo.io.coordfile import read_coordfile
from ordos_geo.io.projects import read_projects
from ordos_geo.io.tabular import read_points_table
from ordos_geo.resources import analysis_path

#: CI runs a fixed, modest set; ``ORDOS_FUZZ_EXAMPLES=2000 ORDOS_FUZZ_RANDOM=1`` hunts deeper.
_N = int(os.environ.get("ORDOS_FUZZ_EXAMPLES", "150"))
_DERANDOMIZE = not os.environ.get("ORDOS_FUZZ_RANDOM")
SETTINGS = settings(max_examples=_N, deadline=None, derandomize=_DERANDOMIZE,
                    suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=max(_N // 5, 10), deadline=None, derandomize=_DERANDOMIZE,
               suppress_health_check=[HealthCheck.too_slow])

_GK37 = Transformer.from_crs(4326, 4525, always_xy=True)
#: A plausible corner in Ordos, zone 37 with prefix: (north, east).
_E0, _N0 = _GK37.transform(109.5, 39.5)


#: One folder for the whole module; every example overwrites its file there.
_DIR = Path(tempfile.mkdtemp(prefix="ordos_fuzz_"))


def _tmp() -> Path:
    return _DIR


def teardown_module() -> None:
    shutil.rmtree(_DIR, ignore_errors=True)


def _assert_only_ordos_errors(func: Any, *args: Any, **kw: Any) -> Any:
    """Call ``func``; an OrdosGeoError is fine, anything else fails the property."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return func(*args, **kw)
        except OrdosGeoError as exc:
            text = str(exc)
            assert "\n" not in text.strip(), f"multi-line message: {text!r}"
            return None


# ------------------------------------------------------------------ 界址点 TXT
_junk = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
_number_text = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-10**9, 10**9).map(str),
    st.sampled_from(["", " ", "nan", "inf", "-", "1e400", "0x10", "1,5", "１２３"]),
    _junk,
)


@st.composite
def _gk_value(draw: st.DrawFn, centre: float) -> str:
    if draw(st.integers(0, 7)):
        return f"{centre + draw(st.floats(-2000, 2000)):.3f}"
    return draw(_number_text)


@st.composite
def coordfile_text(draw: st.DrawFn) -> str:
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["[属性描述]", "[项目信息]", "[扩展信息]", "[其他]"])))
        for _ in range(draw(st.integers(0, 5))):
            key = draw(st.sampled_from(["坐标系", "几度分带", "带号", "精度", "计量单位",
                                        "投影类型", "分带"]))
            val = draw(st.one_of(
                st.sampled_from(["2000国家大地坐标系", "1980西安坐标系", "1954北京坐标系",
                                 "3", "6", "3度带", "37", "36", "", "米", "abc"]),
                st.integers(-5, 100).map(str), _junk))
            lines.append(f"{key}={val}")
    if draw(st.booleans()) or not lines:
        lines.append("[地块坐标]")
    for _ in range(draw(st.integers(0, 3))):
        n_pts = draw(st.integers(0, 12))
        fields = [str(n_pts), draw(st.sampled_from(["", "1.5", "0.7655公顷", "abc", "-3"])),
                  draw(st.sampled_from(["1", "P-1", "", "地块"])), draw(_junk),
                  draw(st.sampled_from(["面", "线", "点", "", "x"])), "",
                  draw(st.sampled_from(["", "光伏用地", "工业用地"])), "", "@"]
        k = draw(st.integers(5, 13))
        lines.append(",".join([*fields[:k - 1], "@"]) if k < 9 else ",".join(fields))
        ring = 1
        for i in range(n_pts):
            if draw(st.integers(0, 15)) == 0:
                ring += 1
            north = draw(_gk_value(_N0))
            east = draw(_gk_value(_E0 if draw(st.booleans()) else _E0 - 37_000_000))
            pid = draw(st.sampled_from([f"J{i + 1}", str(i + 1), "", "J1"]))
            row = [pid, str(ring), north, east]
            if draw(st.integers(0, 15)) == 0:
                row = row[: draw(st.integers(0, 3))]
            lines.append(",".join(row))
    if draw(st.integers(0, 5)) == 0:
        lines.append(draw(_junk))
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n"]))


@given(text=coordfile_text(), enc=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "crlf"]),
       cut=st.one_of(st.none(), st.floats(0.0, 1.0)), zone=st.sampled_from([None, 36, 37, 0, 99]))
@SETTINGS
def test_fuzz_coordfile(text: str, enc: str, cut: float | None, zone: int | None) -> None:
    if enc == "crlf":
        data = text.replace("\n", "\r\n").encode("utf-8")
    else:
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
    if cut is not None:
        data = data[: int(len(data) * cut)]
    p = _tmp() / "jzd.txt"
    p.write_bytes(data)
    gdf = _assert_only_ordos_errors(read_coordfile, p, zone=zone)
    event("parsed" if gdf is not None else "OrdosGeoError")
    if gdf is not None:
        assert gdf.crs is not None
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
        assert p.read_bytes() == data


@given(raw=st.binary(max_size=400), zone=st.sampled_from([None, 37]))
@SETTINGS
def test_fuzz_coordfile_bytes(raw: bytes, zone: int | None) -> None:
    p = _tmp() / "raw.txt"
    p.write_bytes(raw)
    _assert_only_ordos_errors(read_coordfile, p, zone=zone)


# ------------------------------------------------------------------ project tables
_COLUMNS = ["项目编号", "项目名称", "行业", "阶段", "产能", "单位", "经度", "纬度", "wkt",
            "lon", "lat", "组成", "能效水平", "直燃煤设施", "id", "industry", "capacity"]
_cell = st.one_of(
    st.sampled_from(["", "光伏", "风电", "煤化工", "新建", "扩建", "MW", "万千瓦", "万吨", "是",
                     "否", "标杆", "109.5", "39.5", "109°30'00\"", "39°30′N", "-1", "0",
                     "POINT (109.5 39.5)", "POLYGON ((109.5 39.5, 109.51 39.5, 109.51 39.51, "
                     "109.5 39.5))", "POINT EMPTY", "LINESTRING (1 1, 2 2)", "nan", "inf",
                     "=1+1", "<b>x</b>", "37410000", "4373018"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(106.0, 112.0).map(lambda v: f"{v:.5f}"),
    _junk,
)


@st.composite
def project_frame(draw: st.DrawFn) -> pd.DataFrame:
    cols = draw(st.lists(st.sampled_from(_COLUMNS), min_size=0, max_size=9, unique=True))
    n = draw(st.integers(0, 4))
    data = {c: [draw(_cell) for _ in range(n)] for c in cols}
    return pd.DataFrame(data, columns=cols, dtype=object)


def _csv_bytes(df: pd.DataFrame, enc: str) -> bytes:
    text = df.to_csv(index=False)
    try:
        return text.encode(enc)
    except UnicodeEncodeError:
        return text.encode("utf-8")


@given(df=project_frame(), enc=st.sampled_from(["utf-8", "utf-8-sig", "gbk"]),
       cut=st.one_of(st.none(), st.floats(0.0, 1.0)))
@SETTINGS
def test_fuzz_projects_csv(df: pd.DataFrame, enc: str, cut: float | None) -> None:
    data = _csv_bytes(df, enc)
    if cut is not None:
        data = data[: int(len(data) * cut)]
    p = _tmp() / "projects.csv"
    p.write_bytes(data)
    _assert_only_ordos_errors(read_projects, [p], defaults={"stage": "new"})
    _assert_only_ordos_errors(read_points_table, p)
    assert p.read_bytes() == data


@given(df=project_frame())
@FEW
def test_fuzz_projects_xlsx(df: pd.DataFrame) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    df = df.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    df.columns = [ILLEGAL_CHARACTERS_RE.sub("", str(c)) for c in df.columns]
    p = _tmp() / "projects.xlsx"
    df.to_excel(p, index=False)
    data = p.read_bytes()
    _assert_only_ordos_errors(read_projects, [p])
    _assert_only_ordos_errors(read_points_table, p)
    assert p.read_bytes() == data


# ------------------------------------------------------------------ catalog YAML
_FIELDS = ["id", "title_zh", "title_en", "kind", "path", "layer", "crs", "roles", "provenance",
           "source", "licence", "vintage", "notes", "encoding", "units", "categories", "colour"]
_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.sampled_from(["vector", "raster", "EPSG:4326", "GCJ-02", "4490", "ok.gpkg", "absent.tif",
                     "[context]", "context", "user", "official", "red_lines", "a b", "", "~"]),
    _junk,
)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(st.sampled_from(_FIELDS), _junk, st.integers()), inner,
                        max_size=3),
    ),
    max_leaves=6,
)


@st.composite
def catalog_data(draw: st.DrawFn) -> Any:
    entries = []
    for _ in range(draw(st.integers(0, 3))):
        keys = draw(st.lists(st.sampled_from(_FIELDS), max_size=len(_FIELDS), unique=True))
        entry: dict[str, Any] = {}
        for k in keys:
            if k == "roles" and draw(st.booleans()):
                entry[k] = draw(st.lists(st.sampled_from(["context", "zoning", "x"]), max_size=3))
            elif k == "path" and draw(st.booleans()):
                entry[k] = "ok.gpkg"
            elif k == "id" and draw(st.booleans()):
                entry[k] = draw(st.sampled_from(["mine", "red_lines", "Bad-Id", "x" * 80]))
            else:
                entry[k] = draw(_value)
        entries.append(entry)
    top: dict[Any, Any] = {"version": draw(st.sampled_from([1, 2, "1", None])), "layers": entries}
    if draw(st.integers(0, 4)) == 0:
        top = draw(_value)
    return top


@given(data=catalog_data(), cut=st.one_of(st.none(), st.floats(0.0, 1.0)))
@SETTINGS
def test_fuzz_catalog_yaml(data: Any, cut: float | None) -> None:
    d = _tmp()
    (d / "ok.gpkg").write_bytes(b"")  # exists; contents are not read by load/validate
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if cut is not None:
        text = text[: int(len(text) * cut)]
    p = d / "mine.yaml"
    p.write_text(text, encoding="utf-8")
    parsed = _assert_only_ordos_errors(load_yaml, p)
    if parsed is not None:
        _assert_only_ordos_errors(validate, CatalogFile, parsed, p)
    _assert_only_ordos_errors(Catalog.load, p)


@given(raw=st.binary(max_size=300))
@SETTINGS
def test_fuzz_yaml_bytes(raw: bytes) -> None:
    p = _tmp() / "raw.yaml"
    p.write_bytes(raw)
    parsed = _assert_only_ordos_errors(load_yaml, p)
    if parsed is not None:
        _assert_only_ordos_errors(validate, CatalogFile, parsed, p)


# ------------------------------------------------------------------ analysis configs (mutated)


def _example(name: str) -> Any:
    return yaml.safe_load(analysis_path(name).read_text(encoding="utf-8"))


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """``base`` with 1–3 random edits: replace a value, delete a key/item, add a key."""
    import copy

    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        if not path:
            continue
        parent = data
        for k in path[:-1]:
            parent = parent[k]
        op = draw(st.sampled_from(["replace", "delete", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(_value)
        elif op == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "colour", "buffer", "weight"]))] = draw(_value)
    return data


def _loader_property(loader: Any, data: Any, name: str) -> None:
    p = _tmp() / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    _assert_only_ordos_errors(loader, p)


@given(data=mutated(_example("eligibility_example.yaml")))
@FEW
def test_fuzz_eligibility_config(data: Any) -> None:
    from ordos_geo.eligibility import load_eligibility_config

    _loader_property(load_eligibility_config, data, "elig.yaml")


@given(data=mutated(_example("pv.yaml")))
@FEW
def test_fuzz_siting_config(data: Any) -> None:
    from ordos_geo.siting.config import load_siting_config

    _loader_property(load_siting_config, data, "pv.yaml")


_RULES = _example("zoning_rules.yaml")
_RULES_SMALL = {**_RULES, "rules": _RULES["rules"][:4]}


@given(data=mutated(_RULES_SMALL))
@FEW
def test_fuzz_rules(data: Any) -> None:
    from ordos_geo.zoning.rules import load_rules

    _loader_property(load_rules, data, "rules.yaml")
