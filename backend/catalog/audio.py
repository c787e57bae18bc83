"""Real, playable audio for demo tracks, synthesised from their features with numpy.

A track's features become music: ``tempo`` and ``time_signature`` set the grid, ``key`` and
``mode`` a chord progression, ``acousticness`` the timbre (mellow plucked tones versus
sustained saw-ish synths), ``energy`` and ``danceability`` the drums, ``energy`` again a
distorted power-chord guitar, ``instrumentalness`` how much a sung (vowel-formant) melody there
is, ``speechiness`` a rapped monotone, ``loudness`` the final level. Everything random comes
from a generator seeded by the track id, so a track always sounds the same.

Most of the time goes to libvorbis; synthesis uses wavetables (one gather per note sample)
instead of per-sample sine sums to stay well under a second per track.
"""

from __future__ import annotations

import asyncio
import io
import os
import uuid
import zlib
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import soundfile as sf

# 16 kHz rather than 22.05: libvorbis dominates the render time and scales with the rate; a
# 90 s track must stay under a second on one core.
SAMPLE_RATE = 16_000
MIME_TYPE = "audio/ogg"
_TABLE = 2048
_MAJOR = (0, 2, 4, 5, 7, 9, 11)
_MINOR = (0, 2, 3, 5, 7, 8, 10)
# Chord roots as scale degrees: I-V-vi-IV and friends; i-VI-III-VII and friends.
_PROGRESSIONS = {1: ((0, 4, 5, 3), (0, 3, 4, 3), (0, 5, 3, 4), (0, 3, 0, 4)),
                 0: ((0, 5, 2, 6), (0, 3, 4, 0), (0, 6, 5, 6), (0, 5, 3, 4))}
# First two formants (Hz) of a, e, i, o, u: a crude but recognisably voice-like timbre.
_VOWELS = ((800, 1200), (450, 1900), (300, 2300), (500, 900), (350, 750))

_Array = np.ndarray[Any, np.dtype[np.float64]]


def _midi_hz(note: float) -> float:
    return float(440.0 * 2 ** ((note - 69) / 12))


@cache
def _harmonic_table(rolloff: float, harmonics: int) -> _Array:
    """One period of a tone whose k-th harmonic has amplitude k**-rolloff (2 = mellow, 1 = saw)."""
    phase = np.arange(_TABLE) / _TABLE
    wave = sum(k ** -rolloff * np.sin(2 * np.pi * k * phase) for k in range(1, harmonics + 1))
    return np.asarray(wave / np.max(np.abs(wave)))


