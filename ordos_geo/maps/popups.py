"""Popup and tooltip HTML built from attribute values, always HTML-escaped.

Leaflet's ``bindPopup``/``bindTooltip`` insert strings with ``innerHTML``, and
folium's ``GeoJsonPopup``/``GeoJsonTooltip`` pass field values through raw. So the
maps never use them: every popup is built here with :func:`html.escape` applied to
each value and label taken from an input file, and handed to Leaflet as a
pre-escaped feature property.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

from ordos_geo.i18n import code_label
from ordos_geo.io.projects import INDUSTRY_ZH, STAGE_ZH
from ordos_geo.maps.styles import HIDDEN_FIELDS, Lang, field_label, text
from ordos_geo.zoning.outputs import CATEGORY_ZH, COMPONENT_ZH, EFFICIENCY_ZH, VERDICT_ZH

#: zh labels of coded values, by field (the files keep the codes).
VALUE_ZH: dict[str, dict[str, str]] = {
    "industry": INDUSTRY_ZH, "stage": STAGE_ZH, "verdict": VERDICT_ZH, "severity": VERDICT_ZH,
    "component": COMPONENT_ZH, "energy_efficiency": EFFICIENCY_ZH,
    "unit_kind": {"ecological": "生态", "general": "一般", "mining": "矿区", "urban": "城镇"},
    "level": {"national": "国家级", "autonomous_region": "自治区级", "city": "市级"},
    "park_kind": {"general": "一般园区", "low_carbon_demo": "低碳示范园区",
                  "zero_carbon": "零碳产业园"},
    "kind": {"banner_seat": "旗府驻地", "town": "镇", "coal_mining_area": "煤矿区",
             "pv": "光伏", "wind": "风电"},
    "status": {"approved": "已批复", "built": "已建成", "under_construction": "在建"},
}

__all__ = ["VALUE_ZH", "esc", "fmt_value", "localised_rows", "popup_html", "provenance_footer",
           "table_html", "value_label"]

_LONG_TEXT = 60  # characters; longer values are shown as paragraphs, not table cells


def esc(value: object) -> str:
    """HTML-escape ``value`` (quotes included) after turning it into text."""
    return html.escape(fmt_value(value), quote=True)


def fmt_value(value: object) -> str:
    """Readable text for an attribute value (no escaping): floats rounded, NaN → ''."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "✓" if value else "–"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) < 1e12:
            return str(int(value))
        return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.3g}"
    try:  # numpy scalars
        import numpy as np

        if isinstance(value, np.generic):
            return fmt_value(value.item())
    except ImportError:  # pragma: no cover
        pass
    return str(value)


def table_html(rows: Iterable[tuple[str, object]]) -> str:
    """A two-column table; labels and values are escaped here."""
    cells = []
    for label, value in rows:
        v = fmt_value(value)
        if v == "":
            continue
        if len(v) > _LONG_TEXT:
            cells.append(
                f'<tr><th colspan="2">{html.escape(label)}</th></tr>'
                f'<tr><td colspan="2" class="og-long">{html.escape(v)}</td></tr>'
            )
        else:
            cells.append(f"<tr><th>{html.escape(label)}</th><td>{html.escape(v)}</td></tr>")
    return '<table class="og-tab">' + "".join(cells) + "</table>"


def localised_rows(props: Mapping[str, Any], keys: Iterable[str],
                   lang: Lang) -> list[tuple[str, object]]:
    """(label, value) rows of ``keys`` in the reader's language.

    A field with a Chinese twin ``X_zh`` (e.g. ``rl_type`` / ``rl_type_zh``) is one row:
    the twin's text in zh, the field's own value in en. Coded values (banner adcodes,
    confidence) are labelled with :func:`~ordos_geo.i18n.code_label`.

    >>> localised_rows({"rl_type": "biodiversity", "rl_type_zh": "生物多样性维护",
    ...                 "banner": "150625", "confidence": "low"},
    ...                ["rl_type", "rl_type_zh", "banner", "confidence"], "zh")
    [('红线类型', '生物多样性维护'), ('旗区', '杭锦旗'), ('可信度', '低')]
    >>> localised_rows({"rl_type": "biodiversity", "rl_type_zh": "生物多样性维护"},
    ...                ["rl_type", "rl_type_zh"], "en")
    [('Red-line type', 'biodiversity')]
    """
    rows: list[tuple[str, object]] = []
    for k in keys:
        if k not in props or (k.endswith("_zh") and k[:-3] in props):
            continue  # a Chinese twin is shown as its base field
        v = props.get(k)
        twin = props.get(f"{k}_zh")
        if lang == "zh" and fmt_value(twin):
            v = twin
        rows.append((field_label(k, lang), value_label(k, v, lang)))
    return rows


