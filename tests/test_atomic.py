"""Tests for atomic output (ordos_geo.io.atomic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ordos_geo.errors import OutputError
from ordos_geo.io.atomic import atomic_path, check_output_path, write_text_atomic


def test_success_renames_into_place(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "a.csv"
    write_text_atomic(out, "a,b\n1,2\n")
    assert out.read_text() == "a,b\n1,2\n"
    assert [p.name for p in out.parent.iterdir()] == ["a.csv"]


def test_failure_half_way_leaves_nothing_and_keeps_old_file(tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    out.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_path(out, overwrite=True) as tmp:
        tmp.write_text("partial")
        raise RuntimeError("disk full")
    assert out.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_existing_output_needs_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    out.write_text("old\n")
    with pytest.raises(OutputError, match="--overwrite"):
        write_text_atomic(out, "new\n", overwrite=False)
    assert out.read_text() == "old\n"


def test_output_equal_to_input_refused(tmp_path: Path) -> None:
    src = tmp_path / "in.geojson"
    src.write_text("{}")
    with pytest.raises(OutputError, match="also an input"), \
            atomic_path(src, overwrite=True, inputs=[src]) as tmp:
        tmp.write_text("x")
    assert src.read_text() == "{}"
    # a folder output holding an input is refused too
    with pytest.raises(OutputError, match="also an input"):
        check_output_path(tmp_path, overwrite=True, inputs=[src])


def test_inputs_are_not_remembered_between_calls(tmp_path: Path) -> None:
    # no process-global registry: protection is what each call passes
    src = tmp_path / "in.csv"
    src.write_text("a\n")
    with pytest.raises(OutputError, match="also an input"):
        check_output_path(src, overwrite=True, inputs=[src])
    write_text_atomic(src, "b\n", overwrite=True)
    assert src.read_text() == "b\n"


def test_uncreatable_folder_is_one_line_error(tmp_path: Path) -> None:
    # a regular file where a folder is needed fails even for root
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create output folder") as exc:
        write_text_atomic(blocker / "sub" / "a.csv", "x")
    assert "\n" not in str(exc.value)
    assert blocker.read_text() == "x"
