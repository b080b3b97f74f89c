"""Popup HTML: every value from input files is escaped; provenance is shown."""

from __future__ import annotations

import math
from html.parser import HTMLParser

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ordos_geo.maps.popups import fmt_value, popup_html, table_html


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(s: str) -> _Tags:
    p = _Tags()
    p.feed(s)
    return p


def test_values_and_titles_are_escaped() -> None:
    evil = '<img src=x onerror="alert(1)">'
    out = popup_html({"name": evil, "note": "a & b", evil: "key too"}, title=evil,
                     meta={"layer": "projects", "source": "<script>x()</script>"}, lang="zh")
    p = _parse(out)
    assert "img" not in p.tags and "script" not in p.tags
    assert set(p.tags) <= {"div", "table", "tr", "th", "td", "span", "b", "br"}
    text = "".join(p.text)
    assert evil in text and "a & b" in text and "<script>x()</script>" in text


def test_labels_long_texts_and_empty_values() -> None:
    long = "禁止开发性、生产性建设活动，" * 8
    out = popup_html({"spatial_constraints": long, "area_mu": 42000.0, "empty": float("nan"),
                      "none": None}, title="单元", meta={}, lang="zh")
    assert "空间布局约束" in out and 'class="og-long"' in out
    assert "面积 (亩)" in out and "42000" in out
    assert "empty" not in out and "none" not in out
    en = popup_html({"area_mu": 1.0}, title="u", meta={}, lang="en")
    assert "Area (mu)" in en


def test_provenance_footer_and_feature_override() -> None:
    out = popup_html({"name_zh": "红线", "provenance": "illustrative", "source": "DATA.md §2"},
                     title="红线", meta={"layer": "red_lines", "provenance": "official",
                                         "source": "layer source"}, lang="zh")
    assert "示意数据 / illustrative" in out and "DATA.md §2" in out and "layer source" not in out
    plain = popup_html({"name_zh": "x"}, title="x",
                       meta={"layer": "city", "provenance": "derived", "source": "cnmaps"},
                       lang="en")
    assert "illustrative" not in plain and "cnmaps" in plain and "Source" in plain


def test_fmt_value() -> None:
    assert fmt_value(np.float64(12.0)) == "12"
    assert fmt_value(3.14159) == "3.14"
    assert fmt_value(1234.567) == "1,234.57"
    assert fmt_value(math.nan) == ""
    assert fmt_value(np.int64(7)) == "7"
    assert fmt_value(True) == "✓"
    assert table_html([("a", None), ("b", "")]) == '<table class="og-tab"></table>'


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=40), st.text(max_size=40))
def test_any_text_stays_text(value: str, key: str) -> None:
    """Whatever an input file holds, the popup has only our own tags and shows the text."""
    out = popup_html({key or "k": value}, title=value, meta={"source": value}, lang="en")
    p = _parse(out)
    assert set(p.tags) <= {"div", "table", "tr", "th", "td", "span", "b", "br"}
    shown = "".join(p.text)
    assert value.strip() == "" or fmt_value(value).strip() in shown


def test_default_red_line_popup_is_in_the_readers_language() -> None:
    import geopandas as gpd

    from ordos_geo.resources import data_path

    row = gpd.read_file(data_path("layers", "red_lines.gpkg")).iloc[0].drop("geometry")
    meta = {"layer": "red_lines", "provenance": "illustrative", "source": "s"}
    zh = " ".join(_parse(popup_html(dict(row), title="t", meta=meta, lang="zh")).text)
    assert f"红线类型 {row['rl_type_zh']}" in zh and str(row["rl_type"]) not in zh
    assert "rl_type_zh" not in zh and str(row["banner"]) not in zh  # adcode → 杭锦旗 …
    assert "旗" in zh and "示意" in zh and "illustrative:" not in zh
    en = " ".join(_parse(popup_html(dict(row), title="t", meta=meta, lang="en")).text)
    assert f"Red-line type {row['rl_type']}" in en and "rl_type_zh" not in en
    assert "Banner" in en and str(row["banner"]) not in en
