"""Run ``tests/qgis/check_project.py`` with Debian's QGIS (system Python, offscreen).

Shared by ``test_qgis.py`` (a project from coarse siting + check) and ``test_main_job.py``
(the project ``ordos-geo run`` writes).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SYSTEM_PY = Path("/usr/bin/python3")
#: Why a QGIS test skips (the only reason it may).
SKIP_REASON = ("QGIS is not importable by /usr/bin/python3: install Debian python3-qgis "
               "(`make sysdeps`, as CI does)")


def qgis_available() -> bool:
    """Whether ``/usr/bin/python3`` imports ``qgis.core`` (offscreen)."""
    if not SYSTEM_PY.exists():
        return False
    r = subprocess.run([str(SYSTEM_PY), "-c", "import qgis.core"], capture_output=True,
                       check=False, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    return r.returncode == 0


def check_project(project: Path, png: Path, runtime_dir: Path) -> tuple[dict[str, Any], str]:
    """Open ``project`` with QGIS, render it to ``png``; (its JSON report, QGIS's stderr)."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime_dir)}
    r = subprocess.run([str(SYSTEM_PY), str(HERE / "qgis" / "check_project.py"),
                        str(project), str(png)], capture_output=True, text=True,
                       timeout=600, check=False, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1]), r.stderr
