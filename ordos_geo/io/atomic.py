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
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from ordos_geo.errors import OutputError

__all__ = [
    "atomic_path",
    "check_output_path",
    "ensure_out_dir",
    "register_inputs",
    "write_bytes_atomic",
    "write_text_atomic",
]

# Inputs read in this process: an output path equal to one of them is refused.
_INPUTS: set[Path] = set()


def register_inputs(paths: Iterable[str | os.PathLike[str]]) -> None:
    """Remember input files so that no output may overwrite them."""
    for p in paths:
        with contextlib.suppress(OSError):
            _INPUTS.add(Path(p).resolve())


def check_output_path(path: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """Validate an output path and return it as :class:`~pathlib.Path`.

    Raises
    ------
    OutputError
        If the path equals a registered input, exists and ``overwrite`` is false,
        or its folder cannot be created or written.
    """
    p = Path(path)
    rp = p.resolve()
    if rp in _INPUTS:
        raise OutputError(f"{p}: output path is also an input; choose another --out")
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
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file keeps the final suffix (GDAL picks drivers by extension). On
    any exception the temporary file is removed and the target is left untouched.

    Parameters
    ----------
    path
        Final output path.
    overwrite
        Replace an existing file at ``path``; otherwise raise :class:`OutputError`.
    """
    final = check_output_path(path, overwrite=overwrite)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{final.stem}.", suffix=f".tmp{final.suffix}", dir=final.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # let the writer create it (some drivers refuse an existing empty file)
    try:
        yield tmp
        if tmp.is_dir() and final.exists():  # directory outputs (e.g. report folders)
            _remove(final)
        os.replace(tmp, final)
    except BaseException:
        _remove(tmp)
        for side in tmp.parent.glob(tmp.name + "*"):  # sidecars (.aux.xml, -journal)
            _remove(side)
        raise


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
