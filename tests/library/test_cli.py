"""`python -m backend scan` in a terminal: a progress bar, a summary, the failures, resumable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.library.media import make_track, tone
from tests.servers import REPO


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "backend", "scan", *args], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=300,
                          check=False)


def test_scan_command_reports_progress_and_failures_then_rescans_nothing(tmp_path: Path) -> None:
    music = tmp_path / "Music"
    for n in range(3):
        make_track(music, f"t{n}", "mp3", signal=tone(2.0, 300 + 50 * n), title=f"T{n}")
    (music / "zero.mp3").write_bytes(b"")
    env = {"ENCORE_DATA_DIR": str(tmp_path / "data"), "ENCORE_LIBRARY_DIRS": str(music)}
    first = run(env, "--no-analysis")
    assert first.returncode == 0, first.stderr
    assert "scanning  [##############################] 4/4" in first.stderr  # the bar, at 100 %
    assert "4 files: 4 read, 3 new, 0 gone, 1 failed" in first.stdout
    assert "failed: zero.mp3: the file is empty (0 bytes)" in first.stdout
    again = run(env, "--no-analysis")
    assert "4 files: 1 read, 0 new, 0 gone, 1 failed" in again.stdout  # only the failed one


def test_scan_command_without_folders_says_what_to_set(tmp_path: Path) -> None:
    out = run({"ENCORE_DATA_DIR": str(tmp_path / "data"), "ENCORE_LIBRARY_DIRS": ""})
    assert out.returncode == 2 and "ENCORE_LIBRARY_DIRS" in out.stderr
