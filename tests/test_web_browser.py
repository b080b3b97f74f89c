"""The screening page in a real browser: Debian chromium driven by Playwright.

The server runs in a thread (uvicorn) on a free port of 127.0.0.1; chromium is the
system one (``executable_path``; never ``playwright install``). Every request the
page makes is recorded: none may leave the server. ``window.alert`` and dialogs are
watched so that an executed XSS payload would be seen.

Set ``ORDOS_GEO_WEB_SCREENSHOT=docs/web_screenshot.png`` to save the README
screenshot of the page after a verdict.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import httpx
import pytest
from shapely.geometry import box

pytestmark = [pytest.mark.browser, pytest.mark.slow]

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian chromium not installed (apt-get install chromium)",
                allow_module_level=True)

PROJECTS = Path(__file__).resolve().parents[1] / "ordos_geo" / "data" / "analyses" / "projects"
F_TXT = PROJECTS / "f_pv_redline_edge.txt"
E_TXT = PROJECTS / "e_pv_subsidence.txt"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    import uvicorn

    from ordos_geo.web import create_app

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port,
                                        log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        pytest.fail("server did not answer /healthz")
    yield base
    srv.should_exit = True
    th.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    # Playwright gives each launch a fresh temporary profile (user data dir)
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture()
def page(browser, server):
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 860},
                              locale="zh-CN", bypass_csp=True)
    # bypass_csp: the page's own CSP forbids eval, which Playwright's probes need; the
    # escaping below is then tested without the CSP safety net
    pg = ctx.new_page()
    pg.requests = []  # type: ignore[attr-defined]
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.add_init_script("window.alert = function (m) {"
                       " window.__xss = (window.__xss || []).concat([String(m)]); };")
    pg.goto(server + "/")
    pg.wait_for_selector("body[data-ready='1']", timeout=60_000)
    yield pg
    assert all(u.startswith(server + "/") or u.startswith(("data:", "blob:"))
               for u in pg.requests), [u for u in pg.requests if not u.startswith(server)]
    ctx.close()


def _run(page) -> None:
    page.click("#run")
    page.wait_for_function("document.querySelector('#busy').hidden", timeout=120_000)


def test_upload_verdict_map_downloads(page, server, tmp_path):
    assert page.inner_text("#run") == "研判"
    assert page.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length") > 5
    page.set_input_files("#files", [str(F_TXT)])
    assert "f_pv_redline_edge.txt" in page.inner_text("#filelist")
    _run(page)
    assert page.is_hidden("#error")
    cards = page.locator(".project")
    assert cards.count() == 1
    card = cards.first
    text = card.inner_text()
    assert "JZD-RL-01" in text and "跨红线光伏地块" in text
    assert card.locator(".badge").inner_text() == "禁止"
    assert "P-12a" in text and "三(十二)3" in text and "鄂环发〔2023〕76号" in text
    assert "公顷" in text and "亩" in text and "可保留" in text
    assert "禁止 1" in page.inner_text("#counts")
    # map: one project, its conflicting part(s) and its compliant remainder
    n = page.evaluate("""() => { const r = window.ordosWeb.results;
        return [r.projects.getLayers().length, r.hits.getLayers().length,
                r.fix_hints.getLayers().length]; }""")
    assert n[0] == 1 and n[1] >= 1 and n[2] == 1
    fills = page.evaluate("""() => window.ordosWeb.results.projects.getLayers()
        .map(l => l.options.fillColor)""")
    assert fills == ["#D55E00"]  # the maps' prohibited colour (ordos_geo.palette, Okabe–Ito)
    legend = page.inner_text("#legend")
    assert "禁止" in legend and "冲突部分" in legend and "示意数据" in legend
    with page.expect_download() as dl:
        page.click("#downloads a:has-text('verdicts.xlsx')")
    from openpyxl import load_workbook

    assert dl.value.suggested_filename == "verdicts.xlsx"
    wb = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()))
    ws = wb["禁止"]
    assert [c.value for c in ws[2]][:2] == ["JZD-RL-01", "跨红线光伏地块"]
    with page.expect_download() as dl2:
        card.locator("a.pdf").click()
    assert Path(dl2.value.path()).read_bytes().startswith(b"%PDF")
    shot = os.environ.get("ORDOS_GEO_WEB_SCREENSHOT")
    if shot:
        page.reload()
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        page.set_input_files("#files", [str(E_TXT), str(F_TXT)])
        _run(page)
        page.wait_for_timeout(800)
        page.screenshot(path=shot)
    # English switch re-renders the same result
    page.click("#lang")
    assert page.inner_text("#run") == "Screen"
    assert "prohibited" in page.locator(".project .badge").last.inner_text()
    overlays = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("Ecological protection red" in s for s in overlays)
    assert any("Conflicting parts" in s for s in overlays)


def test_xss_names_are_text(page, tmp_path):
    names = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
    gdf = gpd.GeoDataFrame({"id": ["X1", "<b>X2</b>"], "name": names},
                           geometry=[box(109.0, 39.5, 109.01, 39.51),
                                     box(109.05, 39.5, 109.06, 39.51)], crs="EPSG:4326")
    f = tmp_path / "xss.geojson"
    f.write_text(gdf.to_json(), encoding="utf-8")
    page.set_input_files("#files", [str(f)])
    page.select_option("#industry", "pv")
    page.select_option("#stage", "new")
    _run(page)
    assert page.is_hidden("#error"), page.inner_text("#error")
    shown = page.locator(".project .pname").all_inner_texts()
    assert shown == names
    assert page.locator(".project .pid").all_inner_texts() == ["X1", "<b>X2</b>"]
    assert page.locator("#projects img, #projects script, #projects b").count() == 0
    # open each project's popup on the map (built from DOM nodes, not HTML)
    page.evaluate("window.ordosWeb.results.projects.eachLayer(l => l.openPopup())")
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.evaluate("window.__xss === undefined") and page.dialogs == []


def test_bad_input_message_on_page(page, tmp_path):
    f = tmp_path / "notes.docx"
    f.write_bytes(b"PK not a project")
    page.set_input_files("#files", [str(f)])
    _run(page)
    msg = page.inner_text("#error")
    assert msg.startswith("notes.docx: unsupported file type '.docx'")
    assert "Traceback" not in msg and page.locator(".project").count() == 0


def test_draw_rectangle_and_screen(page):
    page.select_option("#industry", "pv")
    page.select_option("#stage", "new")
    page.fill("#capacity", "50")
    page.fill("#unit", "MW")
    page.click(".leaflet-draw-draw-rectangle")
    m = page.locator("#map").bounding_box()
    x, y = m["x"] + m["width"] * 0.45, m["y"] + m["height"] * 0.45
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 30, steps=5)
    page.mouse.up()
    assert "1" in page.inner_text("#drawnlist")
    _run(page)
    assert page.is_hidden("#error"), page.inner_text("#error")
    card = page.locator(".project").first
    assert "DRAW-1" in card.inner_text() and "手绘地块 1" in card.inner_text()
    doc = page.evaluate("window.ordosWeb.state.doc")
    assert doc["web"]["projects"][0]["industry"] == "pv"
    assert doc["projects"][0]["area_ha"] > 0
    assert json.dumps(doc["verdicts"])


def test_click_point_and_screen(page):
    page.select_option("#industry", "wind")
    page.select_option("#stage", "new")
    page.click(".leaflet-draw-draw-marker")
    m = page.locator("#map").bounding_box()
    page.mouse.click(m["x"] + m["width"] * 0.55, m["y"] + m["height"] * 0.5)
    _run(page)
    assert page.is_hidden("#error"), page.inner_text("#error")
    assert "DRAW-1" in page.locator(".project").first.inner_text()
    kinds = page.evaluate("""() => window.ordosWeb.results.projects.getLayers()
        .map(l => l.feature.geometry.type)""")
    assert kinds == ["Point"]
