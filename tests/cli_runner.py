"""Run the real ``ordos-geo`` entry point in-process (shared by the CLI tests)."""

from __future__ import annotations

from typing import Protocol

from ordos_geo.cli.main import main


class _Capture(Protocol):
    def readouterr(self) -> tuple[str, str]: ...


def run_cli(args: list[str], capture: _Capture) -> tuple[int, str, str]:
    """Run ``ordos-geo args``; return (exit code, stdout, stderr).

    ``capture`` is pytest's ``capsys`` or ``capfd``; output captured before the call is
    discarded. A non-integer ``SystemExit`` code (a message) counts as exit code 1.
    """
    capture.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capture.readouterr()
    return code, out, err
