"""The CJK font for static maps and reports (Noto Sans CJK, or WenQuanYi Zen Hei).

The CJK font comes from Debian ``fonts-noto-cjk`` (or ``fonts-wqy-zenhei``). Noto
Sans CJK ships as a TrueType *collection* of CFF (PostScript-outline) faces, and
matplotlib can neither pick the Simplified-Chinese face of a collection nor embed
CFF outlines correctly as Type 42 (it writes them as ``FontFile2``, which PDF
readers flag as a font-type mismatch). So, once per machine, the SC regular and bold
faces are subset to GB 2312 + Latin + punctuation and converted to TrueType outlines
with fontTools (a few seconds, both faces in parallel), renamed to their own family
(:data:`SUBSET_FAMILY`), cached under ``$ORDOS_GEO_CACHE`` (default
``~/.cache/ordos_geo/fonts``), and registered with
``matplotlib.font_manager.fontManager.addfont``. The original collection is also
registered as a per-glyph fallback for characters outside GB 2312.

``$ORDOS_GEO_CJK_FONT`` names one CJK font file (``.ttf``/``.otf``/``.ttc``) to use
instead of the system search; a missing file raises :class:`FontNotFoundError`, like a
machine without any CJK font (``ordos-geo run`` then writes every other output and
says in one line how to install the font).
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import tempfile
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from ordos_geo.errors import OrdosGeoError

__all__ = [
    "LAYOUT_FEATURES",
    "NOTO_CANDIDATES",
    "SUBSET_FAMILY",
    "WQY_CANDIDATES",
    "CJKFont",
    "FontNotFoundError",
    "figure_chars",
    "get_cjk_font",
    "missing_glyphs",
    "rc_params",
]

log = logging.getLogger(__name__)

#: Where Debian (and a few other distributions) put the CJK fonts we accept, best first.
NOTO_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
)
WQY_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",
)
_SC_FACE_NAME = "Noto Sans CJK SC"
_CACHE_NAME = "OrdosGeoCJKsc-Regular-gb2312-tt-v4.ttf"  # bump when the subset changes
#: OpenType features kept in the subset: HarfBuzz's defaults for horizontal text except
#: ``kern``. The class-based GPOS kerning of Noto CJK makes every PDF embedding walk
#: ~50,000 GPOS records (fontTools' name-table pruning), ~0.6 s per font per PDF file,
#: about 14 s of a report; without it Latin letter pairs are set at their advance widths
#: (CJK text is monospaced and unaffected). Vertical and proportional features are never
#: used by matplotlib's horizontal text.
LAYOUT_FEATURES: tuple[str, ...] = ("ccmp", "liga", "clig", "calt", "rlig", "rclt", "mark",
                                    "mkmk")
#: Family name of the TrueType subset. It must differ from every face of the system
#: collection: matplotlib ≥ 3.11 registers all faces of a .ttc, and a subset that kept
#: the name "Noto Sans CJK SC" would lose to the CFF original in font look-ups.
SUBSET_FAMILY = "OrdosGeo Noto Sans CJK SC"


#: Environment variable naming one CJK font file to use instead of the system search.
FONT_ENV = "ORDOS_GEO_CJK_FONT"
_INSTALL_HINT = ("install it with `apt-get install fonts-noto-cjk` (or run `make sysdeps`), "
                 f"or set {FONT_ENV} to a CJK .ttf/.otf/.ttc file")


class FontNotFoundError(OrdosGeoError):
    """No CJK font: maps and the report cannot be drawn (everything else can)."""


@dataclass(frozen=True)
class CJKFont:
    """A registered CJK font.

    Attributes
    ----------
    family
        Matplotlib family name used for all text (e.g. ``"Noto Sans CJK SC"``).
    path
        File matplotlib draws and embeds from (a TrueType file when possible).
    source
        The system font file it was derived from.
    fallback_families
        Families tried per glyph when ``family`` lacks a character.
    """

    family: str
    path: Path
    source: Path
    fallback_families: tuple[str, ...] = ()

    @property
    def families(self) -> list[str]:
        """Family list for ``rcParams["font.family"]`` (primary, fallbacks, DejaVu Sans)."""
        return [self.family, *self.fallback_families, "DejaVu Sans"]


def _cache_dir() -> Path:
    """``$ORDOS_GEO_CACHE/fonts`` or ``~/.cache/ordos_geo/fonts``; the temp dir if unwritable."""
    env = os.environ.get("ORDOS_GEO_CACHE")
    base = Path(env) if env else Path.home() / ".cache" / "ordos_geo"
    d = base / "fonts"
    try:
        d.mkdir(parents=True, exist_ok=True)
        if os.access(d, os.W_OK):
            return d
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"ordos_geo-fonts-{os.getuid()}"


def _subset_chars() -> list[int]:
    """Code points kept in the TrueType subset: GB 2312, Latin, punctuation, symbols."""
    cps: set[int] = set(range(0x20, 0x250))
    for lo, hi in (
        (0x2000, 0x206F), (0x2100, 0x214F), (0x2150, 0x218F), (0x2190, 0x21FF),
        (0x2200, 0x22FF), (0x2460, 0x24FF), (0x25A0, 0x25FF), (0x2600, 0x27BF),
        (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    ):
        cps.update(range(lo, hi + 1))
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([b1, b2]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return sorted(cps)


def _build_truetype_subset(ttc: Path, face_index: int, out: Path, *, bold: bool = False) -> None:
    """Subset face ``face_index`` of ``ttc`` and convert its CFF outlines to TrueType."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    logging.getLogger("fontTools").setLevel(logging.WARNING)  # its INFO lines are noise
    font = TTFont(str(ttc), fontNumber=face_index) if ttc.suffix.lower() == ".ttc" else TTFont(
        str(ttc)
    )
    opts = subset.Options()
    opts.layout_features = list(LAYOUT_FEATURES)
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    # the outlines are converted to TrueType below, so CFF subroutines are not kept:
    # expanding them here skips fontTools' slower subroutine pruning. (Hints are left
    # alone: removing them costs more time than it saves, and the pen drops them.)
    opts.desubroutinize = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=_subset_chars())
    sub.subset(font)
    _rename_family(font, SUBSET_FAMILY, bold=bold)
    if "CFF " in font:
        order = font.getGlyphOrder()
        glyph_set = font.getGlyphSet()
        glyf = newTable("glyf")
        glyf.glyphOrder = order
        glyf.glyphs = {}
        for name in order:
            pen = TTGlyphPen(glyph_set)
            glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
            glyf.glyphs[name] = pen.glyph()
        font["loca"] = newTable("loca")
        font["glyf"] = glyf
        for name in order:
            g = glyf.glyphs[name]
            if not hasattr(g, "xMin"):  # empty glyph (space): bounds are zero
                g.xMin = g.yMin = g.xMax = g.yMax = 0
        del font["CFF "]
        if "VORG" in font:
            del font["VORG"]
        maxp = newTable("maxp")
        maxp.tableVersion = 0x00010000
        for attr in ["maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                     "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                     "maxComponentElements"]:
            setattr(maxp, attr, 0)
        maxp.maxZones = 1
        font["maxp"] = maxp
        maxp.compile(font)
        post = font["post"]
        post.formatType = 2.0
        post.extraNames = []
        post.mapping = {}
        post.glyphOrder = order
        font.sfntVersion = "\x00\x01\x00\x00"
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    font.save(str(tmp))
    os.replace(tmp, out)


