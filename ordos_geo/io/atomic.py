"""Atomic output: write to a temporary name in the target folder, then rename.

A crash or error half way leaves no partial file behind and never touches an
existing result unless ``overwrite=True``.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> with atomic_path(d / "a.csv") as tmp:
...     _ = tmp.write_text("x\\n1\\n")
>>> (d / "a.csv").read_text()
'x\\n1\\n'
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ordos_geo.errors import OrdosGeoError, OutputError

__all__ = [
    "atomic_path",
    "check_output_path",
    "ensure_out_dir",
    "protected",
    "write_bytes_atomic",
    "write_error",
    "write_text_atomic",
]

def protected(paths: Iterable[str | os.PathLike[str] | None]) -> frozenset[Path]:
    """The resolved form of ``paths`` (``None`` skipped), for ``inputs=`` of the checks.

    Examples
    --------
    >>> protected(["a.csv", None]) == {Path("a.csv").resolve()}
    True
    """
    out: set[Path] = set()
    for p in paths:
        if p is None:
            continue
        with contextlib.suppress(OSError, RuntimeError):
            out.add(Path(p).resolve())
    return frozenset(out)


def check_output_path(
    path: str | os.PathLike[str], *, overwrite: bool,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Path:
    """Validate an output path and return it as :class:`~pathlib.Path`.

    Parameters
    ----------
    path
        The output file or folder.
    overwrite
        Allow replacing an existing file.
    inputs
        Files (or folders) the calling command reads: an output equal to one of them,
        or a folder output that contains one, is refused. Passed explicitly by each
        command; nothing is remembered between calls.

    Raises
    ------
    OutputError
        If the path is an input (or holds one), exists and ``overwrite`` is false, is an
        existing folder where a file is expected, or its folder cannot be created or written.
    """
    p = Path(path)
    rp = p.resolve()
    for inp in protected(inputs):
        if inp == rp or (p.is_dir() and inp.is_relative_to(rp)):
            raise OutputError(f"{p}: output path is also an input of this command (it would be "
                              "overwritten); choose another --out")
    if p.exists() and not overwrite:
        raise OutputError(f"{p}: already exists; pass --overwrite to replace it")
    ensure_out_dir(p.parent)
    return p


def ensure_out_dir(folder: str | os.PathLike[str]) -> Path:
    """Create ``folder`` if needed and check that it is writable."""
    d = Path(folder)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{d}: cannot create output folder ({exc.strerror}); choose a writable --out"
        ) from exc
    if not os.access(d, os.W_OK | os.X_OK):
        raise OutputError(f"{d}: output folder is not writable; choose a writable --out")
    return d


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str], *, overwrite: bool = True,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file keeps the final suffix (GDAL picks drivers by extension). On
    any exception the temporary file is removed and the target is left untouched.

    Parameters
    ----------
    path
        Final output path.
    overwrite
        Replace an existing file at ``path``; otherwise raise :class:`OutputError`.
    inputs
        Files the command reads (see :func:`check_output_path`).
    """
    final = check_output_path(path, overwrite=overwrite, inputs=inputs)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # let the writer create it (some drivers refuse an existing empty file)
    try:
        try:
            yield tmp
            if tmp.is_dir() and final.exists():  # directory outputs (e.g. report folders)
                _remove(final)
            os.replace(tmp, final)
        except OSError as exc:
            if isinstance(exc, OrdosGeoError):
                raise
            raise write_error(final, exc) from exc
    except BaseException:
        _remove(tmp)
        for side in tmp.parent.glob(tmp.name + "*"):  # sidecars (.aux.xml, -journal)
            _remove(side)
        raise


def write_error(path: Path, exc: BaseException) -> OutputError:
    """One-line :class:`OutputError` for an OS/GDAL error while writing ``path``.

    A full disk (``ENOSPC``, ``EDQUOT``, or GDAL's "No space left") is named as such.
    """
    msg = " ".join(str(getattr(exc, "strerror", None) or exc).split())[:160]
    full = getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT) or \
        "no space left" in str(exc).lower()
    if full:
        return OutputError(f"{path}: disk full while writing ({msg}); free some space or "
                           "choose another --out (earlier results were left unchanged)")
    return OutputError(f"{path}: cannot write ({msg}); check the output folder and its "
                       "free space, or choose another --out")


def _remove(p: Path) -> None:
    with contextlib.suppress(OSError):
        if p.is_dir():
            shutil.rmtree(p)
        else:
            p.unlink()


def write_bytes_atomic(
    path: str | os.PathLike[str], data: bytes, *, overwrite: bool = True
) -> Path:
    """Write ``data`` to ``path`` atomically and return the final path."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text_atomic(
    path: str | os.PathLike[str], text: str, *, overwrite: bool = True, encoding: str = "utf-8"
) -> Path:
    """Write ``text`` to ``path`` atomically (UTF-8, ``\\n`` newlines)."""
    return write_bytes_atomic(path, text.encode(encoding), overwrite=overwrite)