def value_label(field: str, value: object, lang: Lang) -> object:
    """A coded value as the reader reads it: :func:`~ordos_geo.i18n.code_label`, the zh
    labels of :data:`VALUE_ZH`, and "true"/"false" text as yes/no.

    >>> value_label("industry", "coal_chemical", "zh"), value_label("stage", "new", "en")
    ('煤化工', 'new')
    >>> value_label("rail_spur", "false", "zh")
    '否'
    >>> value_label("control_unit_categories", "1;3", "zh")
    '优先保护单元；一般管控单元'
    >>> value_label("source_file", "/home/a/projects/p.geojson", "en")
    'p.geojson'
    """
    v = code_label(field, value, lang)
    if not isinstance(v, str):
        return v
    if field == "source_file":  # the file's name, not the path of the machine that ran it
        return PurePath(v.replace("\\", "/")).name or v
    if field == "control_unit_categories" and lang == "zh":
        return "；".join(CATEGORY_ZH.get(c.strip(), c.strip()) for c in v.split(";"))
    if v.strip().lower() in ("true", "false"):
        return text("yes" if v.strip().lower() == "true" else "no", lang)
    if lang == "zh":
        return VALUE_ZH.get(field, {}).get(v.strip(), v)
    return v


def provenance_footer(meta: Mapping[str, object], lang: Lang) -> str:
    """Footer naming the layer, its provenance and source (all escaped).

    ``meta`` keys used: ``layer``, ``provenance``, ``source``, ``licence``, ``vintage``.
    An ``illustrative`` layer gets a red "示意数据 / illustrative" badge.
    """
    parts = []
    prov = fmt_value(meta.get("provenance"))
    if prov == "illustrative":
        badge = html.escape(text("illustrative_short", lang))
        parts.append(f'<span class="og-badge">{badge}</span>')
    for key, label_key in (("layer", "layer"), ("provenance", "provenance"),
                           ("source", "source"), ("licence", "licence"),
                           ("vintage", "vintage")):
        v = fmt_value(code_label(key, meta.get(key), lang))
        if v:
            parts.append(f"<b>{html.escape(text(label_key, lang))}:</b> {html.escape(v)}")
    return '<div class="og-src">' + "<br>".join(parts) + "</div>"


def popup_html(
    props: Mapping[str, Any],
    *,
    title: object,
    meta: Mapping[str, object],
    lang: Lang,
    fields: Iterable[str] | None = None,
    extra_html: str = "",
) -> str:
    """Popup HTML for one feature.

    Parameters
    ----------
    props
        Attribute values of the feature (any types; escaped here).
    title
        Heading (escaped here).
    meta
        Layer metadata for the footer (see :func:`provenance_footer`); a feature's own
        ``provenance``/``source`` attributes override the layer's.
    lang
        ``"zh"`` or ``"en"`` for labels.
    fields
        Fields to show, in order; default: every field except internal ones.
    extra_html
        Already-escaped HTML appended after the table (e.g. rule hits).
    """
    keys = list(fields) if fields is not None else [k for k in props if k not in HIDDEN_FIELDS]
    rows = localised_rows(props, keys, lang)
    m = dict(meta)
    for k in ("provenance", "source"):
        if fmt_value(props.get(k)):
            m[k] = props[k]
    return (
        f'<div class="og-pop"><div class="og-h">{esc(title)}</div>'
        f"{table_html(rows)}{extra_html}{provenance_footer(m, lang)}</div>"
    )
