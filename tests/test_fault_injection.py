"""Fault injection (issue 18): disk full, SIGKILL in the middle of ``run``, two runs at once.

Result sets are written whole (:class:`ordos_geo.io.results.ResultSet`): a failed or
killed command leaves the previous results as they were, the next command removes the
temporary files of the killed one, and a second command on a folder in use stops with
one line.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bad_inputs.common import projects_csv, pv_row
from cli_runner import run_cli

from ordos_geo.io.results import LOCK_NAME, STAGE_PREFIX

ERR = "ordos-geo: error: "


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _temp_leftovers(folder: Path) -> list[str]:
    return [str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.name.startswith((STAGE_PREFIX, LOCK_NAME)) or ".tmp" in p.name
            or ".staging" in p.name]


def _enospc(*_a: object, **_k: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_during_check_keeps_the_previous_set(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    # before: exit 1 left the new conflicts.csv beside the old gpkg, xlsx and json
    csv = tmp_path / "p.csv"
    csv.write_text(projects_csv([pv_row()]), encoding="utf-8")
    out = tmp_path / "out"
    rc, _, err = run_cli(["check", str(csv), "--out", str(out)], capfd)
    assert rc == 0, err
    before = _tree(out)
    assert len(before) == 5 and "conflicts.qml" in before  # four files + the QGIS style
    from xlsxwriter import Workbook

    monkeypatch.setattr(Workbook, "close", _enospc)  # the third of four files fails
    rc, _, err = run_cli(["check", str(csv), "--out", str(out), "--overwrite"], capfd)
    assert rc == 1, err
    errors = [ln for ln in err.splitlines() if ln.startswith(ERR)]
    assert len(errors) == 1 and "Traceback" not in err
    line = errors[0]
    assert "verdicts.xlsx" in line and "disk full" in line and "free some space" in line
    assert _tree(out) == before  # the whole old set, nothing new beside it
    assert _temp_leftovers(out) == []


def test_disk_full_during_map_is_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capfd: pytest.CaptureFixture[str]) -> None:
    # before: exit 70 (internal error)
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:
        if self.suffix == ".html":
            _enospc()
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "m.html"
    rc, _, err = run_cli(["map", "--out", str(out)], capfd)
    assert rc == 1, err
    assert "disk full" in err and "m.html" in err and "internal error" not in err
    assert not out.exists() and _temp_leftovers(tmp_path) == []


def _cli(*argv: str) -> list[str]:
    return [sys.executable, "-c", "from ordos_geo.cli.main import main; main()", *argv]


def _wait_for(pred: object, timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while not pred():  # type: ignore[operator]
        if time.monotonic() - t0 > timeout:
            raise AssertionError("condition not reached in time")
        time.sleep(0.05)


def _staged_files(out: Path) -> list[Path]:
    """Finished files in the staging folder (not the transient temp names of a writer)."""
    return [p for s in out.glob(STAGE_PREFIX + "*") for p in s.rglob("*")
            if p.is_file() and not p.name.startswith(".")]


@pytest.mark.slow
def test_sigkill_during_run_then_rerun_succeeds_clean(tmp_path: Path) -> None:
    out = tmp_path / "maps"
    env = {k: v for k, v in os.environ.items() if k != "ORDOS_GEO_LAYERS"}
    proc = subprocess.Popen(_cli("run", "--out", str(out), "--steps",
                                 "layers_summary,overview_map,siting_pv"),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: bool(_staged_files(out)) or proc.poll() is not None)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
    # killed half way: no result is visible, only the hidden staging folder
    visible = [p.name for p in out.iterdir() if not p.name.startswith(".")]
    assert visible == [] and _staged_files(out)
    r = subprocess.run(_cli("run", "--out", str(out), "--steps", "layers_summary"), env=env,
                       capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in out.iterdir()) == ["layers_summary.csv"]
    assert _temp_leftovers(out) == []


@pytest.mark.slow
def test_second_run_on_the_same_folder_refused(
        tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "maps"
    env = {k: v for k, v in os.environ.items() if k != "ORDOS_GEO_LAYERS"}
    proc = subprocess.Popen(_cli("run", "--out", str(out), "--steps",
                                 "layers_summary,overview_map,siting_pv"),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(lambda: ((out / LOCK_NAME).exists() and bool(_staged_files(out)))
                  or proc.poll() is not None)
        assert proc.poll() is None, "the first run finished too early"
        rc, _, err = run_cli(["run", "--out", str(out), "--steps", "layers_summary",
                              "--overwrite"], capfd)
        assert rc == 1
        errors = [ln for ln in err.splitlines() if ln.startswith(ERR)]
        assert len(errors) == 1, err
        line = errors[0]
        assert str(out) in line
        assert "another ordos-geo command is writing to this folder" in line
        assert f"pid {proc.pid}" in line and "choose another --out" in line
    finally:
        proc.kill()
        proc.wait(timeout=30)
