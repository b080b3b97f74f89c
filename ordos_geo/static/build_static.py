"""Rebuild the vendored Leaflet assets in ``ordos_geo/static/`` (maintainers only).

Not imported at run time. Needs ``npm`` (registry packages, exact versions) and the
PyPI wheel ``folium-offline==0.20.0.2`` (only for Leaflet.MousePosition, which is not
published on npm). CSS ``url(...)`` images are inlined as data URIs so that a map
written with ``offline=True`` makes no request at all.

Usage::

    python ordos_geo/static/build_static.py /tmp/vendor-work
"""

from __future__ import annotations

import base64
import mimetypes
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# npm package@version -> list of (file inside package, vendored name)
NPM = {
    "leaflet@1.9.4": [("dist/leaflet.js", "leaflet.js"), ("dist/leaflet.css", "leaflet.css")],
    "leaflet-groupedlayercontrol@0.6.1": [
        ("dist/leaflet.groupedlayercontrol.min.js", "leaflet.groupedlayercontrol.min.js"),
        ("dist/leaflet.groupedlayercontrol.min.css", "leaflet.groupedlayercontrol.min.css"),
    ],
    "leaflet.fullscreen@3.0.0": [
        ("Control.FullScreen.js", "Control.FullScreen.js"),
        ("Control.FullScreen.css", "Control.FullScreen.css"),
    ],
    "leaflet-measure@2.1.7": [
        ("dist/leaflet-measure.min.js", "leaflet-measure.min.js"),
        ("dist/leaflet-measure.css", "leaflet-measure.css"),
    ],
    "leaflet-search@2.9.7": [
        ("dist/leaflet-search.min.js", "leaflet-search.min.js"),
        ("dist/leaflet-search.min.css", "leaflet-search.min.css"),
    ],
    # drawing tools of the local screening page (ordos_geo.web)
    "leaflet-draw@1.0.4": [
        ("dist/leaflet.draw.js", "leaflet.draw.js"),
        ("dist/leaflet.draw.css", "leaflet.draw.css"),
    ],
}
MOUSEPOS = "https://cdn.jsdelivr.net/gh/ardhi/Leaflet.MousePosition/src/L.Control.MousePosition.min"
_SOURCEMAP = re.compile(r"/[/*]# sourceMappingURL=[^\n*]*(\*/)?")


def _inline_urls(css: str, base: Path) -> str:
    def repl(m: re.Match[str]) -> str:
        ref = m.group(1).strip("'\"")
        if ref.startswith(("data:", "#")):
            return m.group(0)
        f = (base / ref).resolve()
        mime = mimetypes.guess_type(f.name)[0] or "application/octet-stream"
        return f"url(data:{mime};base64,{base64.b64encode(f.read_bytes()).decode()})"

    return re.sub(r"url\(([^)]*)\)", repl, css)


def main(work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    for pkg, files in NPM.items():
        tgz = subprocess.run(
            ["npm", "pack", pkg, "--silent"], cwd=work, check=True, capture_output=True, text=True
        ).stdout.strip().splitlines()[-1]
        dest = work / pkg.replace("@", "-")
        with tarfile.open(work / tgz) as tf:
            tf.extractall(dest, filter="data")
        for inner, name in files:
            src = dest / "package" / inner
            text = _SOURCEMAP.sub("", src.read_text(encoding="utf-8"))
            if name.endswith(".css"):
                text = _inline_urls(text, src.parent)
            (HERE / name).write_text(text, encoding="utf-8")
        if pkg.startswith("leaflet@"):
            for png in ("marker-icon.png", "marker-icon-2x.png", "marker-shadow.png"):
                img = dest / "package" / "dist" / "images" / png
                (HERE / png).write_bytes(img.read_bytes())
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "folium-offline==0.20.0.2",
         "-d", str(work)], check=True, capture_output=True,
    )
    whl = next(work.glob("folium_offline-*.whl"))
    with zipfile.ZipFile(whl) as zf:
        code = zf.read("offlinefolium/elements.py").decode("utf-8")
    for ext in ("js", "css"):
        m = re.search(re.escape(f"_res['{MOUSEPOS}.{ext}'] = '''") + r"(.*?)'''", code, re.S)
        if m is None:
            raise SystemExit(f"{whl}: Leaflet.MousePosition .{ext} not found")
        text = _SOURCEMAP.sub("", m.group(1))
        (HERE / f"L.Control.MousePosition.min.{ext}").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/ordos_geo_vendor"))