def _rename_family(font: Any, family: str, *, bold: bool = False) -> None:
    """Give ``font`` its own family (name IDs 1, 4, 6, 16, 17) so look-ups are unambiguous."""
    style = "Bold" if bold else "Regular"
    ps = family.replace(" ", "") + "-" + style
    for rec in font["name"].names:
        if rec.nameID in (1, 16):
            rec.string = family
        elif rec.nameID == 4:
            rec.string = f"{family} {style}"
        elif rec.nameID == 6:
            rec.string = ps
        elif rec.nameID in (2, 17):
            rec.string = style
    if "OS/2" in font:
        font["OS/2"].usWeightClass = 700 if bold else 400
    if "CFF " in font:
        font["CFF "].cff.fontNames = [ps]


def _bold_paths(regular: Path) -> tuple[Path, Path] | None:
    """(installed bold face, its cached TrueType subset) beside ``regular``, if installed."""
    bold_src = regular.with_name(regular.name.replace("Regular", "Bold"))
    if bold_src == regular or not bold_src.is_file():
        return None
    return bold_src, _cache_dir() / _CACHE_NAME.replace("Regular", "Bold")


def _prepare_face(src: Path, out: Path, bold: bool = False) -> None:
    """Build the TrueType subset of the SC face of ``src`` into ``out`` (picklable)."""
    index = _sc_face_index(src) if src.suffix.lower() == ".ttc" else 0
    _build_truetype_subset(src, index, out, bold=bold)


def _prepare_in_background(src: Path, out: Path, *, bold: bool) -> Future[None] | None:
    """Start :func:`_prepare_face` in a separate (spawned) process; None if that fails.

    On first use both faces must be built (~8 s each, pure Python): building the bold
    face in a second process halves the wait on a machine with two free cores.
    """
    try:
        ex = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
        fut = ex.submit(_prepare_face, src, out, bold)
        ex.shutdown(wait=False)  # the submitted build still runs; the worker then exits
        return fut
    except Exception as exc:  # no process support (sandbox): build in this process
        log.info("cannot start a font worker process (%s); building in this process", exc)
        return None


