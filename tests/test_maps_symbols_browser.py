"""Real-browser checks of the map's symbols and layer control (Debian chromium, headless).

The full map with the *default* catalog (all its layers) and synthetic results is
opened at 1400×950; a probe reads the Leaflet objects: the project markers' real
options (filled, verdict colour, white halo, radius) and whether the layer control
fits the window without scrolling, and folds/unfolds a group by clicking its name.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point
from test_maps_browser import _chromium, _console, _run
from test_maps_data import make_results

from ordos_geo.maps import MapOptions, write_map
from ordos_geo.maps.styles import VERDICT_COLOURS

pytestmark = pytest.mark.browser

_PROBE = """
<script>
(function(){
  var el = document.querySelector('.folium-map'); var map = window[el.id];
  var out = {markers: [], control: null, fold: null};
  map.eachLayer(function(l){
    if (l instanceof L.CircleMarker && l.getTooltip && l.getTooltip()) {
      var o = l.options;
      out.markers.push({tip: l.getTooltip().getContent(), fill: o.fill,
                        fillColor: o.fillColor, color: o.color, radius: o.radius,
                        fillOpacity: o.fillOpacity});
    }
  });
  var lc = document.querySelector('.leaflet-control-layers');
  var r = lc.getBoundingClientRect();
  out.control = {scroll: lc.scrollHeight, client: lc.clientHeight, bottom: r.bottom,
                 win: window.innerHeight};
  // fold state of the first group that starts folded, before and after a click
  var folded = Array.prototype.filter.call(
      lc.querySelectorAll('.leaflet-control-layers-group'),
      function(g){ var l = g.querySelector('label:not(.leaflet-control-layers-group-label)');
                   return l && l.offsetParent === null; });
  if (folded.length) {
    var g = folded[0]; var item = g.querySelector('label:not(.leaflet-control-layers-group-label)');
    g.querySelector('.leaflet-control-layers-group-name').click();
    var open = item.offsetParent !== null;
    g.querySelector('.leaflet-control-layers-group-name').click();
    out.fold = {name: g.querySelector('.leaflet-control-layers-group-name').textContent,
                n: folded.length, opened: open, refolded: item.offsetParent === null};
  }
  var p = document.createElement('pre'); p.id = 'og-sym';
  p.textContent = JSON.stringify(out); document.body.appendChild(p);
})();
</script>
"""


@pytest.fixture(scope="module")
def probe(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    browser = _chromium(repo)
    d = tmp_path_factory.mktemp("symbols")
    res = make_results(d / "out")
    pts = gpd.GeoDataFrame(
        {"id": ["Q-1", "Q-2", "Q-3"], "name": ["点禁止", "点合规", "点鼓励"],
         "verdict": ["prohibited", "compliant", "compliant"], "encouraged": ["", "", "P-6d"]},
        geometry=[Point(108.5, 39.6), Point(108.6, 39.6), Point(108.7, 39.6)], crs=4326)
    pts.to_file(res / "conflicts.gpkg", layer="projects", driver="GPKG")
    out = write_map(None, d / "full.html", results_dir=res, options=MapOptions())
    page = out.read_text(encoding="utf-8").replace("</html>", _PROBE + "</html>")
    path = d / "probe.html"
    path.write_text(page, encoding="utf-8")
    r = _run(browser, path.as_uri(), d / "prof", "--dump-dom")
    assert r.returncode == 0, r.stderr[-2000:]
    assert _console(r.stderr) == []
    m = re.search(r'<pre id="og-sym">(.*?)</pre>', r.stdout, re.S)
    assert m is not None, "probe did not run"
    data: dict[str, object] = json.loads(html.unescape(m.group(1)))
    return data


def test_project_markers_filled_by_verdict(probe: dict[str, object]) -> None:
    found = probe["markers"]
    assert isinstance(found, list)
    markers = {html.unescape(str(mk["tip"])).split(" — ")[0]: mk for mk in found}
    for name, verdict in (("点禁止", "prohibited"), ("点合规", "compliant"),
                          ("点鼓励", "compliant")):
        mk = markers[name]
        assert mk["fill"] is True and mk["fillColor"] == VERDICT_COLOURS[verdict], mk
        assert mk["radius"] >= 7 and mk["fillOpacity"] >= 0.8
    assert markers["点禁止"]["color"] == "#ffffff"  # white halo
    assert markers["点鼓励"]["color"] == "#111111"  # encouraged: dark outline


def test_layer_control_fits_950px_and_folds(probe: dict[str, object]) -> None:
    ctl = probe["control"]
    assert isinstance(ctl, dict)
    # --window-size=1400,950 gives a ~807 px high viewport under --dump-dom: stricter
    assert 780 <= ctl["win"] <= 950, ctl
    assert ctl["scroll"] <= ctl["client"] + 1, ctl  # no scrolling needed
    assert ctl["bottom"] <= ctl["win"], ctl
    fold = probe["fold"]
    assert isinstance(fold, dict), "no group starts folded in the full map"
    assert fold["opened"] is True and fold["refolded"] is True, fold
