"""One exclusion engine: one spec, one plan step that reads each layer once, two backends.

::

    plan_exclusions(specs, grid, *, catalog, region=None, base_dir=None,
                    tip_height_m=None, locate=None, where_prefix="exclusions")
        -> ExclusionPlan
    run_memory(plan, *, region_mask=None) -> ExclusionRun          # reasons in RAM
    run_blockwise(plan, *, scheduler=None, n_workers=None, chunk=2048,
                  mask_path=None, reasons_path=None, overwrite=False, tags=None)
        -> ExclusionRun                                            # GeoTIFF, no array
    iter_reason_windows(plan, *, chunk=2048, scheduler=None, n_workers=None)
        -> Iterator[(rasterio Window, uint8 reasons)]

Rules (both backends): a vector exclusion removes the cells its buffered features
cover under ``mode`` (centre | all_touched | fraction); a raster exclusion removes
the cells whose centre lies in (or within ``buffer_m`` of) a source pixel matching
``codes``/``ranges`` (class test at source resolution); the first exclusion in order
sets a cell's code; 0 eligible, 255 outside the region (cell-centre rule).

Modules: :mod:`~ordos_geo.exclusions.spec`, :mod:`~ordos_geo.exclusions.plan`,
:mod:`~ordos_geo.exclusions.memory`, :mod:`~ordos_geo.exclusions.blockwise`.
"""

from ordos_geo.exclusions.memory import ExclusionRun, ExclusionStat, burn_reasons, run_memory
from ordos_geo.exclusions.plan import ExclusionPlan, PlannedExclusion, plan_exclusions
from ordos_geo.exclusions.spec import ExclusionSpec

__all__ = [
    "ExclusionPlan",
    "ExclusionRun",
    "ExclusionSpec",
    "ExclusionStat",
    "PlannedExclusion",
    "burn_reasons",
    "iter_reason_windows",
    "plan_exclusions",
    "run_blockwise",
    "run_memory",
]


def __getattr__(name: str) -> object:
    # dask is imported only when the blockwise backend is used
    if name in ("run_blockwise", "iter_reason_windows"):
        from ordos_geo.exclusions import blockwise

        return getattr(blockwise, name)
    raise AttributeError(name)