def _add_bold_subset(fm: Any, regular: Path, pending: Future[None] | None = None) -> None:
    """Prepare and register the bold face beside the regular one, when installed.

    Without it matplotlib logs "Failed to find font weight bold" and draws bold titles
    in the regular weight. Failures only cost the bold weight (logged). ``pending`` is
    a build of the bold subset already running in another process.
    """
    paths = _bold_paths(regular)
    if paths is None:
        return
    bold_src, cached = paths
    try:
        if pending is not None:
            try:
                pending.result(timeout=900)
            except Exception as exc:  # worker failed: retried below in this process
                log.info("bold font worker failed (%s); building in this process", exc)
        if not cached.is_file():
            log.info("preparing CJK bold font %s -> %s (once per machine)", bold_src, cached)
            _prepare_face(bold_src, cached, bold=True)
        fm.addfont(str(cached))
    except Exception as exc:  # fontTools failure or unwritable cache: regular weight only
        log.warning("could not prepare the bold CJK face from %s (%s)", bold_src, exc)


def _sc_face_index(ttc: Path) -> int:
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(ttc), lazy=True)
    for i, face in enumerate(coll.fonts):
        if face["name"].getDebugName(1) == _SC_FACE_NAME:
            return i
    return 0


@functools.lru_cache(maxsize=1)
def get_cjk_font() -> CJKFont:
    """Find, prepare and register the CJK font (cached for the process).

    Returns
    -------
    CJKFont
        The registered font; use :func:`rc_params` to draw with it.

    Raises
    ------
    FontNotFoundError
        If neither ``fonts-noto-cjk`` nor ``fonts-wqy-zenhei`` is installed, or
        ``$ORDOS_GEO_CJK_FONT`` names no file.
    """
    fm = font_manager.fontManager
    override = os.environ.get(FONT_ENV)
    if override:  # one user-named file, registered as it is
        if not Path(override).is_file():
            raise FontNotFoundError(f"${FONT_ENV}: {override}: no such font file; "
                                    + _INSTALL_HINT)
        fm.addfont(override)
        name = font_manager.FontProperties(fname=override).get_name()
        return CJKFont(name, Path(override), Path(override), ())
    noto = next((Path(p) for p in NOTO_CANDIDATES if Path(p).is_file()), None)
    if noto is not None:
        fm.addfont(str(noto))  # fallback for characters outside the subset
        fallback_name = font_manager.FontProperties(fname=str(noto)).get_name()
        cached = _cache_dir() / _CACHE_NAME
        pending = None
        try:
            if not cached.is_file():
                bold = _bold_paths(noto)
                if bold is not None and not bold[1].is_file():
                    log.info("preparing CJK bold font %s -> %s (once per machine)", *bold)
                    pending = _prepare_in_background(bold[0], bold[1], bold=True)
                log.info("preparing CJK font %s -> %s (once per machine)", noto, cached)
                _prepare_face(noto, cached)
            fm.addfont(str(cached))
            _add_bold_subset(fm, noto, pending)
            family = font_manager.FontProperties(fname=str(cached)).get_name()
            return CJKFont(family, cached, noto, (fallback_name,))
        except Exception as exc:  # fontTools failure or unwritable cache: degrade
            log.warning(
                "could not build a TrueType copy of %s (%s); embedding the CFF face directly",
                noto, exc,
            )
            return CJKFont(fallback_name, noto, noto, ())
    wqy = next((Path(p) for p in WQY_CANDIDATES if Path(p).is_file()), None)
    if wqy is not None:
        fm.addfont(str(wqy))
        name = font_manager.FontProperties(fname=str(wqy)).get_name()
        return CJKFont(name, wqy, wqy, ())
    raise FontNotFoundError(
        "/usr/share/fonts: font 'Noto Sans CJK' not found (also no WenQuanYi Zen Hei); "
        + _INSTALL_HINT
    )


def rc_params(font: CJKFont | None = None) -> Any:  # matplotlib types keys as Literals
    """Matplotlib settings for maps and report pages (CJK font, Type 42 PDF fonts)."""
    font = font or get_cjk_font()
    return {
        "font.family": font.families,
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "axes.unicode_minus": False,
        "svg.fonttype": "none",
    }


def figure_chars(fig: Figure) -> set[str]:
    """All characters drawn as text in ``fig`` (titles, labels, legends, tables)."""
    chars: set[str] = set()
    for t in fig.findobj(Text):
        chars.update(t.get_text())
    return {c for c in chars if not c.isspace()}


@functools.lru_cache(maxsize=4)
def _cmap(path: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=0, lazy=True)
    return frozenset(font.getBestCmap().keys())


def missing_glyphs(chars: Iterable[str], font: CJKFont | None = None) -> set[str]:
    """Characters of ``chars`` that the primary CJK font cannot draw (would be boxes)."""
    font = font or get_cjk_font()
    cmap = _cmap(str(font.path))
    return {c for c in chars if not c.isspace() and ord(c) not in cmap}
