"""CLI plumbing of issue 11: no module-level state, ``defaults``, the missing-font path."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_runner import run_cli

import ordos_geo.cli.options as options
from ordos_geo.cli.options import CliState, cli_state
from ordos_geo.report import fonts
from ordos_geo.resources import EDITABLE_ANALYSES, analysis_path, data_path

BAD_CATALOG = "version: 1\nlayers:\n  - id: x\n    colour: red\n"


def test_no_module_level_state() -> None:
    assert not hasattr(options, "STATE")
    assert cli_state() == CliState()  # outside a command: a fresh default, never shared


def test_traceback_follows_each_invocation_not_the_last_one(tmp_path, capfd) -> None:
    """``-vv`` on one call must not leak into the next call in the same process."""
    cat = tmp_path / "bad.yaml"
    cat.write_text(BAD_CATALOG, encoding="utf-8")
    argv = ["layers", "list", "--catalog", str(cat)]
    code, _, err = run_cli(["-vv", *argv], capfd)
    assert code == 1 and "Traceback" in err
    code, _, err = run_cli(argv, capfd)
    assert code == 1 and "Traceback" not in err
    assert err.strip().count("\n") == 0 and err.startswith("ordos-geo: error: ")


def test_defaults_copies_the_shipped_files(tmp_path, capfd) -> None:
    out = tmp_path / "mine"
    code, stdout, _ = run_cli(["defaults", "--out", str(out)], capfd)
    assert code == 0
    for name in EDITABLE_ANALYSES:
        assert (out / name).read_bytes() == analysis_path(name).read_bytes()
    assert (out / "catalog.yaml").read_bytes() == data_path("layers", "catalog.yaml").read_bytes()
    assert "--catalog" in stdout  # the note on catalog paths
    # a second call refuses to replace the edited copies
    (out / "pv.yaml").write_text("# edited\n", encoding="utf-8")
    code, _, err = run_cli(["defaults", "--out", str(out)], capfd)
    assert code == 1 and "--overwrite" in err
    assert (out / "pv.yaml").read_text(encoding="utf-8") == "# edited\n"


def test_defaults_with_layers_gives_a_working_layer_folder(tmp_path, capfd, monkeypatch) -> None:
    out = tmp_path / "mine"
    code, _, _ = run_cli(["defaults", "--out", str(out), "--with-layers"], capfd)
    assert code == 0
    monkeypatch.setenv("ORDOS_GEO_LAYERS", str(out / "layers" / "catalog.yaml"))
    code, stdout, _ = run_cli(["layers", "show", "banners", "--json"], capfd)
    assert code == 0 and str(out / "layers") in stdout


def test_run_without_cjk_font_writes_everything_else(tmp_path, capfd, monkeypatch) -> None:
    monkeypatch.setenv(fonts.FONT_ENV, str(tmp_path / "missing.ttc"))
    fonts.get_cjk_font.cache_clear()
    try:
        code, stdout, _ = run_cli(["run", "--out", str(tmp_path / "out"),
                                   "--steps", "screening,report"], capfd)
    finally:
        monkeypatch.undo()
        fonts.get_cjk_font.cache_clear()
    assert code == 0
    lines = [ln for ln in stdout.splitlines() if "no CJK font" in ln]
    assert len(lines) == 1 and "apt-get install fonts-noto-cjk" in lines[0]
    assert (tmp_path / "out" / "screening_summary.json").is_file()
    assert not (tmp_path / "out" / "report").exists()


def test_font_env_names_a_usable_file(monkeypatch) -> None:
    found = next((p for p in (*fonts.NOTO_CANDIDATES, *fonts.WQY_CANDIDATES)
                  if Path(p).is_file()), None)
    if found is None:
        pytest.skip("no system CJK font to point at")
    monkeypatch.setenv(fonts.FONT_ENV, found)
    fonts.get_cjk_font.cache_clear()
    try:
        font = fonts.get_cjk_font()
    finally:
        monkeypatch.undo()
        fonts.get_cjk_font.cache_clear()
    assert str(font.path) == found
