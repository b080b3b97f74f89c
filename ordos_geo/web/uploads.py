"""Uploaded project files into a request's own temp folder: names, limits, zips.

Nothing a request sends reaches the file system as a path: every upload is stored
under a name built here (:func:`safe_name`: the base name only, a whitelist of
characters, a known suffix, numbered when two uploads share a name), inside the
folder of that request. A zip (zipped shapefile …) is unpacked member by member
into a sub-folder with the same rules, so ``../`` or absolute member names cannot
escape (no zip-slip), and its unpacked size is limited (no zip bomb).

Examples
--------
>>> safe_name("../../etc/passwd.txt")
'passwd.txt'
>>> safe_name("C:\\\\Users\\\\me\\\\界址点 A.TXT")
'界址点_A.txt'
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from ordos_geo.errors import ProjectInputError

__all__ = [
    "PROJECT_SUFFIXES",
    "SHAPEFILE_PARTS",
    "UploadError",
    "WebLimits",
    "safe_name",
    "stage_uploads",
]

log = logging.getLogger(__name__)

#: Suffixes accepted as project files (``.zip``: a zipped shapefile or other vector file).
PROJECT_SUFFIXES = (".txt", ".csv", ".xlsx", ".gpkg", ".geojson", ".json", ".kml", ".zip")
#: Side files of a shapefile, accepted inside a zip only.
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
_CHUNK = 1 << 16
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


class UploadError(ProjectInputError):
    """An upload that cannot be screened (type, size, count, damaged zip). HTTP 4xx."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class WebLimits:
    """Limits of one ``POST /api/check`` request.

    Parameters
    ----------
    max_files
        Files per request (a zip counts as one).
    max_file_mb
        Size of one uploaded file, MB (10⁶ bytes).
    max_total_mb
        Size of the whole request body, MB.
    max_zip_members
        Entries in one zip.
    max_unzipped_mb
        Unpacked size of one zip, MB.
    """

    max_files: int = 20
    max_file_mb: float = 20.0
    max_total_mb: float = 60.0
    max_zip_members: int = 200
    max_unzipped_mb: float = 200.0

    def bytes_of(self, mb: float) -> int:
        """``mb`` megabytes in bytes."""
        return int(mb * 1_000_000)


def safe_name(name: str, *, allowed: Iterable[str] = PROJECT_SUFFIXES) -> str:
    """A file name that is safe to create: base name, plain characters, known suffix.

    Parameters
    ----------
    name
        The name the browser sent (may hold folders, ``..``, back-slashes, controls).
    allowed
        Accepted suffixes (lower case, with the dot).

    Returns
    -------
    str
        ``stem + suffix``; the suffix in lower case.

    Raises
    ------
    UploadError
        Empty name or a suffix not in ``allowed`` (the message lists them).
    """
    base = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = "." + suffix.lower() if suffix else ""
    shown = base or "(no name)"
    allowed = tuple(allowed)
    if suffix not in allowed:
        raise UploadError(f"{shown}: unsupported file type '{suffix or '(none)'}' (supported: "
                          f"{', '.join(allowed)}); zip a shapefile with its .shx/.dbf/.prj",
                          status=415)
    stem = _UNSAFE.sub("_", stem).strip("._")[:80] or "upload"
    return stem + suffix


def _unique(folder: Path, name: str) -> Path:
    p = folder / name
    n = 1
    while p.exists():
        stem, suffix = name.rsplit(".", 1)
        p = folder / f"{stem}_{n}.{suffix}"
        n += 1
    return p


def _copy_limited(src: IO[bytes] | BinaryIO, dest: Path, limit: int, shown: str,
                  limit_mb: float) -> int:
    size = 0
    with dest.open("xb") as out:
        while chunk := src.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise UploadError(f"{shown}: file larger than {limit_mb:g} MB; split it or "
                                  "start the server with a higher limit", status=413)
            out.write(chunk)
    if size == 0:
        raise UploadError(f"{shown}: empty file; upload the project file itself")
    return size


