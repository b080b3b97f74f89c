"""The static report: numbers from the result files, escaping, languages, PDF rendering."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from PIL import Image
from test_report_fixtures import make_catalog, make_results
from typer.testing import CliRunner

from ordos_geo.errors import OutputError
from ordos_geo.report import (
    ReportResult,
    build_report,
    build_sections,
    load_results,
)
from ordos_geo.report import cartography as carto
from ordos_geo.report.model import fmt_number

DATE = "2026-11-26"
CJK = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]")


class _Parser(HTMLParser):
    """Collects data-key cells/spans, text outside allowed classes, and URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.keyed: dict[str, tuple[str | None, str]] = {}
        self.caption_text: list[str] = []
        self.urls: list[str] = []
        self.attr_text: list[str] = []
        self._stack: list[tuple[str, bool, str | None, str | None]] = []
        self._buf: dict[int, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for k in ("src", "href"):
            if a.get(k):
                self.urls.append(a[k] or "")
        for k in ("alt", "title"):
            if a.get(k):
                self.attr_text.append(a[k] or "")
        classes = (a.get("class") or "").split()
        allowed = bool({"data", "stamp"} & set(classes)) or any(s[1] for s in self._stack)
        self._stack.append((tag, allowed, a.get("data-key"), a.get("data-value")))
        self._buf[len(self._stack)] = []

    def handle_endtag(self, tag: str) -> None:
        if not self._stack:
            return
        depth = len(self._stack)
        _, _, key, value = self._stack.pop()
        text = "".join(self._buf.pop(depth, []))
        if key is not None:
            self.keyed[key] = (value, text)
        if self._stack:
            self._buf[len(self._stack)].append(text)

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._buf[len(self._stack)].append(data)
            if not self._stack[-1][1] and self._stack[-1][0] not in ("style", "script"):
                self.caption_text.append(data)


def _parse(path: Path) -> _Parser:
    p = _Parser()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    base = tmp_path_factory.mktemp("report")
    res = make_results(base / "res")
    cat = make_catalog()
    zh = build_report(cat, res, base / "zh", lang="zh", date=DATE, dpi=60)
    en = build_report(cat, res, base / "en", lang="en", formats=("html", "pdf"), date=DATE)
    return {"res": res, "zh": zh, "en": en}


def _res(built: dict[str, object]) -> Path:
    return built["res"]  # type: ignore[return-value]


def _out(built: dict[str, object], lang: str) -> ReportResult:
    return built[lang]  # type: ignore[return-value]


def test_outputs_written(built: dict[str, object]) -> None:
    zh = _out(built, "zh")
    names = sorted(p.name for p in zh.paths)
    maps = ["overview", "pv_suitability", "wind_suitability", "sites", "screening"]
    assert names == sorted(["report.html", "report.pdf", *[f"{m}.png" for m in maps],
                            *[f"{m}.pdf" for m in maps]])
    assert all(p.is_file() and p.stat().st_size > 1000 for p in zh.paths)
    assert zh.missing == [] and zh.illustrative
    assert sorted(p.name for p in _out(built, "en").paths if p.suffix == ".png") == []


def test_html_numbers_equal_result_files(built: dict[str, object]) -> None:
    res = _res(built)
    for lang in ("zh", "en"):
        p = _parse(_out(built, lang).out_dir / "report.html")
        for kind in ("pv", "wind"):
            cap = pd.read_csv(res / f"{kind}_capacity_by_banner.csv", dtype={"adcode": str})
            for _, row in cap.iterrows():
                for col in ("capacity_mw", "area_km2", "n_sites"):
                    value, text = p.keyed[f"{kind}_banners.{row['adcode']}.{col}"]
                    assert float(value) == pytest.approx(float(row[col]))  # type: ignore[arg-type]
                    assert float(text.replace(",", "")) == pytest.approx(float(row[col]),
                                                                         abs=0.005)
            summ = json.loads((res / f"{kind}_summary.json").read_text())
            for k in ("eligible_km2", "total_km2", "capacity_gw"):
                value, _ = p.keyed[f"{kind}.{k}"]
                assert float(value) == pytest.approx(summ[k])  # type: ignore[arg-type]
            sites = pd.read_csv(res / f"{kind}_capacity_by_banner.csv").iloc[:-1]
            value, _ = p.keyed[f"{kind}.sites"]
            assert float(value) == sites.n_sites.sum()  # type: ignore[arg-type]
        total = sum(json.loads((res / f"{k}_summary.json").read_text())["capacity_gw"]
                    for k in ("pv", "wind"))
        assert float(p.keyed["total.capacity_gw"][0]) == pytest.approx(total)  # type: ignore[arg-type]
        assert float(p.keyed["plan.target_gw"][0]) == 50.0  # type: ignore[arg-type]
        assert float(p.keyed["plan.installed_gw_2025"][0]) == 27.79  # type: ignore[arg-type]
        assert float(p.keyed["plan.gap_gw"][0]) == pytest.approx(50 - 27.79)  # type: ignore[arg-type]


def test_top_sites_sorted_by_capacity(built: dict[str, object]) -> None:
    import geopandas as gpd

    p = _parse(_out(built, "zh").out_dir / "report.html")
    sites = gpd.read_file(_res(built) / "pv_sites.gpkg", layer="sites")
    for _, s in sites.iterrows():
        assert float(p.keyed[f"pv_sites.{s.site_id}.capacity_mw"][0]) == s.capacity_mw  # type: ignore[arg-type]
    html = (_out(built, "zh").out_dir / "report.html").read_text(encoding="utf-8")
    order = [html.index(f">{sid}<") for sid in
             sites.sort_values("capacity_mw", ascending=False).site_id]
    assert order == sorted(order)


def test_html_escapes_data_and_is_self_contained(built: dict[str, object]) -> None:
    path = _out(built, "zh").out_dir / "report.html"
    html = path.read_text(encoding="utf-8")
    assert "<script>" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    p = _parse(path)
    assert p.urls, "no images/links found"
    assert all(u.startswith(("data:image/png;base64,", "#")) for u in p.urls), p.urls
    assert sum(u.startswith("data:image/png") for u in p.urls) == 5
    # verdict clauses are listed
    assert "鄂环发〔2023〕76号 三(十二)3" in html


def test_english_report_has_no_chinese_captions(built: dict[str, object]) -> None:
    """Allowed CJK in EN: data values (class="data": names, citations, file values) and
    the bilingual 示意数据 stamp (class="stamp"). Everything else must be CJK-free."""
    p = _parse(_out(built, "en").out_dir / "report.html")
    bad = [t for t in p.caption_text if CJK.search(t)]
    assert bad == []
    assert not any(CJK.search(t) for t in p.attr_text)
    # and the Chinese report does use Chinese captions (the test can fail)
    pz = _parse(_out(built, "zh").out_dir / "report.html")
    assert any(CJK.search(t) for t in pz.caption_text)


def test_every_drawn_character_is_in_the_font(built: dict[str, object]) -> None:
    data = load_results(_res(built))
    for lang in ("zh", "en"):
        chars: set[str] = set()
        for sec in build_sections(data, make_catalog(), lang=lang):  # type: ignore[arg-type]
            chars.update(sec.title)
            for para in sec.paragraphs:
                for r in para:
                    chars.update(r.text)
            for t in sec.tables:
                chars.update("".join(t.columns) + t.caption)
                for row in t.rows:
                    for r in row:
                        chars.update(r.text)
        assert any(CJK.search(c) for c in chars)
        assert carto.missing_glyphs(chars) == set()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_pages_render_and_are_not_blank(built: dict[str, object], tmp_path: Path) -> None:
    for lang in ("zh", "en"):
        pdf = _out(built, lang).out_dir / "report.pdf"
        prefix = tmp_path / lang
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(prefix)], check=True,
                       capture_output=True)
        pages = sorted(tmp_path.glob(f"{lang}-*.png"))
        assert len(pages) >= 8  # ≥ 3 text/table pages + 5 maps
        for page in pages:
            with Image.open(page) as im:
                arr = np.asarray(im.convert("L"), dtype=float)
            assert arr.std() > 8, f"{page.name} looks blank"


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils not installed")
def test_pdf_embeds_truetype_cjk_font(built: dict[str, object]) -> None:
    pdf = _out(built, "zh").out_dir / "report.pdf"
    run = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    rows = run.stdout.splitlines()[2:]
    assert any("NotoSansCJK" in r for r in rows), run.stdout
    assert all("CID TrueType" in r and " yes " in r for r in rows), run.stdout
    assert "Mismatch" not in run.stderr


