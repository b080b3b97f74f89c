"""One screening request of the web page: temp folder, check, JSON, stored downloads.

:class:`Screener` holds what every request shares — the zone layers
(:class:`~ordos_geo.zoning.ZoneSource`, whose caches are filled on first use) and the
results kept for download (:class:`ResultStore`) — each behind its own lock, so that
concurrent requests neither race on a cache nor see each other's files. A request
works in its own :func:`tempfile.TemporaryDirectory`, removed when it ends whatever
happens, and its messages name the user's file names, never the temp paths.
"""

from __future__ import annotations

import logging
import math
import secrets
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import geopandas as gpd
import pandas as pd

from ordos_geo.errors import OrdosGeoError
from ordos_geo.web.uploads import UploadError, WebLimits, stage_uploads

__all__ = ["DOWNLOADS", "ResultStore", "Screener", "StoredResult", "parse_defaults"]

log = logging.getLogger(__name__)

#: Files offered for download after a check (all of :data:`~ordos_geo.zoning.outputs.OUTPUT_FILES`).
DOWNLOADS = ("verdicts.xlsx", "conflicts.gpkg", "conflicts.csv", "screening_summary.json")
_HIT_FIELDS = ("rule_id", "severity", "title_zh", "title_en", "doc_no", "clause", "quote",
               "verify", "overlap_ha", "overlap_mu", "overlap_share", "distance_m",
               "message_zh", "message_en")
_FIX_FIELDS = ("prohibited_rules", "remainder_ha", "remainder_mu", "remainder_share", "note")


@dataclass
class StoredResult:
    """What a finished check keeps for its downloads (files as bytes, no paths)."""

    files: dict[str, bytes]
    result: Any  # ScreeningResult, for the per-project PDF
    pdfs: dict[int, bytes] = field(default_factory=dict)


class ResultStore:
    """The last ``capacity`` results, by random token; thread-safe."""

    def __init__(self, capacity: int = 16) -> None:
        self._items: OrderedDict[str, StoredResult] = OrderedDict()
        self._lock = threading.Lock()
        self.capacity = capacity

    def put(self, item: StoredResult) -> str:
        """Store ``item``; return its token (URL-safe, unguessable)."""
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._items[token] = item
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return token

    def get(self, token: str) -> StoredResult | None:
        """The stored result, or ``None`` if unknown or dropped."""
        with self._lock:
            return self._items.get(token)


