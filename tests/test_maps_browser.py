"""Real-browser test of the offline map: Debian chromium, headless, network disabled.

The page is loaded from ``file://`` with a proxy that goes nowhere and a host
resolver that resolves nothing. A probe script appended to a *copy* of the page
switches every layer on, opens every popup and tooltip (Leaflet inserts them with
innerHTML, as a user's click would) and writes what it saw into the DOM, which
``--dump-dom`` returns. ``window.alert`` is hooked to change ``document.title`` so
that an executed XSS payload would be visible.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from test_maps_data import XSS, make_catalog, make_results

from ordos_geo.maps import MapOptions, write_map

pytestmark = pytest.mark.browser

_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")

_PROBE = """
<script>
(function(){
  var el = document.querySelector('.folium-map'); var map = window[el.id];
  document.querySelectorAll('.leaflet-control-layers-selector').forEach(function(i){
    if (!i.checked) { i.click(); } });
  var sink = document.createElement('div'); sink.id = 'og-probe';
  map.eachLayer(function(l){
    if (l.getPopup && l.getPopup()) {
      l.openPopup();
      var pe = l.getPopup().getElement();
      var c = pe && pe.querySelector('.leaflet-popup-content');
      if (c) { var d = document.createElement('div'); d.className = 'og-probe-popup';
               d.innerHTML = c.innerHTML; sink.appendChild(d); }
      l.closePopup();
    }
    if (l.getTooltip && l.getTooltip()) {
      l.openTooltip();
      var t = l.getTooltip().getElement();
      if (t) { var d2 = document.createElement('div'); d2.className = 'og-probe-tip';
               d2.innerHTML = t.innerHTML; sink.appendChild(d2); }
      l.closeTooltip();
    }
  });
  document.body.appendChild(sink);
  Object.keys(window).forEach(function(k){
    if (/searchControl$/.test(k)) { window[k].searchText('img'); } });
  var labels = Array.prototype.map.call(
    document.querySelectorAll('.leaflet-control-layers-selector'),
    function(x){ return x.closest('label').textContent.trim(); });
  var p = document.createElement('pre'); p.id = 'og-labels';
  p.textContent = JSON.stringify(labels); document.body.appendChild(p);
  setTimeout(function(){
    var r = document.createElement('pre'); r.id = 'og-res';
    r.textContent = JSON.stringify(performance.getEntriesByType('resource').map(
      function(e){ return e.name; }));
    document.body.appendChild(r);
  }, 500);
})();
</script>
"""
_ALERT_HOOK = "<script>window.alert=function(m){document.title='ALERT:'+m;};</script>"


def _chromium(repo: Path) -> str:
    for c in _CANDIDATES:
        found = shutil.which(c)
        if found:
            return found
    make = shutil.which("make")
    if make:  # the Makefile's sysdeps target installs Debian chromium when missing
        subprocess.run([make, "-C", str(repo), "sysdeps"], check=False, timeout=900,
                       capture_output=True)
        for c in _CANDIDATES:
            found = shutil.which(c)
            if found:
                return found
    pytest.skip("chromium not found and `make sysdeps` could not install it "
                "(needs apt-get and root/sudo)")
    raise AssertionError  # unreachable


def _run(browser: str, url: str, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    args = [
        browser, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", f"--user-data-dir={profile}",
        "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr", "--v=0", "--window-size=1400,950",
        "--virtual-time-budget=6000", *extra, url,
    ]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)


def _console(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ":CONSOLE" in ln]


@pytest.fixture(scope="module")
def browser(repo: Path) -> str:
    return _chromium(repo)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("browsermap")
    cat = make_catalog(d / "layers")
    res = make_results(d / "out")
    out = write_map(cat, d / "ordos_siting.html", results_dir=res, options=MapOptions())
    return out, d


def test_console_capture_works(browser: str, tmp_path: Path) -> None:
    # control: proves that a console error would be seen by the tests below
    page = tmp_path / "ctl.html"
    page.write_text("<html><body><script>console.error('ctl-error')</script></body></html>")
    r = _run(browser, page.as_uri(), tmp_path / "prof", "--dump-dom")
    assert any("ctl-error" in ln for ln in _console(r.stderr))


def test_offline_map_in_chromium(browser: str, built: tuple[Path, Path], repo: Path) -> None:
    out, d = built
    page = out.read_text(encoding="utf-8")
    probed = page.replace("<head>", "<head>" + _ALERT_HOOK, 1).replace(
        "</html>", _PROBE + "</html>")
    probe_path = d / "probe.html"
    probe_path.write_text(probed, encoding="utf-8")
    r = _run(browser, probe_path.as_uri(), d / "prof1", "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    assert _console(r.stderr) == []
    dom = r.stdout

    # no request left the page (data: URIs do not appear in resource timing)
    res = re.search(r'<pre id="og-res">(.*?)</pre>', dom, re.S)
    assert res is not None, "probe did not finish"
    assert json.loads(html.unescape(res.group(1))) == []

    # the layer control lists every layer, grouped
    lab = re.search(r'<pre id="og-labels">(.*?)</pre>', dom)
    assert lab is not None
    labels = json.loads(html.unescape(lab.group(1)))
    expected = ["测试banners", "测试yellow_river", "测试settlements", "测试red_lines *",
                "三线一单 优先保护单元 *", "三线一单 重点管控单元 *", "三线一单 一般管控单元 *",
                "测试parks *", "测试kubuqi *", "光伏适宜性评分", "光伏候选场址", "风电适宜性评分",
                "风电候选场址", "筛查项目（按结论着色）", "冲突范围（禁止/限制）",
                "合规剩余范围（调整建议）"]
    assert sorted(labels) == sorted(expected)
    for group in ("基础地理", "管控要素", "优先开发区", "分析结果"):
        assert group in dom

    # the XSS project name shows as text and nothing ran
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title is not None and title.group(1) == "鄂尔多斯市 新能源选址与分区管控图"
    assert '<img src="x"' not in dom
    # not even a link points outside (Leaflet's credit is plain text)
    markup = re.sub(r"<script[^>]*>.*?</script>", "", dom, flags=re.S)  # code is not markup
    assert re.search(r'(?:href|src)="(?:https?:)?//', markup) is None
    assert "Leaflet (BSD-2-Clause)" in markup
    probe = dom[dom.index('<div id="og-probe">'):]
    assert html.escape(XSS, quote=False) in probe  # shown as text in popup and tooltip
    assert "<script>document.title" not in probe
    assert "&lt;script&gt;document.title" in probe
    # the search box lists the project by its escaped name (leaflet-search uses innerHTML)
    tips = re.findall(r'<li class="search-tip"[^>]*>(.*?)</li>', dom, re.S)
    assert any(html.escape(XSS, quote=False) in t for t in tips), tips
    # the plugins are on the page
    for cls in ("leaflet-control-measure", "leaflet-control-mouseposition",
                "leaflet-control-scale", "leaflet-control-zoom-fullscreen",
                "leaflet-control-search", "og-legend", "og-title"):
        assert cls in dom, cls
    # popups carry citations, overlap in 公顷/亩, fix hint, requirement texts, source
    for needle in ("三(十二)3", "公顷", "亩", "移出生态保护红线并迁入园区", "禁止开发性",
                   "示意数据", "synthetic test data for red_lines", "500"):
        assert needle in probe, needle
    # the visible provenance notice and the legend
    assert "og-notice" in dom and "适宜性评分 (0–100)" in dom


def test_screenshot(browser: str, built: tuple[Path, Path], repo: Path) -> None:
    out, d = built
    art = repo / "tests" / "artifacts"
    art.mkdir(parents=True, exist_ok=True)
    shot = art / "maps_ordos_siting.png"
    shot.unlink(missing_ok=True)
    r = _run(browser, out.as_uri(), d / "prof2", f"--screenshot={shot}")
    assert shot.exists(), r.stderr[-2000:]
    from PIL import Image

    with Image.open(shot) as im:
        assert im.size == (1400, 950)
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 200  # a drawn map, not a blank page


_LABEL_PROBE = """
<script>
(function(){ setTimeout(function(){
  var shown = Array.prototype.filter.call(document.querySelectorAll('.og-label'),
    function(e){ var r = e.getBoundingClientRect();
                 return getComputedStyle(e).display !== 'none' && r.width > 0; })
    .map(function(e){ return e.className.replace('og-label ', '') + ':' + e.textContent; });
  var p = document.createElement('pre'); p.id = 'og-shown';
  p.textContent = JSON.stringify(shown); document.body.appendChild(p);
}, 300); })();
</script>
"""


def test_place_labels_show_by_zoom(browser: str, built: tuple[Path, Path]) -> None:
    out, d = built
    page = out.read_text(encoding="utf-8").replace("</html>", _LABEL_PROBE + "</html>")
    probe = d / "labels.html"
    probe.write_text(page, encoding="utf-8")
    r = _run(browser, probe.as_uri(), d / "prof3", "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    m = re.search(r'<pre id="og-shown">(.*?)</pre>', r.stdout, re.S)
    assert m is not None, "label probe did not run"
    shown = json.loads(html.unescape(m.group(1)))
    # banner names (escaped text from the banners layer) are visible at the opening zoom
    assert "og-label-banner:东胜区" in shown and "og-label-banner:杭锦旗" in shown
    # every label on the page is one of the catalog's names
    names = {s.split(":", 1)[1] for s in shown}
    assert names <= {"东胜区", "杭锦旗", "锡尼镇", "东胜"}
