"""The wheel installs into a fresh venv and runs from an empty folder (no checkout).

Builds the wheel from a copy of the sources (so the checkout gets no ``build/``), installs
it with ``-c constraints.txt`` into a new venv, and from an empty temporary folder runs
``ordos-geo layers validate``, ``ordos-geo check`` on a three-project CSV written here,
``ordos-geo defaults`` and ``ordos-geo run`` end to end — the package data
(``ordos_geo/data``) must be inside the wheel for any of this to work.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

# Three proposals: one inside the (illustrative) Kubuqi PV base area away from every
# protected layer, one inside the Ordos Relict Gull reserve, one coal-chemical plant
# outside any park (the plan forbids new coal chemistry outside parks).
PROJECTS_CSV = (
    "项目编号,项目名称,行业,阶段,产能,单位,经度,纬度\n"
    "W-1,库布其光伏,pv,new,100,MW,108.70,40.30\n"
    "W-2,保护区内光伏,pv,new,50,MW,109.37,39.83\n"
    "W-3,园区外煤化工,coal_chemical,new,,,109.348288,40.049351\n"
)


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int = 900,
         ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; returns its ``bin`` folder."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "ordos_geo", src / "ordos_geo",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    dist = base / "dist"
    env = {k: v for k, v in os.environ.items() if k not in ("ORDOS_GEO_LAYERS", "PYTHONPATH")}
    r = _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist),
              str(src)], base, env)
    assert r.returncode == 0, r.stderr[-2000:]
    wheels = list(dist.glob("ordos_geo-*.whl"))
    assert len(wheels) == 1, wheels
    venv = base / "venv"
    r = _run([sys.executable, "-m", "venv", str(venv)], base, env)
    assert r.returncode == 0, r.stderr[-2000:]
    r = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-c",
              str(REPO / "constraints.txt"), str(wheels[0])], base, env)
    assert r.returncode == 0, r.stderr[-2000:]
    return venv / "bin"


@pytest.fixture()
def empty(tmp_path: Path) -> Path:
    d = tmp_path / "empty"
    d.mkdir()
    return d


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ORDOS_GEO_LAYERS", "PYTHONPATH", "VIRTUAL_ENV")}
    env["ORDOS_GEO_CACHE"] = str(tmp / "cache")
    env.update(extra)
    return env


def test_wheel_imports_from_site_packages(installed: Path, empty: Path) -> None:
    r = _run([str(installed / "python"), "-c",
              "import ordos_geo, ordos_geo.resources as r; print(ordos_geo.__file__); "
              "print(r.data_path('layers', 'catalog.yaml').is_file())"], empty, _env(empty))
    assert r.returncode == 0, r.stderr
    where, found = r.stdout.split()
    assert "site-packages" in where and str(REPO) not in where
    assert found == "True"


def test_layers_validate_and_check_from_empty_folder(installed: Path, empty: Path) -> None:
    env = _env(empty)
    r = _run([str(installed / "ordos-geo"), "layers", "validate"], empty, env)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert "red_lines: OK" in r.stdout

    (empty / "p.csv").write_text(PROJECTS_CSV, encoding="utf-8")
    r = _run([str(installed / "ordos-geo"), "check", "p.csv", "--out", "screening", "--json"],
             empty, env)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout.strip().splitlines()[-1])
    verdict = {p["id"]: p["verdict"] for p in result["projects"]}
    assert set(verdict) == {"W-1", "W-2", "W-3"}
    assert verdict["W-2"] == "prohibited"  # inside a nature reserve / red line
    assert verdict["W-3"] == "prohibited"  # new coal chemistry outside every park
    summary = json.loads((empty / "screening" / "screening_summary.json")
                         .read_text(encoding="utf-8"))
    assert summary["n_projects"] == 3
    assert (empty / "screening" / "verdicts.xlsx").is_file()


def test_defaults_copies_editable_files(installed: Path, empty: Path) -> None:
    r = _run([str(installed / "ordos-geo"), "defaults", "--out", "mine"], empty, _env(empty))
    assert r.returncode == 0, r.stderr
    names = {p.name for p in (empty / "mine").iterdir()}
    assert names == {"pv.yaml", "wind.yaml", "eligibility_example.yaml", "zoning_rules.yaml",
                     "capacity_ledger.csv", "catalog.yaml"}
    # the copies are usable as they are: the rules file passes back through --rules
    (empty / "p.csv").write_text(PROJECTS_CSV, encoding="utf-8")
    r = _run([str(installed / "ordos-geo"), "check", "p.csv", "--rules", "mine/zoning_rules.yaml",
              "--ledger", "mine/capacity_ledger.csv", "--json"], empty, _env(empty))
    assert r.returncode == 0, r.stderr[-2000:]


def test_run_end_to_end_from_empty_folder(installed: Path, empty: Path) -> None:
    r = _run([str(installed / "ordos-geo"), "run", "--out", "out"], empty, _env(empty),
             timeout=1800)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    out = empty / "out"
    for name in ("layers_summary.csv", "pv_summary.json", "wind_summary.json",
                 "screening_summary.json", "verdicts.xlsx", "ordos_siting.html"):
        assert (out / name).is_file(), name
    pv = json.loads((out / "pv_summary.json").read_text(encoding="utf-8"))
    assert pv["capacity_gw"] > 0
    assert (out / "report" / "report.pdf").is_file() or "no CJK font" in r.stdout


def test_run_without_cjk_font_finishes_and_says_how(installed: Path, empty: Path) -> None:
    """No CJK font: every other output is written, one line says how to get the font."""
    env = _env(empty, ORDOS_GEO_CJK_FONT=str(empty / "no-such-font.ttc"))
    r = _run([str(installed / "ordos-geo"), "run", "--out", "out",
              "--steps", "validate,screening,report"], empty, env, timeout=1800)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    line = [ln for ln in r.stdout.splitlines() if "no CJK font" in ln]
    assert len(line) == 1 and "apt-get install fonts-noto-cjk" in line[0]
    assert (empty / "out" / "screening_summary.json").is_file()
    assert not (empty / "out" / "report" / "report.pdf").exists()


def test_overrides_work_outside_the_checkout(installed: Path, empty: Path) -> None:
    """ORDOS_GEO_LAYERS, --catalog and --config point the installed tool at user files."""
    og_cli = str(installed / "ordos-geo")
    r = _run([og_cli, "defaults", "--out", "mine", "--with-layers"], empty, _env(empty))
    assert r.returncode == 0, r.stderr
    # ORDOS_GEO_LAYERS: the copied layer folder replaces the shipped one
    env = _env(empty, ORDOS_GEO_LAYERS=str(empty / "mine" / "layers" / "catalog.yaml"))
    r = _run([og_cli, "layers", "show", "banners", "--json"], empty, env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1])["catalog_file"] == str(
        empty / "mine" / "layers" / "catalog.yaml")
    # --catalog: a user catalog adds a layer next to the defaults
    (empty / "user.yaml").write_text(
        "version: 1\nlayers:\n  - id: my_banners\n    title_zh: 我的旗区\n"
        "    title_en: My banners\n    kind: vector\n    path: mine/layers/banners.gpkg\n"
        "    crs: EPSG:4326\n    roles: [context]\n    source: test\n    licence: CC0\n",
        encoding="utf-8")
    r = _run([og_cli, "layers", "list", "--catalog", "user.yaml", "--json"], empty, _env(empty))
    assert r.returncode == 0, r.stderr
    assert "my_banners" in r.stdout and "red_lines" in r.stdout
    # --config: an edited eligibility YAML is the one that runs
    r = _run([og_cli, "defaults", "--out", "orig"], empty, _env(empty))
    assert r.returncode == 0, r.stderr
    cfg = empty / "mine" / "eligibility_example.yaml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("buffer_m: 500", "buffer_m: 5000"),
                   encoding="utf-8")
    eligible = []
    for path in (empty / "orig" / "eligibility_example.yaml", cfg):
        r = _run([og_cli, "eligibility", "--config", str(path), "--res", "2000", "--json"],
                 empty, _env(empty))
        assert r.returncode == 0, r.stderr[-2000:]
        eligible.append(json.loads(r.stdout.strip().splitlines()[-1])["eligible_km2"])
    assert eligible[1] < eligible[0]  # a 5 km urban buffer leaves less land than 500 m