def test_missing_result_files_are_marked_not_computed(tmp_path: Path) -> None:
    res = make_results(tmp_path / "res")
    for name in ("wind_summary.json", "wind_capacity_by_banner.csv", "wind_sites.gpkg",
                 "wind_score.tif", "conflicts.gpkg", "conflicts.csv"):
        (res / name).unlink()
    out = build_report(make_catalog(), res, tmp_path / "out", lang="en", formats=("html",))
    assert {"wind_summary.json", "wind_capacity_by_banner.csv", "wind_sites.gpkg",
            "conflicts.gpkg", "conflicts.csv"} <= set(out.missing)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert html.count('class="missing"') >= 5
    assert "Not computed" in html
    assert 'id="tab-pv_banners"' in html and 'id="tab-wind_banners"' not in html


def test_no_results_dir_still_builds(tmp_path: Path) -> None:
    out = build_report(make_catalog(), None, tmp_path / "out", formats=("html",))
    assert "pv_summary.json" in out.missing
    assert (tmp_path / "out" / "report.html").is_file()


def test_refuses_to_overwrite(built: dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "report.html").write_text("keep")
    with pytest.raises(OutputError, match="--overwrite"):
        build_report(make_catalog(), _res(built), out, formats=("html", "png"), dpi=30)
    assert (out / "report.html").read_text() == "keep"
    assert not (out / "overview.png").exists()  # nothing written when refused


