"""Readers and writers: vector, raster, 界址点 coordinate files, project proposals.

All writers are atomic (see :mod:`ordos_geo.io.atomic`); no reader modifies its input.
"""
