"""One exclusion engine: specs, a plan that reads each layer once, two backends.

- :mod:`ordos_geo.exclusions.blockwise` — the blockwise backend on dask (threads,
  local processes or a ``dask.distributed`` scheduler).
"""