@pytest.mark.parametrize(("v", "s"), [(1250.0, "1,250"), (31.25, "31.25"), (12345.6, "12,345.6"),
                                       (0.305, "0.305"),
                                       (-0.0037, "-0.0037"), (3, "3")])
def test_fmt_number(v: float, s: str) -> None:
    assert fmt_number(v) == s


def test_cli_report(built: dict[str, object], tmp_path: Path) -> None:
    from ordos_geo.cli import report as cli_report

    app = typer.Typer()
    cli_report.register(app)

    @app.callback()
    def _root() -> None:  # keep `report` as a sub-command
        pass

    runner = CliRunner()
    r = runner.invoke(app, ["report", "--results", str(_res(built)), "--out",
                            str(tmp_path / "cli"), "--format", "html", "--lang", "en",
                            "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    obj = json.loads(r.stdout.strip().splitlines()[-1])
    assert obj["files"] == [str(tmp_path / "cli" / "report.html")]
    from ordos_geo.errors import ConfigError

    with pytest.raises(ConfigError, match="--format"):
        runner.invoke(app, ["report", "--results", str(_res(built)), "--format", "docx"],
                      catch_exceptions=False)


def test_screening_tables_capped_worst_first(built: dict[str, object]) -> None:
    data = load_results(_res(built))
    n = 250
    verdicts = ["compliant", "review", "prohibited", "restricted", "encouraged"] * (n // 5)
    data.projects = pd.DataFrame({"id": [f"X{i}" for i in range(n)], "name": ["p"] * n,
                                  "verdict": verdicts, "area_ha": np.arange(n, dtype=float)})
    sec = next(s for s in build_sections(data, make_catalog(), lang="en", max_rows=200)
               if s.key == "screening")
    table = next(t for t in sec.tables if t.key == "projects")
    assert len(table.rows) == 200
    col = table.columns.index("Verdict")
    got = [r[col].text for r in table.rows]
    assert got[:50] == ["prohibited"] * 50 and got[50:100] == ["restricted"] * 50
    assert any("200 most severe of 250" in r.text for p in sec.paragraphs for r in p)


def test_pdf_column_widths_keep_narrow_columns() -> None:
    from ordos_geo.report.render import _fit_widths

    natural = [4.0, 6.0, 60.0, 45.0]
    w = _fit_widths(natural, 80.0)
    assert sum(w) == pytest.approx(80.0)
    assert w[0] >= 4.0 and w[1] >= 6.0  # narrow columns are not squeezed
    assert w[2] == pytest.approx(w[3])  # only the wide ones are capped
    assert _fit_widths([10.0, 30.0], 80.0) == pytest.approx([20.0, 60.0])


def _pdf_text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    args = ["pdftotext", "-layout"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last or first)]
    r = subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True, text=True)
    return r.stdout


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_zh_report_has_no_english_codes_and_en_no_chinese_labels(
        built: dict[str, object]) -> None:
    import re

    zh = _pdf_text(_out(built, "zh").out_dir / "report.pdf")
    codes = ["prohibited", "restricted", "compliant", "encouraged", "needs_information",
             "coal_chemical", "new", "expansion", "relocation", "illustrative", "derived"]
    found = {c for c in codes if re.search(rf"(?<![\w-]){c}(?![\w-])", zh)}
    assert not found, f"English codes in the zh report: {sorted(found)}"
    # the translations are there instead
    assert "禁止" in zh and "煤化工" in zh and "扩建" in zh
    en = _pdf_text(_out(built, "en").out_dir / "report.pdf")
    labels = ["禁止", "限制", "合规", "鼓励", "待补充信息", "煤化工", "新建", "扩建", "搬迁"]
    found = {w for w in labels if w in en}
    assert not found, f"Chinese labels in the en report: {sorted(found)}"


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_page_one_is_the_summary_and_page_two_a_map(built: dict[str, object]) -> None:
    from ordos_geo.report.text import tr

    pdf = _out(built, "zh").out_dir / "report.pdf"
    p1 = _pdf_text(pdf, 1)
    assert tr("sec_summary", "zh") in p1
    p2 = _pdf_text(pdf, 2)
    # the overview map: its scale bar and north arrow text, not a table page
    assert tr("sec_banners", "zh") not in p2 and "km" in p2
    assert "附录" in _pdf_text(pdf)  # layers and methods are appendices