def _clean(value: Any) -> Any:
    """JSON-ready value: numpy scalars to Python, NaN to ``None``, floats to 4 decimals."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def parse_defaults(form: Mapping[str, str]) -> dict[str, Any]:
    """Project defaults from form fields (``industry``, ``stage``, ``capacity`` …).

    Empty fields are ``None``. Raises :class:`UploadError` for a capacity or zone
    that is not a number, naming the field.

    >>> parse_defaults({"industry": "pv", "capacity": "100", "zone": ""})["capacity"]
    100.0
    """
    out: dict[str, Any] = {}
    for key in ("industry", "stage", "unit", "component", "crs"):
        v = str(form.get(key) or "").strip()
        out[key] = v or None
    cap = str(form.get("capacity") or "").strip()
    try:
        out["capacity"] = float(cap) if cap else None
    except ValueError:
        raise UploadError(f"capacity: '{cap[:40]}' is not a number; give e.g. 100") from None
    if out["capacity"] is not None and not math.isfinite(out["capacity"]):
        raise UploadError(f"capacity: '{cap[:40]}' is not a finite number; give e.g. 100")
    zone = str(form.get("zone") or "").strip()
    try:
        out["zone"] = int(zone) if zone else None
    except ValueError:
        raise UploadError(f"zone: '{zone[:40]}' is not a 3° zone number; give e.g. 37") from None
    return out


def _geojson(gdf: gpd.GeoDataFrame, columns: Iterable[str]) -> dict[str, Any]:
    import json

    cols = [c for c in columns if c in gdf.columns]
    g = gdf[[*cols, gdf.geometry.name]]
    g = g[g.geometry.notna() & ~g.geometry.is_empty]
    if len(g) == 0:
        return {"type": "FeatureCollection", "features": []}
    g = g.to_crs("EPSG:4326")
    return dict(json.loads(g.to_json(na="null", drop_id=True)))


def _map_layers(result: Any) -> dict[str, Any]:
    pr = result.projects.assign(_i=range(len(result.projects)))
    hits = result.hits.assign(_i=result.hits["_pidx"].astype(int))
    hits = hits[hits["severity"] != "encouraged"]
    fix = result.fix_hints
    fix = fix.assign(_i=[int(pr.index[pr["id"] == pid][0]) if (pr["id"] == pid).any() else -1
                         for pid in fix["project_id"]]) if len(fix) else fix.assign(_i=[])
    return {"projects": _geojson(pr, ["_i", "id", "name", "verdict", "area_ha", "area_mu"]),
            "hits": _geojson(hits, ["_i", "rule_id", "severity", "overlap_ha", "overlap_mu"]),
            "fix_hints": _geojson(fix, ["_i", "remainder_ha", "remainder_mu"])}


def _details(result: Any) -> list[dict[str, Any]]:
    """Per project (same order as ``projects`` of the check JSON): rules, clauses, fixes."""
    pr = result.projects
    out: list[dict[str, Any]] = [{"hits": [], "fix_hints": []} for _ in range(len(pr))]
    h = pd.DataFrame(result.hits.drop(columns="geometry"))
    for rec in h.to_dict("records"):
        out[int(rec["_pidx"])]["hits"].append({k: _clean(rec.get(k)) for k in _HIT_FIELDS})
    ids = list(pr["id"])
    for rec in pd.DataFrame(result.fix_hints.drop(columns="geometry")).to_dict("records"):
        if rec.get("project_id") in ids:
            out[ids.index(rec["project_id"])]["fix_hints"].append(
                {k: _clean(rec.get(k)) for k in _FIX_FIELDS})
    for i, (ind, stage, cap, unit) in enumerate(zip(
            pr["industry"], pr["stage"], pr["capacity"], pr["capacity_unit"], strict=True)):
        out[i].update(industry=_clean(ind), stage=_clean(stage), capacity=_clean(cap),
                      capacity_unit=_clean(unit))
    return out


def _context_layers(cat: Any) -> dict[str, Any]:
    """Vector layers with a map style, simplified (100 m), EPSG:4326."""
    import json

    from ordos_geo.crs import WORK_CRS
    from ordos_geo.maps.styles import LAYER_STYLES

    out = []
    if cat is None:
        return {"layers": []}
    for spec in cat:
        if spec.kind != "vector" or spec.id not in LAYER_STYLES:
            continue
        try:
            gdf = cat.vector(spec.id, WORK_CRS)
        except OrdosGeoError as exc:
            log.warning("context layer %s skipped: %s", spec.id, exc)
            continue
        gdf = gdf[[gdf.geometry.name]].copy()
        gdf["geometry"] = gdf.geometry.simplify(100.0)
        gdf = gdf[~gdf.geometry.is_empty].to_crs("EPSG:4326")
        out.append({"id": spec.id, "title_zh": spec.title_zh, "title_en": spec.title_en,
                    "provenance": spec.provenance, "style": LAYER_STYLES[spec.id],
                    "geojson": json.loads(gdf.to_json(drop_id=True))})
    return {"layers": out}


class Screener:
    """Screen uploads with shared zone layers and keep the results for download.

    Parameters
    ----------
    catalog
        User catalog YAML overlaid on the default layers (``--catalog``), or ``None``.
    rules
        User rules YAML (``--rules``), or ``None``.
    limits
        Upload limits.
    """

    def __init__(self, *, catalog: str | Path | None = None, rules: str | Path | None = None,
                 limits: WebLimits | None = None) -> None:
        from ordos_geo.zoning import ZoneSource, load_rules

        self.rules = Path(rules) if rules is not None else None
        if self.rules is not None:
            load_rules(user_path=self.rules)  # a bad --rules file fails at start, not per request
        self.zones = ZoneSource(catalog)
        self.catalog = self.zones.catalog
        self.limits = limits or WebLimits()
        self.store = ResultStore()
        # ZoneSource and Catalog fill dict caches on first use; one check at a time
        # keeps them consistent (the GDAL reads below are not thread-safe either).
        self._lock = threading.Lock()
        self._pdf_lock = threading.Lock()  # matplotlib font set-up and rcParams are global
        self._context: dict[str, Any] | None = None

    def context_layers(self) -> dict[str, Any]:
        """Context layers for the map (computed once, under the layers' lock)."""
        with self._lock:
            if self._context is None:
                self._context = _context_layers(self.catalog)
            return self._context

    def check(self, uploads: Iterable[tuple[str, BinaryIO]],
              form: Mapping[str, str]) -> dict[str, Any]:
        """Screen the uploaded files: the check JSON plus ``web`` (map layers, details).

        Returns
        -------
        dict
            :func:`ordos_geo.zoning.outputs.check_json` with ``outputs`` mapping each
            download to its URL, plus ``web``: ``token``, ``projects`` (per project:
            rules with clause and quote, fix hints), ``layers`` (GeoJSON, EPSG:4326),
            ``notes`` (illustrative data …) and ``pdf`` URLs.

        Raises
        ------
        OrdosGeoError
            One line naming the user's file (never a temp path).
        """
        from ordos_geo.io.projects import ProjectDefaults
        from ordos_geo.zoning import check_projects, summary_dict, write_outputs
        from ordos_geo.zoning.outputs import check_json

        defaults = parse_defaults(form)
        with tempfile.TemporaryDirectory(prefix="ordos-web-") as tmp:
            folder = Path(tmp)
            shown: dict[str, str] = {}
            try:
                (folder / "in").mkdir()
                paths, shown = stage_uploads(uploads, folder / "in", self.limits)
                with self._lock:
                    result = check_projects(
                        paths, catalog=self.zones, rules_path=self.rules,
                        defaults=ProjectDefaults(
                            industry=defaults["industry"], stage=defaults["stage"],
                            capacity=defaults["capacity"], capacity_unit=defaults["unit"],
                            component=defaults["component"], zone=defaults["zone"],
                            crs=defaults["crs"]))
                written = write_outputs(result, folder / "out")
                files = {name: written[name].read_bytes() for name in DOWNLOADS}
            except OrdosGeoError as exc:
                raise _renamed(exc, _user_text(str(exc), folder, shown)) from None
            token = self.store.put(StoredResult(files=files, result=result))
            base = f"/api/results/{token}"
            doc = check_json(result, outputs={n: f"{base}/{n}" for n in DOWNLOADS})
            for rec in doc["projects"]:  # the user's file names, never the temp folder
                if isinstance(rec.get("source"), str):
                    rec["source"] = _user_text(rec["source"], folder, shown)
        details = _details(result)
        summary = summary_dict(result)
        for i, d in enumerate(details):
            d["pdf"] = f"{base}/report/{i}.pdf"
        doc["web"] = {"token": token, "projects": details, "layers": _map_layers(result),
                      "notes": summary["notes"], "layer_provenance": summary["layers"]}
        return doc

    def project_pdf(self, token: str, index: int, lang: str = "zh") -> bytes | None:
        """The one-project PDF report of a stored result, or ``None`` if unknown."""
        from ordos_geo.web.pdf import project_pdf

        item = self.store.get(token)
        if item is None or not 0 <= index < len(item.result.projects):
            return None
        key = index if lang == "zh" else -1 - index
        with self._pdf_lock:
            if key not in item.pdfs:
                item.pdfs[key] = project_pdf(item.result, index,
                                             lang="en" if lang == "en" else "zh")
            return item.pdfs[key]


def _renamed(exc: OrdosGeoError, message: str) -> OrdosGeoError:
    """The same kind of error (and HTTP status) with ``message``."""
    try:
        new = type(exc)(message)
    except TypeError:  # a subclass with another signature
        new = OrdosGeoError(message)
    if hasattr(exc, "status"):
        new.status = exc.status  # type: ignore[attr-defined]
    return new


def _user_text(message: str, folder: Path, shown: Mapping[str, str]) -> str:
    """``message`` with stored paths replaced by the user's names and no temp folder."""
    for stored, user in sorted(shown.items(), key=lambda kv: -len(kv[0])):
        message = message.replace(stored, user)
    message = message.replace(str(folder.resolve()) + "/", "").replace(str(folder) + "/", "")
    return message.replace(str(folder), "").splitlines()[0] if message else message