@lru_cache(maxsize=512)
def _vowel_table(vowel: int, f0: int) -> _Array:
    """One period of a voice at ``f0`` Hz: harmonics weighted by the vowel's formants."""
    phase = np.arange(_TABLE) / _TABLE
    wave = np.zeros(_TABLE)
    f1, f2 = _VOWELS[vowel]
    for k in range(1, max(2, int(4000 // f0))):
        hz = k * f0
        gain = np.exp(-(((hz - f1) / 160) ** 2)) + 0.6 * np.exp(-(((hz - f2) / 220) ** 2)) + 0.05
        wave += gain / k**0.5 * np.sin(2 * np.pi * k * phase)
    return wave / np.max(np.abs(wave))


_INDEX = np.arange(100 * SAMPLE_RATE, dtype=np.float64)  # sample numbers, sliced per note


@lru_cache(maxsize=16)
def _vibrato(n: int, depth: float) -> _Array:
    """Frequency multiplier of a 5.5 Hz vibrato ``depth`` semitones deep."""
    return np.asarray(2 ** (depth * np.sin(2 * np.pi * 5.5 * _INDEX[:n] / SAMPLE_RATE) / 12))


def _tone(table: _Array, hz: float, n: int, vibrato: float = 0.0) -> _Array:
    """``n`` samples of ``table`` played at ``hz``, with optional vibrato (semitones)."""
    step = hz * _TABLE / SAMPLE_RATE  # table positions per sample
    if vibrato:
        pos = np.cumsum(_vibrato(n, vibrato)) * step
    else:
        pos = _INDEX[:n] * step
    # _TABLE is a power of two, so wrapping is a bit mask on the integer position.
    return table[pos.astype(np.int64) & (_TABLE - 1)]


@lru_cache(maxsize=64)  # bounded: note lengths differ from track to track
def _envelope(n: int, attack: float, decay: float) -> _Array:
    """Linear attack (s), exponential decay (per s; 0 = sustained), 10 ms release.

    Cached: a track reuses a handful of note lengths. Callers must not modify the result.
    """
    t = _INDEX[:n] / SAMPLE_RATE
    env = np.minimum(1.0, t / max(attack, 1e-3)) * np.exp(-decay * t)
    tail = min(n, int(0.01 * SAMPLE_RATE))
    env[n - tail:] *= np.linspace(1.0, 0.0, tail)
    env.flags.writeable = False
    return env


def _add(out: _Array, start: int, sound: _Array) -> None:
    end = min(len(out), start + len(sound))
    if start < end:
        out[start:end] += sound[: end - start]


def _drum_kit(rng: np.random.Generator) -> dict[str, _Array]:
    t = np.arange(int(0.3 * SAMPLE_RATE)) / SAMPLE_RATE
    sweep = 45 + 90 * np.exp(-t * 30)  # the kick's pitch drops 135 -> 45 Hz
    kick = np.sin(2 * np.pi * np.cumsum(sweep) / SAMPLE_RATE) * np.exp(-t * 14)
    ts = t[: int(0.2 * SAMPLE_RATE)]
    snare = (rng.standard_normal(len(ts)) * 0.6 * np.exp(-ts * 22)
             + np.sin(2 * np.pi * 190 * ts) * np.exp(-ts * 35))
    th = t[: int(0.06 * SAMPLE_RATE)]
    hat = np.diff(rng.standard_normal(len(th) + 1)) * 0.35 * np.exp(-th * 80)
    return {"kick": kick, "snare": snare, "hat": hat}


def synthesize(track: dict[str, Any]) -> _Array:
    """The track as mono float samples in [-1, 1] at SAMPLE_RATE, ``duration_ms`` long."""
    f = track["features"]
    rng = np.random.default_rng(zlib.crc32(track["id"].encode()))
    n = round(track["duration_ms"] * SAMPLE_RATE / 1000)
    energy, dance, acoustic = f["energy"], f["danceability"], f["acousticness"]
    beat = 60.0 / f["tempo"]
    per_bar = int(f.get("time_signature", 4))
    mode = int(f["mode"])
    scale = _MAJOR if mode else _MINOR
    tonic = 48 + int(f["key"])  # C3..B3
    progression = _PROGRESSIONS[mode][int(rng.integers(4))]
    bars_per_chord = 2 if f["tempo"] < 80 and energy < 0.4 else 1
    chord_len = beat * per_bar * bars_per_chord
    beats = int(n / SAMPLE_RATE / beat) + 1

    def at(seconds: float) -> int:
        return int(seconds * SAMPLE_RATE)

    def degree_note(degree: int, octave: int = 0) -> int:
        return tonic + 12 * (octave + degree // 7) + scale[degree % 7]

    def chord_at(seconds: float) -> int:
        return progression[int(seconds / chord_len) % len(progression)]

    harmony = np.zeros(n)
    bass = np.zeros(n)
    lead = np.zeros(n)
    voice = np.zeros(n)
    drums = np.zeros(n)
    guitar = np.zeros(n)

    # Harmony: acoustic tracks pluck mellow tones on every beat (arpeggiated when quiet);
    # electronic ones hold bright saw-ish pads across the chord.
    keys_table = _harmonic_table(1.0 + 1.5 * acoustic, 8)
    chords = int(n / SAMPLE_RATE / chord_len) + 1
    if acoustic >= 0.5:
        arpeggio = energy < 0.45
        step = beat / 2 if arpeggio else beat
        for i in range(int(n / SAMPLE_RATE / step) + 1):
            t0 = i * step
            root = chord_at(t0)
            tones = [root + 2 * (i % 3)] if arpeggio else [root, root + 2, root + 4]
            for d in tones:
                hz = _midi_hz(degree_note(d, 1))
                m = at(min(1.5, step * 3))
                _add(harmony, at(t0), _tone(keys_table, hz, m) * _envelope(m, 0.005, 3.0))
    else:
        for c in range(chords):
            t0 = c * chord_len
            m = at(chord_len)
            root = chord_at(t0)
            for d in (root, root + 2, root + 4):
                hz = _midi_hz(degree_note(d, 1)) * (1 + rng.normal(0, 0.002))
                _add(harmony, at(t0), _tone(keys_table, hz, m) * _envelope(m, 0.08, 0.3) * 0.6)

    # Bass: the chord root, on beats, on eighths when energetic.
    bass_table = _harmonic_table(2.0 - 0.8 * (1 - acoustic), 6)
    step = beat / 2 if energy > 0.6 else beat
    for i in range(int(n / SAMPLE_RATE / step) + 1):
        t0 = i * step
        m = at(step * 0.95)
        hz = _midi_hz(degree_note(chord_at(t0), -1))
        _add(bass, at(t0), _tone(bass_table, hz, m) * _envelope(m, 0.005, 4.0))

    # Melody: a random walk over the scale, mostly on chord tones; sung (vowels with vibrato)
    # when the track is not instrumental, played on the keys otherwise.
    sung = f["instrumentalness"] < 0.5
    degree = chord_at(0) + 7
    t0 = 0.0
    phrase = beat * per_bar * 2
    while t0 < n / SAMPLE_RATE:
        length = beat * float(rng.choice([0.5, 1.0, 1.0, 1.5, 2.0]))
        if (t0 % (2 * phrase)) < phrase * 1.6 and rng.random() > 0.12:  # breathe between phrases
            degree += int(rng.choice([-2, -1, -1, 0, 1, 1, 2]))
            degree = min(max(degree, 4), 13)
            if rng.random() < 0.5:  # snap to a chord tone
                root = chord_at(t0)
                degree = min((root + k for k in range(0, 21, 2)), key=lambda d: abs(d - degree))
            hz = _midi_hz(degree_note(degree, 0) + 12 * (f["valence"] > 0.6))
            m = at(length * 0.95)
            if sung:
                table = _vowel_table(int(rng.integers(len(_VOWELS))), int(hz))
                _add(voice, at(t0), _tone(table, hz, m, vibrato=0.25) * _envelope(m, 0.04, 0.8))
            else:
                _add(lead, at(t0), _tone(keys_table, hz, m) * _envelope(m, 0.01, 2.5))
        t0 += length

    # Speech: rapped syllables on sixteenths at a speaking pitch, as dense as the speechiness.
    speech = f["speechiness"]
    if speech > 0.08:
        for i in range(beats * 4):
            if rng.random() < min(0.9, speech * 2.5):
                hz = 125 * (1 + rng.normal(0, 0.05))
                m = at(beat / 4 * 0.9)
                table = _vowel_table(int(rng.integers(len(_VOWELS))), int(hz))
                _add(voice, at(i * beat / 4), _tone(table, hz, m) * _envelope(m, 0.01, 6.0) * 0.8)

    # Drums: only for tracks with drive; four-on-the-floor when danceable, hats get denser
    # with energy.
    drive = energy * 0.6 + dance * 0.5
    if drive > 0.5:
        kit = _drum_kit(rng)
        four = dance > 0.68 and energy > 0.6
        subdivision = 4 if energy > 0.78 else 2
        for b in range(beats):
            t0 = b * beat
            pos = b % per_bar
            if four or pos == 0 or (pos == 2 and per_bar == 4) or rng.random() < 0.12:
                _add(drums, at(t0), kit["kick"])
            if per_bar == 4 and pos in (1, 3):
                _add(drums, at(t0), kit["snare"] * 0.8)
            for s in range(subdivision):
                accent = 1.0 if s == 0 else 0.6
                _add(drums, at(t0 + s * beat / subdivision), kit["hat"] * accent)

    # Guitar: distorted power chords chugging on eighths for loud, non-acoustic tracks.
    if energy > 0.75 and acoustic < 0.2:
        saw = _harmonic_table(1.0, 10)
        gain = 3 + 25 * (energy - 0.75)
        for i in range(int(n / SAMPLE_RATE / (beat / 2)) + 1):
            t0 = i * beat / 2
            m = at(beat / 2 * 0.9)
            note = degree_note(chord_at(t0), 0)
            tone = _tone(saw, _midi_hz(note), m) + _tone(saw, _midi_hz(note + 7), m)
            _add(guitar, at(t0), np.tanh(gain * tone * _envelope(m, 0.003, 2.0)) * 0.5)

    mix = (harmony * 0.35 + bass * 0.5 + lead * 0.35 + voice * 0.45
           + drums * (0.5 + 0.4 * energy) + guitar * 0.4)
    mix += rng.standard_normal(n) * 0.002 * f["liveness"]  # a little room noise
    # Level from loudness (dB); -6 dB of headroom before a soft limiter.
    target = 10 ** ((f["loudness"] - 6) / 20)
    rms = float(np.sqrt(np.mean(mix**2))) or 1.0
    mix = np.tanh(mix * (target / rms))
    fade = min(n // 4, int(0.5 * SAMPLE_RATE))
    mix[:fade] *= np.linspace(0, 1, fade)
    mix[n - fade:] *= np.linspace(1, 0, fade)
    return mix


def render_track_audio(track: dict[str, Any]) -> bytes:
    """The track's audio as Ogg Vorbis bytes (mono, SAMPLE_RATE), ``duration_ms`` long."""
    buf = io.BytesIO()
    sf.write(buf, synthesize(track).astype(np.float32), SAMPLE_RATE,
             format="OGG", subtype="VORBIS")
    return buf.getvalue()


# One lock per track id (per event loop: asyncio locks belong to the loop that uses them), so
# simultaneous first requests render once. Bounded by the catalog size.
_locks: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Lock]] = WeakKeyDictionary()


async def track_audio_path(data_dir: Path, track: dict[str, Any]) -> Path:
    """The track's cached audio file, ``data_dir/audio/<id>.ogg``, rendered on first use.

    Rendering runs in a thread (off the event loop); the file appears atomically (temporary
    file, then ``os.replace``), so a crash never leaves a half-written file behind.
    """
    path = Path(data_dir) / "audio" / f"{track['id']}.ogg"
    if path.exists():
        return path
    locks = _locks.setdefault(asyncio.get_running_loop(), {})
    async with locks.setdefault(track["id"], asyncio.Lock()):
        if not path.exists():
            await asyncio.to_thread(_render_to, path, track)
    return path


def _render_to(path: Path, track: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Unique per process and call: other workers may render the same track concurrently.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        tmp.write_bytes(render_track_audio(track))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
