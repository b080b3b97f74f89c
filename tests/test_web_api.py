"""HTTP API of ``ordos-geo serve`` (FastAPI TestClient over httpx): good and bad inputs."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
import threading
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest
from cli_runner import run_cli
from shapely.geometry import box

from ordos_geo.web import WebLimits, create_app

pytest.importorskip("httpx")
with warnings.catch_warnings():  # starlette suggests httpx2; httpx is what FastAPI documents
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PROJECTS = Path(__file__).resolve().parents[1] / "ordos_geo" / "data" / "analyses" / "projects"
E_TXT = PROJECTS / "e_pv_subsidence.txt"
F_TXT = PROJECTS / "f_pv_redline_edge.txt"
PV = {"industry": "pv", "stage": "new", "capacity": "100", "unit": "MW"}


@pytest.fixture(scope="module")
def app():  # one app: the zone layers are loaded once, as in the server
    return create_app(limits=WebLimits(max_files=3, max_file_mb=1.0, max_total_mb=3.0,
                                       max_zip_members=10, max_unzipped_mb=2.0))


@pytest.fixture()
def client(app, tmp_path, monkeypatch):
    # every request's temp folder goes under tmp_path/tmp, so we can see it removed
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    with TestClient(app) as c:
        yield c
    assert list((tmp_path / "tmp").iterdir()) == []


def _post(client, files, data=None):
    return client.post("/api/check", files=[("files", f) for f in files], data=data or {})


def _geojson(names: list[str], prefix: str = "G") -> bytes:
    gdf = gpd.GeoDataFrame({"id": [f"{prefix}{i}" for i in range(len(names))], "name": names},
                           geometry=[box(109.0 + 0.02 * i, 39.5, 109.01 + 0.02 * i, 39.51)
                                     for i in range(len(names))], crs="EPSG:4326")
    return gdf.to_json().encode()


def test_healthz_and_layers(client):
    assert client.get("/healthz").json()["status"] == "ok"
    doc = client.get("/api/layers").json()
    ids = [r["id"] for r in doc["layers"]]
    assert "red_lines" in ids and "city" in ids
    assert all(r["provenance"] for r in doc["layers"])
    assert "red_lines" in doc["illustrative"] and "city" not in doc["illustrative"]
    assert all("/" not in (r["path"] or "") for r in doc["layers"])  # no local paths


def test_check_equals_cli_json(client, tmp_path, capsys):
    code, out, _ = run_cli(["check", str(E_TXT), str(F_TXT), "--json", "--out",
                            str(tmp_path / "cli")], capsys)
    assert code == 0
    cli = json.loads(out.strip().splitlines()[-1])
    r = _post(client, [("e_pv_subsidence.txt", E_TXT.read_bytes()),
                       ("f_pv_redline_edge.txt", F_TXT.read_bytes())])
    assert r.status_code == 200, r.text
    web = r.json()
    assert set(cli) <= set(web)
    for key in ("verdicts", "skipped_rules", "fail_on", "failed"):
        assert web[key] == cli[key], key

    def by_file(records: list[dict]) -> list[dict]:
        # `source` names the file as its user knows it: a path for the CLI, the
        # uploaded name on the page (never the server's temp folder)
        return [{**r, "source": Path(str(r["source"]).split(":")[0]).name} for r in records]

    assert by_file(web["projects"]) == by_file(cli["projects"])
    assert all("ordos-web-" not in str(r["source"]) for r in web["projects"])
    assert set(web["outputs"]) == set(cli["outputs"])
    verdicts = {p["id"]: p["verdict"] for p in web["projects"]}
    assert verdicts == {"JZD-SUB-01": "compliant", "JZD-RL-01": "prohibited"}
    # the page's extras: clause and quote per rule, fix hint, map layers in lon/lat
    rl = web["web"]["projects"][1]
    hit = next(h for h in rl["hits"] if h["rule_id"] == "P-12a")
    assert hit["clause"] and hit["quote"] and hit["doc_no"].startswith("鄂环发")
    assert rl["fix_hints"] and 0 < rl["fix_hints"][0]["remainder_ha"] < 9.0
    lay = web["web"]["layers"]
    assert len(lay["projects"]["features"]) == 2 and len(lay["fix_hints"]["features"]) == 1
    lon, lat = lay["projects"]["features"][0]["geometry"]["coordinates"][0][0]
    assert 106 < lon < 112 and 37 < lat < 41
    assert any("illustrative" in n for n in web["web"]["notes"])


def test_downloads(client, tmp_path):
    web = _post(client, [("f.txt", F_TXT.read_bytes())]).json()
    x = client.get(web["outputs"]["verdicts.xlsx"])
    assert x.status_code == 200 and "attachment" in x.headers["content-disposition"]
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(x.content))
    assert "禁止" in wb.sheetnames
    g = client.get(web["outputs"]["conflicts.gpkg"])
    (tmp_path / "c.gpkg").write_bytes(g.content)
    layers = {name for name, _ in pyogrio.list_layers(tmp_path / "c.gpkg")}
    assert {"projects", "hits", "fix_hints"} <= layers
    pdf = client.get(web["web"]["projects"][0]["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        (tmp_path / "r.pdf").write_bytes(pdf.content)
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "JZD-RL-01" in text and "禁止" in text and "P-12a" in text
    assert client.get(web["outputs"]["verdicts.xlsx"].replace(web["web"]["token"], "x")) \
        .status_code == 404
    bad = client.get(f"/api/results/{web['web']['token']}/..%2F..%2Fetc%2Fpasswd")
    assert bad.status_code == 404 and "passwd" not in bad.text.replace("..%2F", "")[:0]


def test_drawn_geojson_with_defaults(client):
    r = _post(client, [("drawn.geojson", _geojson(["手绘地块 1"]))], PV)
    assert r.status_code == 200, r.text
    p = r.json()["projects"][0]
    assert p["name"] == "手绘地块 1" and p["verdict"] in {"prohibited", "restricted",
                                                          "review", "compliant"}
    assert p["area_ha"] == pytest.approx(95.0, rel=0.1)  # 0.01° × 0.01° at 39.5° N


def test_zipped_shapefile(client, tmp_path):
    gdf = gpd.read_file(io.BytesIO(_geojson(["ZIP1"])))
    gdf.to_file(tmp_path / "parcel.shp", engine="pyogrio")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in tmp_path.glob("parcel.*"):
            zf.write(p, f"shapes/{p.name}")
    r = _post(client, [("parcel.zip", buf.getvalue())], PV)
    assert r.status_code == 200, r.text
    assert [p["id"] for p in r.json()["projects"]] == ["G0"]


@pytest.mark.parametrize(("name", "content", "status", "needle"), [
    ("virus.exe", b"MZ", 415, "virus.exe: unsupported file type '.exe'"),
    ("noext", b"x", 415, "unsupported file type"),
    ("broken.zip", b"PK\x03\x04 not really", 400, "broken.zip: not a readable zip file"),
    ("empty.txt", b"", 400, "empty.txt: empty file"),
    ("big.txt", b"x" * 1_100_000, 413, "big.txt: file larger than 1 MB"),
])
def test_bad_files(client, name, content, status, needle):
    r = _post(client, [(name, content)], PV)
    assert r.status_code == status, r.text
    msg = r.json()["error"]
    assert needle in msg and "\n" not in msg and "Traceback" not in r.text


def test_limits_count_and_total(client):
    r = _post(client, [(f"p{i}.txt", F_TXT.read_bytes()) for i in range(4)])
    assert r.status_code == 413 and "4 files uploaded (limit 3)" in r.json()["error"]
    big = [(f"b{i}.geojson", b" " * 900_000) for i in range(4)]
    r = _post(client, big)
    assert r.status_code == 413 and "larger than 3 MB in total" in r.json()["error"]
    r = client.post("/api/check", data=PV)
    assert r.status_code == 400 and "no project file uploaded" in r.json()["error"]


def test_bad_fields_and_file_content(client):
    r = _post(client, [("d.geojson", _geojson(["x"]))], {**PV, "industry": "rocket"})
    assert r.status_code == 400
    msg = r.json()["error"]
    assert msg.startswith("d.geojson") and "rocket" in msg and "光伏" in msg
    assert tempfile.gettempdir() not in msg and "ordos-web-" not in msg
    r = _post(client, [("d.geojson", _geojson(["x"]))], {**PV, "capacity": "lots"})
    assert r.status_code == 400 and r.json()["error"].startswith("capacity: 'lots'")
    r = _post(client, [("bad.txt", "J1,1,abc,def\n".encode("gbk"))], PV)
    assert r.status_code == 400 and r.json()["error"].startswith("bad.txt")


def test_path_traversal_names(client, tmp_path):
    outside = Path(tempfile.gettempdir()).parent / "evil_web.geojson"
    r = _post(client, [(f"../../{outside.name}", _geojson(["T"])),
                       ("..\\..\\evil2.geojson", _geojson(["U"], "U"))], PV)
    assert r.status_code == 200, r.text
    assert not outside.exists() and not (tmp_path / "evil2.geojson").exists()
    # zip-slip: members that climb out of the folder are unpacked inside it
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../../zipslip_evil.txt", F_TXT.read_bytes())
        zf.writestr("/abs_evil.geojson", _geojson(["A"]))
    r = _post(client, [("slip.zip", buf.getvalue())], PV)
    assert r.status_code == 200, r.text
    assert {p["id"] for p in r.json()["projects"]} == {"JZD-RL-01", "G0"}
    assert not list(tmp_path.rglob("zipslip_evil.txt"))
    assert not Path("/zipslip_evil.txt").exists() and not Path("/abs_evil.geojson").exists()


def test_zip_bomb_and_members(client):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.txt", b"0" * 3_000_000)
    r = _post(client, [("bomb.zip", buf.getvalue())])
    assert r.status_code == 413 and "unpacks to 3 MB (limit 2 MB)" in r.json()["error"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(11):
            zf.writestr(f"f{i}.txt", b"x")
    r = _post(client, [("many.zip", buf.getvalue())])
    assert r.status_code == 413 and "holds 11 files (limit 10)" in r.json()["error"]


def test_names_returned_verbatim_and_page_is_self_contained(client):
    names = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
    r = _post(client, [("x.geojson", _geojson(names))], PV)
    assert [p["name"] for p in r.json()["projects"]] == names  # JSON; the page escapes
    assert r.headers["content-type"].startswith("application/json")
    page = client.get("/")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for ref in ("http://", "https://", "//cdn", "//unpkg"):
        assert ref not in page.text
    for asset in ("/static/leaflet.js", "/static/leaflet.draw.js", "/assets/app.js",
                  "/assets/app.css", "/static/leaflet.draw.css"):
        assert client.get(asset).status_code == 200, asset


def test_concurrent_requests(client):
    files = [("e.txt", E_TXT.read_bytes()), ("f.txt", F_TXT.read_bytes())]
    first = _post(client, files).json()["projects"]
    out: list[object] = []

    def work() -> None:
        r = _post(client, files)
        out.append(r.json()["projects"] if r.status_code == 200 else r.text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [first] * 4


def test_unexpected_error_is_one_line(app, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("secret\ninternal detail")

    monkeypatch.setattr(app.state.screener, "check", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.post("/api/check", files=[("files", ("a.txt", b"x"))])
    assert r.status_code == 500
    assert r.json() == {"error": "internal error (RuntimeError); see the server log"}


def test_body_limit_without_content_length(client):
    def body():
        yield b"--xx\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\n\r\n"
        for _ in range(40):
            yield b"0" * 100_000
        yield b"\r\n--xx--\r\n"

    r = client.post("/api/check", content=body(),
                    headers={"content-type": "multipart/form-data; boundary=xx"})
    assert r.status_code == 413 and "larger than 3 MB in total" in r.json()["error"]
