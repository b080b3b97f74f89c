"""Result files: their schema, one reader and one writer policy, whole result sets.

Every file a command writes into ``--out`` (siting, screening, ``run``) is described
once in :data:`RESULT_FILES` and read back by maps and the report only through the
functions here, under **one error policy**:

- a file that is *missing* → ``None`` (its map layer or report section is "not
  computed");
- a file that is *present but unreadable* (truncated, corrupt, wrong layout) →
  one-line :class:`~ordos_geo.errors.LayerIOError` naming the file and the command that
  rewrites it (CLI exit 1). A corrupt result never becomes a silent "not computed".

Writers use :func:`write_csv` (spreadsheet-formula safe, see :func:`neutralise_cell`)
and :func:`write_json`; each command writes its set through a :class:`ResultSet`: the
files are written into a hidden staging folder inside ``--out`` and moved into place
only when the command succeeded, under an exclusive lock of the folder, after removing
the temporary files of earlier killed runs.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> read_json(d, "pv_summary.json") is None          # missing: section not computed
True
>>> _ = (d / "pv_summary.json").write_text("{truncated")
>>> read_json(d, "pv_summary.json")                   # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ordos_geo.errors.LayerIOError: ...pv_summary.json: cannot read (...); rerun ...
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from ordos_geo.errors import LayerIOError, OrdosGeoError, OutputError
from ordos_geo.io.atomic import (
    check_output_path,
    ensure_out_dir,
    protected,
    write_error,
    write_text_atomic,
)

__all__ = [
    "RESULT_FILES",
    "ResultFile",
    "ResultSet",
    "csv_text",
    "neutralise_cell",
    "raster_path",
    "raster_tags",
    "read_csv",
    "read_json",
    "read_layer",
    "remove_stale_temp",
    "result_file",
    "write_csv",
    "write_json",
]

log = logging.getLogger(__name__)

Format = Literal["geotiff", "gpkg", "csv", "json", "xlsx", "png", "html", "folder"]


@dataclass(frozen=True)
class ResultFile:
    """One result file: name (``{kind}`` = pv|wind), format, layers, the command that writes it."""

    name: str
    format: Format
    step: str
    layers: tuple[str, ...] = ()
    description: str = ""

    def command(self, kind: str | None = None) -> str:
        """The command that (re)writes the file, e.g. ``ordos-geo siting pv``."""
        return self.step.format(kind=kind or "pv|wind")


_SITING = "ordos-geo siting {kind}"
_CHECK = "ordos-geo check"
#: Every result file by its name template.
RESULT_FILES: dict[str, ResultFile] = {f.name: f for f in (
    ResultFile("{kind}_score.tif", "geotiff", _SITING, (), "uint8 score 0-100 (band 1), class (2)"),
    ResultFile("{kind}_reasons.tif", "geotiff", _SITING, (), "uint8 reason code; tag reasons"),
    ResultFile("{kind}_resource.tif", "geotiff", _SITING, (), "float32 resource"),
    ResultFile("{kind}_robustness.tif", "geotiff", _SITING + " --sensitivity N", (),
               "uint8 robustness %"),
    ResultFile("{kind}_sites.gpkg", "gpkg", _SITING, ("sites",), "candidate sites, EPSG:4326"),
    ResultFile("{kind}_capacity_by_banner.csv", "csv", _SITING, (), "capacity by banner"),
    ResultFile("{kind}_exclusions.csv", "csv", _SITING, (), "area removed per exclusion"),
    ResultFile("{kind}_summary.json", "json", _SITING, (), "run summary"),
    ResultFile("{kind}_supply_curve.csv", "csv", _SITING, (), "supply curve (LCOE vs GW)"),
    ResultFile("{kind}_supply_curve.png", "png", _SITING, (), "supply curve figure"),
    ResultFile("wind_turbines.gpkg", "gpkg", "ordos-geo siting wind", ("turbines",),
               "turbine positions, EPSG:4326"),
    ResultFile("conflicts.csv", "csv", _CHECK, (), "one row per project × rule hit"),
    ResultFile("conflicts.gpkg", "gpkg", _CHECK, ("projects", "hits", "fix_hints"),
               "projects with verdict, conflicting parts, compliant remainders"),
    ResultFile("verdicts.xlsx", "xlsx", _CHECK, (), "verdicts by class (Chinese headers)"),
    ResultFile("screening_summary.json", "json", _CHECK, (), "screening counts"),
    ResultFile("layers_summary.csv", "csv", "ordos-geo run --steps layers_summary", (),
               "one row per catalog layer"),
)}

_KIND_RE = re.compile(r"^(pv|wind)_")


def result_file(name: str) -> tuple[ResultFile, str | None]:
    """The schema entry of a concrete file name and its kind (``pv``/``wind`` or None).

    Examples
    --------
    >>> f, kind = result_file("wind_sites.gpkg")
    >>> f.layers, kind, f.command(kind)
    (('sites',), 'wind', 'ordos-geo siting wind')
    """
    if name in RESULT_FILES:
        return RESULT_FILES[name], None
    m = _KIND_RE.match(name)
    if m:
        tpl = "{kind}_" + name[m.end():]
        if tpl in RESULT_FILES:
            return RESULT_FILES[tpl], m.group(1)
    raise KeyError(f"{name}: not a result file (known: {', '.join(RESULT_FILES)})")


def _unreadable(path: Path, exc: BaseException | str) -> LayerIOError:
    spec, kind = result_file(path.name)
    why = exc if isinstance(exc, str) else (" ".join(str(exc).split())[:140] or type(exc).__name__)
    return LayerIOError(f"{path}: cannot read ({why}); rerun `{spec.command(kind)}` to rewrite "
                        "it, or delete the file")


def _present(folder: str | os.PathLike[str], name: str) -> Path | None:
    path = Path(folder) / name
    result_file(name)  # only schema files are read here (KeyError = programming error)
    if not path.exists():
        log.info("%s not found; marked not computed", path)
        return None
    if not path.is_file():
        raise _unreadable(path, "not a file")
    return path


def read_json(folder: str | os.PathLike[str], name: str) -> dict[str, Any] | None:
    """A JSON result (an object) or None when missing; corrupt → :class:`LayerIOError`."""
    path = _present(folder, name)
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise _unreadable(path, exc) from exc
    if not isinstance(data, dict):
        raise _unreadable(path, f"expected a JSON object, got {type(data).__name__}")
    return data


def read_csv(
    folder: str | os.PathLike[str], name: str, *, dtype: Mapping[str, Any] | None = None
) -> Any:
    """A CSV result as a :class:`pandas.DataFrame` (UTF-8, BOM optional) or None when missing.

    Cells written with the formula guard (a leading ``'``) are returned as written.
    An empty file or a file that does not parse raises :class:`LayerIOError`.
    """
    import pandas as pd

    path = _present(folder, name)
    if path is None:
        return None
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype=dict(dtype or {}))
    except (OSError, ValueError, pd.errors.ParserError) as exc:  # EmptyDataError ⊂ ValueError
        raise _unreadable(path, exc) from exc


def read_layer(
    folder: str | os.PathLike[str], name: str, layer: str, *, geometry: bool = True
) -> Any:
    """Layer ``layer`` of a GeoPackage result, or None when the file is missing.

    Returns a :class:`geopandas.GeoDataFrame` (``geometry=True``, CRS as stored —
    EPSG:4326 for every result GeoPackage) or a :class:`pandas.DataFrame`. A file that
    does not open or lacks a layer of its schema raises :class:`LayerIOError`.
    """
    import pandas as pd
    import pyogrio

    path = _present(folder, name)
    if path is None:
        return None
    try:
        layers = [str(n) for n, _ in pyogrio.list_layers(path)]
    except Exception as exc:  # pyogrio/GDAL errors have no common base class
        raise _unreadable(path, exc) from exc
    if layer not in layers:
        raise _unreadable(path, f"no layer {layer!r}; found: {', '.join(layers) or 'none'}")
    try:
        df = pyogrio.read_dataframe(path, layer=layer, read_geometry=geometry)
    except Exception as exc:
        raise _unreadable(path, exc) from exc
    return df if geometry else pd.DataFrame(df)


def raster_path(folder: str | os.PathLike[str], name: str) -> Path | None:
    """The path of a GeoTIFF result after checking it opens and is georeferenced, or None."""
    path = _present(folder, name)
    if path is None:
        return None
    raster_tags(path)
    return path


def raster_tags(path: str | os.PathLike[str]) -> dict[str, str]:
    """Dataset tags of a GeoTIFF result; unreadable or not georeferenced → :class:`LayerIOError`."""
    import rasterio

    p = Path(path)
    try:
        with rasterio.open(p) as src:
            tags = dict(src.tags())
            t = src.transform
            if src.crs is None or t.a == 0 or t.e == 0 or not all(math.isfinite(v) for v in t):
                raise _unreadable(p, "no CRS or georeferencing")
    except OrdosGeoError:
        raise
    except Exception as exc:  # rasterio errors: RasterioIOError, CPLE_* …
        raise _unreadable(p, exc) from exc
    return tags


# --------------------------------------------------------------------------- writers

#: First characters that make a spreadsheet read a cell as a formula (OWASP CSV injection).
FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Prefix ``'`` to a text cell a spreadsheet would run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a
    leading apostrophe (OWASP "CSV injection"); numbers — including text that is just
    a number, such as ``-12.5`` — and every other value are returned unchanged.

    Examples
    --------
    >>> neutralise_cell('=HYPERLINK("http://x","点击")')
    '\\'=HYPERLINK("http://x","点击")'
    >>> neutralise_cell("-12.5"), neutralise_cell(-3), neutralise_cell("草原")
    ('-12.5', -3, '草原')
    """
    if not isinstance(value, str) or not value.startswith(FORMULA_CHARS):
        return value
    with contextlib.suppress(ValueError):
        if math.isfinite(float(value)):
            return value
    return "'" + value


def csv_text(df: Any, *, lineterminator: str = "\n") -> str:
    """``df`` as CSV text (no index) with every text cell passed through :func:`neutralise_cell`.

    Numeric columns are written as numbers (a negative value stays a number).
    """
    import pandas as pd

    out = pd.DataFrame(df).copy()
    bare_cr = False
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
            bare_cr = bare_cr or bool(out[col].map(lambda v: isinstance(v, str)
                                                   and "\r" in v).any())
    buf = io.StringIO()
    # Python's csv quotes a cell only for characters of the line terminator: with "\n"
    # a carriage return inside a cell would end the row in most readers, so such files
    # quote every text cell (numbers stay bare)
    out.to_csv(buf, index=False, lineterminator=lineterminator,
               quoting=csv.QUOTE_NONNUMERIC if bare_cr and "\r" not in lineterminator
               else csv.QUOTE_MINIMAL)
    return buf.getvalue()


def write_csv(
    df: Any, path: str | os.PathLike[str], *, overwrite: bool = True, bom: bool = False,
    lineterminator: str = "\n",
) -> Path:
    """Write ``df`` as a formula-safe CSV, atomically (UTF-8; with BOM for Excel if ``bom``)."""
    return write_text_atomic(path, csv_text(df, lineterminator=lineterminator),
                             overwrite=overwrite, encoding="utf-8-sig" if bom else "utf-8")


def write_json(data: Any, path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
    """Write ``data`` as indented UTF-8 JSON (non-ASCII kept; NaN/inf refused), atomically."""
    try:
        text = json.dumps(data, ensure_ascii=False, indent=2, default=str, allow_nan=False)
    except ValueError:  # NaN/inf somewhere: JSON has no such numbers → null
        text = json.dumps(_finite(data), ensure_ascii=False, indent=2, default=str)
    return write_text_atomic(path, text + "\n", overwrite=overwrite)


def _finite(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, dict):
        return {k: _finite(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_finite(x) for x in v]
    return v


# --------------------------------------------------------------------- result sets

#: Hidden names of this module's staging folders and lock file inside ``--out``.
STAGE_PREFIX = ".ordos_geo-stage."
LOCK_NAME = ".ordos_geo.lock"
#: Temporary files left by killed runs: atomic_path temps (``.name.XXXXXXXX.tmp.ext``),
#: COG staging files (``*.staging.tif``), GDAL overview temps (``*.ovr.tmp``).
_STALE_RE = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp(\.|$)|\.staging\.|\.ovr\.tmp$")


def remove_stale_temp(folder: str | os.PathLike[str]) -> int:
    """Remove temporary files and staging folders of earlier killed runs; return the count.

    Only call while holding the folder's lock (:class:`ResultSet` does), so that no
    live run's temporary files are removed.
    """
    d = Path(folder)
    n = 0
    if not d.is_dir():
        return 0
    # the folder and its sub-folders one level down (report/): never a whole tree
    folders = [d] + [q for q in d.iterdir()
                     if q.is_dir() and not q.is_symlink() and not q.name.startswith(".")]
    for folder in folders:
        for p in list(folder.iterdir()):
            if not (p.name.startswith(STAGE_PREFIX) or _STALE_RE.search(p.name)):
                continue
            with contextlib.suppress(OSError):
                if p.is_dir() and not p.is_symlink():
                    shutil.rmtree(p)
                else:
                    p.unlink()
                n += 1
    if n:
        log.info("%s: removed %d temporary file(s) of an earlier interrupted run", d, n)
    return n


class _FolderLock:
    """An exclusive advisory lock of an output folder (released when the process dies)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_NAME
        self._fh: Any = None

    def acquire(self) -> None:
        for _ in range(5):  # the holder may remove the file between our open and lock
            fh = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
            try:
                _lock_file(fh)
            except OSError:
                fh.seek(0)
                holder = fh.read().strip() or "unknown"
                fh.close()
                raise OutputError(
                    f"{self.path.parent}: another ordos-geo command is writing to this folder "
                    f"(pid {holder}); wait for it to finish or choose another --out") from None
            try:
                same = os.fstat(fh.fileno()).st_ino == os.stat(self.path).st_ino
            except OSError:
                same = False
            if same:
                break
            _unlock_file(fh)
            fh.close()
        else:  # pragma: no cover - only under heavy contention
            raise OutputError(f"{self.path.parent}: cannot lock the output folder; try again")
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        self._fh = fh

    def release(self) -> None:
        if self._fh is not None:
            # remove the file while still holding the lock: a waiting process that opened
            # it sees a different inode after locking and retries with a fresh file
            with contextlib.suppress(OSError):
                self.path.unlink()
            with contextlib.suppress(OSError):
                _unlock_file(self._fh)
            self._fh.close()
            self._fh = None


def _lock_file(fh: Any) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock_file(fh: Any) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


class ResultSet:
    """Write one command's outputs whole: staged in ``--out``, moved in on success.

    ``with ResultSet(out_dir, names, inputs=..., overwrite=...) as rs:`` locks
    ``out_dir`` (a second command on the same folder stops with a one-line
    :class:`OutputError`), removes temporary files of earlier killed runs, refuses
    before any work an output that exists without ``overwrite`` or that is one of
    ``inputs`` (or a folder holding one), and refuses ``inputs`` that *are* the output
    folder (a command must never read its own results as input). The command writes
    into ``rs.stage``; when the block ends without error every entry of the stage is
    renamed into ``out_dir`` (same file system: each rename is atomic, and the set is
    swapped in together at the end); on error the stage is removed and ``out_dir``
    keeps the previous results untouched.

    Parameters
    ----------
    out_dir
        The output folder (created).
    names
        File or folder names the command may write (checked up front).
    inputs
        Every file and folder the command reads (catalog layers and YAML, configs,
        rules, ledger, project files).
    overwrite
        Replace existing outputs.
    seed
        Names of existing results to make visible in the stage (hard links, or copies
        where links are not possible), for commands whose later steps read what earlier
        steps wrote (``run``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with ResultSet(d, ["a.csv"], overwrite=False) as rs:
    ...     _ = write_csv([{"x": "=1+1"}], rs.stage / "a.csv")
    ...     (d / "a.csv").exists()
    False
    >>> (d / "a.csv").read_text()
    "x\\n'=1+1\\n"
    """

    def __init__(
        self, out_dir: str | os.PathLike[str], names: Iterable[str], *,
        inputs: Iterable[str | os.PathLike[str] | None] = (), overwrite: bool = False,
        seed: Sequence[str] = (),
    ) -> None:
        self.out_dir = Path(out_dir)
        self.names = tuple(dict.fromkeys(names))
        self.inputs = protected(inputs)
        self.overwrite = overwrite
        self.seed = tuple(seed)
        self._stage: Path | None = None
        self._created = False
        self._lock = _FolderLock(self.out_dir)

    @property
    def stage(self) -> Path:
        """The staging folder (inside ``out_dir``) the command writes into."""
        if self._stage is None:
            raise RuntimeError("ResultSet.stage used outside its with-block")
        return self._stage

    def __enter__(self) -> ResultSet:
        if self.out_dir.exists() and not self.out_dir.is_dir():
            raise OutputError(f"{self.out_dir}: --out is a file, not a folder; choose a folder")
        self._created = not self.out_dir.exists()
        ensure_out_dir(self.out_dir)
        out = self.out_dir.resolve()
        for inp in self.inputs:
            if inp == out:
                raise OutputError(
                    f"{self.out_dir}: --out is also an input folder of this command (a rerun "
                    "would read its own results as input); choose another --out")
        self._lock.acquire()
        try:
            remove_stale_temp(self.out_dir)
            for name in self.names:
                check_output_path(self.out_dir / name, overwrite=self.overwrite,
                                  inputs=self.inputs)
            self._stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=self.out_dir))
            for name in self.seed:
                self._seed(name)
        except BaseException:
            self._cleanup(failed=True)
            raise
        return self

    def _seed(self, name: str) -> None:
        src = self.out_dir / name
        if not src.is_file():
            return
        try:
            os.link(src, self.stage / name)
        except OSError:
            shutil.copy2(src, self.stage / name)

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if exc_type is None:
                self._commit()
        finally:
            self._cleanup(failed=exc_type is not None)

    def _commit(self) -> None:
        stage = self.stage
        entries = sorted(stage.iterdir(), key=lambda p: p.name)
        for src in entries:
            final = self.out_dir / src.name
            try:
                if src.is_dir() and final.exists():
                    old = final.with_name(f"{STAGE_PREFIX}old.{final.name}")
                    os.replace(final, old)
                    os.replace(src, final)
                    shutil.rmtree(old, ignore_errors=True)
                else:
                    os.replace(src, final)
            except OSError as exc:
                raise write_error(final, exc) from exc
        log.info("%s: %d result file(s) moved into place", self.out_dir, len(entries))

    def _cleanup(self, *, failed: bool = False) -> None:
        if self._stage is not None:
            shutil.rmtree(self._stage, ignore_errors=True)
            self._stage = None
        self._lock.release()
        if failed and self._created:  # a failed command leaves no new empty folder
            with contextlib.suppress(OSError):
                self.out_dir.rmdir()


@contextlib.contextmanager
def staged_file(
    path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str] | None] = (),
    overwrite: bool = False,
) -> Iterator[Path]:
    """A :class:`ResultSet` of one file: yields the staged path to write ``path`` to.

    Refuses an existing folder at ``path`` (a file name is needed).
    """
    p = Path(path)
    if p.is_dir():
        raise OutputError(f"{p}: is a folder; give a file name, e.g. --out {p / 'map.html'}")
    with ResultSet(p.parent if str(p.parent) else Path("."), [p.name], inputs=inputs,
                   overwrite=overwrite) as rs:
        yield rs.stage / p.name
