"""The installed version of ordos-geo (lowest layer: anything may import it).

>>> isinstance(__version__, str)
True
"""

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("ordos-geo")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0+unknown"
