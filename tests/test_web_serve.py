"""``ordos-geo serve``: the real command starts uvicorn, answers /healthz, stops on SIGINT."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cli_runner import run_cli

BIN = Path(sys.executable).with_name("ordos-geo")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _lan_address() -> str | None:
    """This machine's non-loopback IPv4 address (no packet is sent), or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            ip = str(s.getsockname()[0])
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


@pytest.mark.slow
def test_serve_starts_answers_and_stops(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([str(BIN), "serve", "--port", str(port)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            if proc.poll() is not None:
                pytest.fail(f"serve exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                r = httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("no answer on /healthz")
        assert r.json()["status"] == "ok"
        page = httpx.get(base + "/")
        assert "研判" in page.text and page.headers["content-type"].startswith("text/html")
        # listens on loopback only by default: the machine's own LAN address is refused
        lan = _lan_address()
        if lan is not None:
            with socket.socket() as s:
                s.settimeout(2)
                assert s.connect_ex((lan, port)) != 0
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert f"http://127.0.0.1:{port}/" in out


def test_serve_bad_rules_is_one_line(tmp_path, capsys):
    bad = tmp_path / "rules.yaml"
    bad.write_text("rules: [{id: 1, nonsense: true}]\n", encoding="utf-8")
    code, _out, err = run_cli(["serve", "--rules", str(bad)], capsys)
    assert code == 1
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert len(lines) == 1 and "rules.yaml" in lines[0] and "Traceback" not in err


def test_serve_help_lists_options(capsys):
    code, out, _ = run_cli(["serve", "--help"], capsys)
    assert code == 0
    for opt in ("--host", "--port", "--catalog", "--rules", "127.0.0.1"):
        assert opt in out
