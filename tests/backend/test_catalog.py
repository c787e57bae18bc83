"""The demo catalog as the feed and the player meet it: stable, varied, genre-true, playable."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import statistics
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf

from backend.catalog import audio, demo_catalog, demo_cover_svg, demo_genres, demo_track
from backend.catalog.covers import render_cover
from backend.catalog.demo import demo_album

ROOT = Path(__file__).resolve().parents[2]
UNIT = ("danceability", "energy", "valence", "acousticness", "instrumentalness",
        "speechiness", "liveness")


def _fingerprint(tracks: list[dict[str, Any]]) -> str:
    return hashlib.sha256(json.dumps(tracks, sort_keys=True).encode()).hexdigest()


def _by_genre(tracks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for t in tracks:
        out.setdefault(t["genres"][0], []).append(t)
    return out


def _mean(tracks: list[dict[str, Any]], feature: str) -> float:
    return statistics.fmean(t["features"][feature] for t in tracks)


def _pick(genre: str, longest: bool = False) -> dict[str, Any]:
    """The shortest (or longest) track of a genre: keeps audio tests fast."""
    tracks = _by_genre(demo_catalog())[genre]
    return (max if longest else min)(tracks, key=lambda t: t["duration_ms"])


def test_same_catalog_every_call_and_every_process() -> None:
    first, second = demo_catalog(), demo_catalog()
    assert first == second
    # Another interpreter with another hash seed must build the very same catalog.
    code = ("import hashlib, json; from backend.catalog import demo_catalog as c; "
            "print(hashlib.sha256(json.dumps(c(), sort_keys=True).encode()).hexdigest())")
    other = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": "12345"}, check=True)
    assert other.stdout.strip() == _fingerprint(first)


def test_callers_get_copies_they_may_change() -> None:
    tracks = demo_catalog()
    tracks[0]["score"] = 0.9
    tracks[0]["features"]["energy"] = -1
    tracks[0]["artists"].append({"id": "x", "name": "x"})
    fresh = demo_catalog()[0]
    assert "score" not in fresh and fresh["features"]["energy"] >= 0
    assert len(fresh["artists"]) == 1
    assert demo_track(fresh["id"]) == fresh


def test_size_shape_and_ids() -> None:
    tracks = demo_catalog()
    assert len(tracks) >= 600
    ids = [t["id"] for t in tracks]
    assert len(set(ids)) == len(ids) and ids == sorted(ids)
    for t in tracks:
        assert re.fullmatch(r"demo-\d{4}", t["id"])
        assert t["uri"] == f"encore:demo:{t['id']}" and t["source"] == "demo"
        assert t["audio_url"] == f"/api/tracks/{t['id']}/audio"
        assert t["name"] and t["artists"][0]["name"] and t["album"]["name"]
        image = t["album"]["images"][0]
        assert image == {"url": f"/api/demo/covers/{t['album']['id']}.svg",
                         "width": 300, "height": 300}
        assert t["release_year"] == t["album"]["release_year"]
        assert 1960 <= t["release_year"] <= 2024
        assert isinstance(t["explicit"], bool)
    assert set(demo_genres()) == {g for t in tracks for g in t["genres"]}
    assert len(demo_genres()) >= 12
    assert demo_track("demo-9999") is None and demo_track("../etc/passwd") is None


def test_artists_have_one_or_two_genres_and_several_tracks() -> None:
    tracks = demo_catalog()
    per_artist = Counter(t["artists"][0]["id"] for t in tracks)
    assert len(per_artist) >= 150
    assert min(per_artist.values()) >= 2
    genres: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for t in tracks:
        artist = t["artists"][0]
        genres.setdefault(artist["id"], set()).update(t["genres"])
        names.setdefault(artist["id"], artist["name"])
        assert names[artist["id"]] == artist["name"]
    assert all(1 <= len(g) <= 2 for g in genres.values())
    assert len(set(names.values())) == len(names)  # no two artists share a name


def test_feature_ranges_durations_and_popularity() -> None:
    tracks = demo_catalog()
    for t in tracks:
        f = t["features"]
        assert all(0.0 <= f[name] <= 1.0 for name in UNIT), f
        assert -60 <= f["loudness"] <= 0 and 50 <= f["tempo"] <= 220
        assert f["key"] in range(12) and f["mode"] in (0, 1) and f["time_signature"] in (3, 4)
        assert 30_000 <= t["duration_ms"] <= 90_000
        assert 0 <= t["popularity"] <= 100
    popularity = [t["popularity"] for t in tracks]
    # Skewed like a real catalog: a long tail of little-known tracks, few hits.
    assert statistics.median(popularity) < 50
    assert sum(p >= 80 for p in popularity) < 0.1 * len(tracks)
    assert max(popularity) >= 70


def test_features_fit_the_genre() -> None:
    genres = _by_genre(demo_catalog())
    assert _mean(genres["metal"], "energy") > _mean(genres["ambient"], "energy") + 0.5
    assert _mean(genres["metal"], "loudness") > _mean(genres["classical"], "loudness") + 10
    speechiest = max(genres, key=lambda g: _mean(genres[g], "speechiness"))
    assert speechiest == "hip-hop"
    for calm in ("ambient", "classical"):
        assert _mean(genres[calm], "acousticness") > 0.8
        assert _mean(genres[calm], "instrumentalness") > 0.8
    assert _mean(genres["metal"], "acousticness") < 0.1
    assert _mean(genres["jazz"], "acousticness") > _mean(genres["electronic"], "acousticness")
    assert _mean(genres["electronic"], "danceability") > _mean(genres["classical"], "danceability")
    # Per-track noise: tracks of one genre are not clones.
    assert statistics.pstdev(t["features"]["energy"] for t in genres["pop"]) > 0.03


def test_explicit_tracks_are_mostly_hip_hop_and_metal() -> None:
    explicit = [t for t in demo_catalog() if t["explicit"]]
    assert explicit
    rough = sum(t["genres"][0] in ("hip-hop", "metal") for t in explicit)
    assert rough >= 0.6 * len(explicit)
    assert not any(t["genres"][0] in ("classical", "ambient") for t in explicit)


def test_audio_decodes_at_the_catalog_duration_and_is_not_silent() -> None:
    for track in (_pick("ambient"), _pick("metal")):
        samples, rate = sf.read(io.BytesIO(audio.render_track_audio(track)))
        assert samples.ndim == 1
        assert abs(len(samples) / rate - track["duration_ms"] / 1000) <= 0.5
        assert np.sqrt(np.mean(samples**2)) > 0.01
        assert np.max(np.abs(samples)) <= 1.0


def test_energy_and_genre_are_audible() -> None:
    quiet = audio.synthesize(_pick("ambient"))
    loud = audio.synthesize(_pick("metal"))
    rms = [float(np.sqrt(np.mean(x**2))) for x in (quiet, loud)]
    assert rms[1] > 2.5 * rms[0]
    # Loud, distorted metal has far more high-frequency content than a mellow ambient pad.
    centroid = [_spectral_centroid(x) for x in (quiet, loud)]
    assert centroid[1] > 1.5 * centroid[0]


def _spectral_centroid(x: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(x))
    freqs = np.fft.rfftfreq(len(x), 1 / audio.SAMPLE_RATE)
    return float(np.sum(freqs * spectrum) / np.sum(spectrum))


def _beat_period(x: np.ndarray) -> float:
    """Seconds between onsets, by autocorrelating the onset strength (60-240 BPM)."""
    hop = 128
    frames = x[: len(x) // hop * hop].reshape(-1, hop)
    onset = np.maximum(np.diff(np.log(np.mean(frames**2, axis=1) + 1e-9)), 0)
    onset -= onset.mean()
    ac = np.correlate(onset, onset, "full")[len(onset) - 1:]
    lo, hi = int(0.25 * audio.SAMPLE_RATE / hop), int(1.0 * audio.SAMPLE_RATE / hop)
    return (lo + int(np.argmax(ac[lo:hi]))) * hop / audio.SAMPLE_RATE


def test_tempo_sets_the_beat_you_hear() -> None:
    drummed = [t for t in demo_catalog()
               if t["features"]["energy"] > 0.7 and t["features"]["danceability"] > 0.5]
    slow = min(drummed, key=lambda t: t["features"]["tempo"])
    fast = max(drummed, key=lambda t: t["features"]["tempo"])
    assert fast["features"]["tempo"] > 1.4 * slow["features"]["tempo"]
    for track in (slow, fast):
        period = _beat_period(audio.synthesize({**track, "duration_ms": 30_000}))
        beat = 60 / track["features"]["tempo"]
        # The onset rhythm repeats every beat, or every half / double beat.
        assert any(abs(period - k * beat) < 0.04 * k * beat for k in (0.5, 1, 2)), (period, beat)


def test_audio_is_deterministic_per_track() -> None:
    track = _pick("jazz")
    again = demo_track(track["id"])
    assert again is not None
    assert np.array_equal(audio.synthesize(track), audio.synthesize(again))
    other = _pick("folk")
    n = min(track["duration_ms"], other["duration_ms"]) * audio.SAMPLE_RATE // 1000
    assert not np.allclose(audio.synthesize(track)[:n], audio.synthesize(other)[:n])


async def test_audio_file_is_rendered_once_and_cached(tmp_path: Path, monkeypatch) -> None:
    renders: list[str] = []
    real = audio.render_track_audio

    def counting(track: dict[str, Any]) -> bytes:
        renders.append(track["id"])
        return real(track)

    monkeypatch.setattr(audio, "render_track_audio", counting)
    track = _pick("r&b")
    paths = await asyncio.gather(*(audio.track_audio_path(tmp_path, track) for _ in range(4)))
    assert renders == [track["id"]]  # four simultaneous first requests, one render
    path = paths[0]
    assert all(p == path for p in paths) and path == tmp_path / "audio" / f"{track['id']}.ogg"
    before = path.stat().st_mtime_ns
    assert await audio.track_audio_path(tmp_path, track) == path
    assert path.stat().st_mtime_ns == before and renders == [track["id"]]
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp files


async def test_failed_render_leaves_no_file_and_retries(tmp_path: Path, monkeypatch) -> None:
    real = audio.render_track_audio

    def broken(track: dict[str, Any]) -> bytes:
        raise MemoryError("synthesiser crashed")

    track = _pick("soul")
    monkeypatch.setattr(audio, "render_track_audio", broken)
    with pytest.raises(MemoryError):
        await audio.track_audio_path(tmp_path, track)
    assert list((tmp_path / "audio").iterdir()) == []
    monkeypatch.setattr(audio, "render_track_audio", real)
    path = await audio.track_audio_path(tmp_path, track)
    assert sf.info(str(path)).duration == pytest.approx(track["duration_ms"] / 1000, abs=0.5)


def test_every_cover_is_valid_svg_with_title_and_artist() -> None:
    svg_ns = "{http://www.w3.org/2000/svg}"
    albums = {t["album"]["id"]: t for t in demo_catalog()}
    for album_id, track in albums.items():
        root = ET.fromstring(demo_cover_svg(album_id) or "")
        assert root.tag == f"{svg_ns}svg" and root.get("width") == "300"
        text = " ".join(el.text or "" for el in root.iter(f"{svg_ns}text"))
        assert track["artists"][0]["name"] in text
        assert track["album"]["name"].split()[0] in text
    colours = {(demo_cover_svg(a) or "").split('stop-color="')[1].split('"')[0] for a in albums}
    assert len(colours) > 50  # covers look different from each other
    assert demo_cover_svg("demo-al-9999") is None


def test_cover_escapes_titles() -> None:
    album = {**(demo_album("demo-al-0001") or {}), "name": 'Rock & Roll <Live> "Bonus"',
             "artists": [{"id": "a", "name": "Tom & <Jerry>"}]}
    svg = render_cover(album)
    root = ET.fromstring(svg)
    text = " ".join(el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "Rock & Roll" in text and "<Live>" in text and "Tom & <Jerry>" in text
    assert "<Live>" not in svg
    assert root.get("aria-label") == 'Rock & Roll <Live> "Bonus" by Tom & <Jerry>'