def _unzip(archive: Path, shown: str, limits: WebLimits) -> list[Path]:
    """Unpack ``archive`` beside itself; return the project files in it."""
    dest, n = archive.parent / f"{archive.stem}_zip", 1
    while dest.exists():
        dest, n = archive.parent / f"{archive.stem}_zip{n}", n + 1
    dest.mkdir()
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError(f"{shown}: not a readable zip file ({exc}); zip the files again") \
            from exc
    with zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        if len(members) > limits.max_zip_members:
            raise UploadError(f"{shown}: zip holds {len(members)} files (limit "
                              f"{limits.max_zip_members}); zip only the project files",
                              status=413)
        total = sum(m.file_size for m in members)
        if total > limits.bytes_of(limits.max_unzipped_mb):
            raise UploadError(f"{shown}: zip unpacks to {total / 1e6:.0f} MB (limit "
                              f"{limits.max_unzipped_mb:g} MB); zip only the project files",
                              status=413)
        inner_ok = tuple(s for s in PROJECT_SUFFIXES if s != ".zip") + SHAPEFILE_PARTS
        out: list[Path] = []
        for m in members:
            parts = PurePosixPath(m.filename.replace("\\", "/")).parts
            if not parts or parts[-1].startswith(".") or "__MACOSX" in parts:
                continue  # hidden files, macOS resource forks
            try:
                name = safe_name(parts[-1] if parts else "", allowed=inner_ok)
            except UploadError:
                log.info("%s: skipping %s (not a project file)", shown, m.filename)
                continue
            target = _unique(dest, name)
            try:
                with zf.open(m) as src:
                    _copy_limited(src, target, limits.bytes_of(limits.max_unzipped_mb),
                                  f"{shown}: {parts[-1]}", limits.max_unzipped_mb)
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
                # RuntimeError: encrypted member; BadZipFile: CRC error
                raise UploadError(f"{shown}: {parts[-1]}: cannot unpack ({exc}); zip the files "
                                  "again without a password") from exc
            out.append(target)
    projects = [p for p in out if p.suffix == ".shp" or p.suffix not in SHAPEFILE_PARTS]
    if not projects:
        raise UploadError(f"{shown}: the zip holds no project file (.shp with .shx/.dbf/.prj, "
                          ".gpkg, .geojson, .kml, .csv, .xlsx, 界址点 .txt)")
    return sorted(projects)


def stage_uploads(
    uploads: Iterable[tuple[str, BinaryIO]], folder: Path, limits: WebLimits
) -> tuple[list[Path], dict[str, str]]:
    """Store uploads under safe names in ``folder`` and unpack zips.

    Parameters
    ----------
    uploads
        ``(name sent by the browser, readable binary stream)`` pairs.
    folder
        The request's own, empty temp folder.
    limits
        Count and size limits.

    Returns
    -------
    paths, shown
        Project files to screen; and stored path (text) -> the name the user sent, to
        turn messages about stored files back into the user's names.

    Raises
    ------
    UploadError
        No file, too many, too large, unsupported type, damaged zip.
    """
    items = list(uploads)
    if not items:
        raise UploadError("no project file uploaded; choose a file or draw on the map")
    if len(items) > limits.max_files:
        raise UploadError(f"{len(items)} files uploaded (limit {limits.max_files}); screen "
                          "them in smaller batches", status=413)
    paths: list[Path] = []
    shown: dict[str, str] = {}
    for sent, stream in items:
        name = safe_name(sent)
        user = unicodedata.normalize("NFC", str(sent)).replace("\\", "/").split("/")[-1]
        target = _unique(folder, name)
        _copy_limited(stream, target, limits.bytes_of(limits.max_file_mb), user,
                      limits.max_file_mb)
        shown[str(target)] = user
        if target.suffix == ".zip":
            inner = _unzip(target, user, limits)
            for p in inner:
                shown[str(p)] = f"{user}!{p.name}"
            paths.extend(inner)
        else:
            paths.append(target)
    return paths, shown
