"""Zone layers for screening: catalog layers → filtered geometries in WORK_CRS + STRtree.

A :class:`ZoneSource` wraps a :class:`ordos_geo.catalog.Catalog` (or, for tests and
benchmarks, a mapping ``layer id -> GeoDataFrame``) and returns, for a list of
:class:`~ordos_geo.zoning.rules.LayerRef`, one :class:`ZoneIndex`: the selected
features re-projected once to the equal-area :data:`ordos_geo.crs.WORK_CRS`, their
attributes and a shapely 2 ``STRtree``. Raster layers (``landcover``) are turned into
polygons of the requested classes (``classes: [12, 14]``), cell by cell.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ordos_geo.errors import RuleError
from ordos_geo.io.projects import to_work_crs
from ordos_geo.zoning.rules import LayerRef

__all__ = ["ZoneIndex", "ZoneSource", "rule_field_problems", "rules_file_name"]

log = logging.getLogger(__name__)


@dataclass
class ZoneIndex:
    """Selected zone features of one or more layers, in WORK_CRS, with an STRtree.

    Attributes
    ----------
    geoms
        shapely geometries (metres, WORK_CRS).
    attrs
        Their attributes (one row per geometry) plus ``_layer``.
    tree
        ``shapely.STRtree`` over ``geoms``.
    """

    geoms: np.ndarray
    attrs: pd.DataFrame
    tree: shapely.STRtree = field(repr=False)

    @classmethod
    def build(cls, frames: Sequence[gpd.GeoDataFrame]) -> ZoneIndex:
        """Concatenate frames (already in WORK_CRS) and index them."""
        if frames:
            df = pd.concat([pd.DataFrame(f) for f in frames], ignore_index=True)
            geoms = np.asarray(df["geometry"].to_numpy(), dtype=object)
            attrs = df.drop(columns=["geometry"])
        else:
            geoms, attrs = np.empty(0, dtype=object), pd.DataFrame()
        keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        geoms, attrs = geoms[keep], attrs.loc[keep].reset_index(drop=True)
        shapely.prepare(geoms)
        return cls(geoms=geoms, attrs=attrs, tree=shapely.STRtree(geoms))

    def __len__(self) -> int:
        return len(self.geoms)


class ZoneSource:
    """Layer access for the screening engine.

    Parameters
    ----------
    catalog
        A :class:`ordos_geo.catalog.Catalog`, a user catalog file (overlaid on the
        default catalog), ``None`` (the default catalog), or a mapping
        ``layer id -> GeoDataFrame`` (any CRS; tests and benchmarks).
    """

    def __init__(self, catalog: Any = None) -> None:
        self._frames: dict[str, gpd.GeoDataFrame] | None = None
        self.catalog: Any
        if isinstance(catalog, Mapping):
            self._frames = {}
            for k, v in catalog.items():
                if not isinstance(v, gpd.GeoDataFrame) or v.crs is None:
                    raise RuleError(f"zone layer '{k}': needs a GeoDataFrame with a CRS; "
                                    "set_crs() on it first")
                self._frames[str(k)] = to_work_crs(v)
            self.catalog = None
        elif catalog is None or isinstance(catalog, str | os.PathLike):
            from ordos_geo.catalog import Catalog

            self.catalog = Catalog.load(catalog)
        else:
            self.catalog = catalog
        self._cache: dict[str, ZoneIndex] = {}
        self._layer_cache: dict[str, gpd.GeoDataFrame] = {}

    # ------------------------------------------------------------------ introspection
    @property
    def ids(self) -> list[str]:
        """Available layer ids."""
        if self._frames is not None:
            return list(self._frames)
        return list(self.catalog.ids)

    def __contains__(self, layer_id: object) -> bool:
        return layer_id in self.ids

    def describe(self, layer_id: str) -> dict[str, Any]:
        """Provenance record of a layer (for the summary)."""
        if self._frames is not None:
            return {"id": layer_id,
                    "provenance": str(self._frames[layer_id].attrs.get("provenance", "user")),
                    "source": "in-memory GeoDataFrame"}
        spec = self.catalog[layer_id]
        return {"id": layer_id, "title_zh": spec.title_zh, "title_en": spec.title_en,
                "kind": spec.kind, "provenance": spec.provenance, "source": spec.source,
                "vintage": spec.vintage, "path": str(spec.path)}

    def kind(self, layer_id: str) -> str:
        """``vector`` or ``raster``."""
        if self._frames is not None:
            return "vector"
        return str(self.catalog[layer_id].kind)

    # ------------------------------------------------------------------ reading
    def _vector(self, layer_id: str) -> gpd.GeoDataFrame:
        if layer_id not in self._layer_cache:
            if self._frames is not None:
                gdf = self._frames[layer_id]
            else:
                gdf = to_work_crs(self.catalog.vector(layer_id, crs=None))
            self._layer_cache[layer_id] = gdf
        return self._layer_cache[layer_id]

    def _raster_classes(self, layer_id: str, classes: Sequence[int]) -> gpd.GeoDataFrame:
        import rasterio
        from rasterio.features import shapes

        spec = self.catalog[layer_id]
        with rasterio.open(spec.path) as src:
            arr = src.read(1)
            transform = src.transform
            crs = spec.crs if spec.crs else src.crs
        mask = np.isin(arr, np.asarray(classes, dtype=arr.dtype))
        polys = [shapely.geometry.shape(g) for g, _ in
                 shapes(mask.astype("uint8"), mask=mask, transform=transform)]
        gdf = gpd.GeoDataFrame({"raster_class": ",".join(map(str, classes))},
                               index=range(len(polys)),
                               geometry=gpd.GeoSeries(polys, crs=crs))
        gdf = to_work_crs(gdf)
        log.debug("%s: %d polygon(s) of classes %s", layer_id, len(gdf), classes)
        return gdf

    def _select(self, ref: LayerRef, rule_id: str, rules_file: str) -> gpd.GeoDataFrame:
        if self.kind(ref.layer) == "raster":
            if not ref.classes:
                raise RuleError(f"{rules_file}: rule {rule_id}: layer '{ref.layer}' is a raster; "
                                "give classes: [values] to select cells")
            gdf = self._raster_classes(ref.layer, ref.classes)
        else:
            gdf = self._vector(ref.layer)
            gdf = gdf.loc[_where_mask(gdf, ref, rule_id, rules_file)]
        out = gdf.copy()
        out["_layer"] = ref.layer
        return out

    def subset(self, ref: LayerRef, *, rule_id: str, rules_file: str) -> np.ndarray | None:
        """Rows of the whole-layer index (``index([ref.layer])``) that ``ref`` selects.

        ``None`` for raster layers (their polygons depend on the classes). The result
        lists the same features, in the same order, as ``index([ref])``.
        """
        if self.kind(ref.layer) == "raster":
            return None
        whole = self.index([LayerRef.model_validate(ref.layer)], rule_id=rule_id,
                           rules_file=rules_file)
        if not ref.where:
            return np.arange(len(whole))
        return np.flatnonzero(_where_mask(whole.attrs, ref, rule_id, rules_file))

    def fields(self, layer_id: str) -> list[str]:
        """Attribute fields of a vector layer (after the catalog's ``fields`` mapping)."""
        if self.kind(layer_id) == "raster":
            return []
        return [c for c in self._vector(layer_id).columns if c != "geometry"]

    def missing_fields(self, refs: Sequence[LayerRef]) -> list[tuple[str, str]]:
        """``(layer, field)`` pairs that ``refs`` filter on (``where``) but the layer lacks."""
        out: list[tuple[str, str]] = []
        for r in refs:
            if r.layer not in self or self.kind(r.layer) == "raster":
                continue
            have = set(self.fields(r.layer))
            out.extend((r.layer, f) for f in r.where if f not in have)
        return list(dict.fromkeys(out))

    def missing(self, refs: Sequence[LayerRef]) -> list[str]:
        """Layer ids of ``refs`` not available."""
        have = set(self.ids)
        return [r.layer for r in refs if r.layer not in have]

    def index(self, refs: Sequence[LayerRef], *, rule_id: str, rules_file: str) -> ZoneIndex:
        """Union of the selected features of ``refs`` as a :class:`ZoneIndex` (cached)."""
        key = "||".join(r.key() for r in refs)  # ordered: feature order follows refs
        if key not in self._cache:
            frames = [self._select(r, rule_id, rules_file) for r in refs]
            self._cache[key] = ZoneIndex.build(frames)
            log.debug("zones %s: %d feature(s)", key, len(self._cache[key]))
        return self._cache[key]


def _where_mask(df: pd.DataFrame, ref: LayerRef, rule_id: str, rules_file: str) -> np.ndarray:
    """Rows of ``df`` matching ``ref.where`` (:func:`ordos_geo.config.where_mask`)."""
    from ordos_geo.config import where_mask

    return np.asarray(where_mask(df, ref.where, layer=ref.layer,
                                 loc=f"{rules_file}: rule {rule_id}",
                                 fix="fix spatial.where", error=RuleError))


def rule_field_problems(zones: ZoneSource, rules: Sequence[Any]) -> tuple[list[str], list[str]]:
    """What the active rules need from the catalog: ``(errors, notes)``, one line each.

    Errors: a layer the rules filter on lacks a field (``where``) — the message names
    the rules and the ``fields:`` mapping that fixes it. Notes: layers the rules use
    that are not in the catalog (those rules are not evaluated; screening goes on).
    """
    need: dict[tuple[str, str], list[str]] = {}
    absent: dict[str, list[str]] = {}
    for rule in rules:
        for ref in rule.layers():
            if ref.layer not in zones:
                absent.setdefault(ref.layer, []).append(rule.id)
                continue
            for fld in ref.where:
                need.setdefault((ref.layer, fld), []).append(rule.id)
    errors: list[str] = []
    for (layer, fld), ids in need.items():
        have = zones.fields(layer)
        if have and fld not in have:
            errors.append(f"layer '{layer}': field '{fld}' needed by rule(s) "
                          f"{', '.join(dict.fromkeys(ids))} is missing (fields: "
                          f"{', '.join(have)}); add it, or map yours in the catalog: "
                          f"fields: {{{fld}: <your field>}}")
    notes = [f"layer '{layer}' not in the catalog: rule(s) {', '.join(dict.fromkeys(ids))} "
             "will not be evaluated" for layer, ids in absent.items()]
    return errors, notes


def rules_file_name(path: str | os.PathLike[str] | None) -> str:
    """Name of a rules file for messages."""
    from ordos_geo.config import display_path
    from ordos_geo.zoning.rules import DEFAULT_RULES

    return display_path(Path(path) if path is not None else DEFAULT_RULES)
