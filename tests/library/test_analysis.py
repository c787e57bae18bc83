"""The analysis finds what the test signals were made with: tempo, key and mode, and sound
qualities that order as they should (louder, brighter, more rhythmic)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from backend.library.analysis import AnalysisError, analyse_file, features
from tests.library.media import RATE, chord_progression, click_track, make_track, tone

_KEYS = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]


def tempo_ok(found: float, truth: float) -> bool:
    return any(abs(found - truth * k) <= 0.04 * truth * k for k in (0.5, 1.0, 2.0))


@pytest.mark.parametrize("bpm,fmt", [(90, "mp3"), (150, "flac"), (90, "vorbis"), (150, "aac")])
def test_click_track_tempo(tmp_path: Path, bpm: int, fmt: str) -> None:
    path = make_track(tmp_path, f"click{bpm}", fmt, signal=click_track(bpm, 40.0))
    got = analyse_file(str(path), 40_000)
    assert tempo_ok(got["tempo"], bpm), got["tempo"]
    assert got["rhythm_strength"] > 0.5  # a metronome is all pulse


@pytest.mark.parametrize("key,mode", [("C", "major"), ("A", "minor"), ("G", "major"),
                                      ("E", "minor")])
def test_chord_progression_key_and_mode(tmp_path: Path, key: str, mode: str) -> None:
    path = make_track(tmp_path, f"{key}{mode}", "flac", signal=chord_progression(key, mode))
    got = analyse_file(str(path), 24_000)
    assert (_KEYS[int(got["key"])], int(got["mode"])) == (key, int(mode == "major")), got


def test_sound_qualities_order_as_they_should() -> None:
    quiet_dark = features((0.05 * np.sin(2 * np.pi * 110 * np.arange(10 * RATE) / RATE))
                          .astype(np.float32))
    loud_bright = features(np.asarray(
        0.5 * np.sign(np.sin(2 * np.pi * 1760 * np.arange(10 * RATE) / RATE))
        + 0.3 * click_track(128, 10.0), dtype=np.float32))
    assert loud_bright["loudness"] > quiet_dark["loudness"] + 10
    assert loud_bright["energy"] > quiet_dark["energy"] + 0.3
    assert loud_bright["brightness"] > quiet_dark["brightness"] + 0.3
    assert loud_bright["centroid_hz"] > 1500 > quiet_dark["centroid_hz"]
    assert loud_bright["rhythm_strength"] > quiet_dark["rhythm_strength"]
    assert all(-1 <= quiet_dark[f"timbre_{i}"] <= 1 for i in range(1, 9))
    assert any(abs(quiet_dark[f"timbre_{i}"] - loud_bright[f"timbre_{i}"]) > 0.1
               for i in range(1, 9))


def test_silence_and_too_short_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(AnalysisError, match="silent"):
        features(np.zeros(5 * RATE, dtype=np.float32))
    with pytest.raises(AnalysisError, match="less than a second"):
        features(tone(0.5).astype(np.float32))


def test_long_files_are_analysed_on_an_excerpt(tmp_path: Path) -> None:
    """A 4-minute file costs a 30-second decode: the excerpt is what is analysed."""
    signal = np.concatenate([tone(80.0, 220.0), click_track(120, 80.0), tone(80.0, 220.0)])
    path = make_track(tmp_path, "long", "mp3", signal=signal)
    got = analyse_file(str(path), 240_000)  # the middle third is the click track
    assert tempo_ok(got["tempo"], 120) and got["rhythm_strength"] > 0.5
