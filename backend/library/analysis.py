"""Features from the sound of a track, with librosa (ISC licence), on a 30-second excerpt.

- tempo (BPM): the autocorrelation of the onset envelope, weighted by a log-normal prior
  around 120 BPM (as librosa's own estimator), its peak refined between lags;
- rhythm_strength (0..1): how high that peak stands, i.e. how clear the pulse is;
- key (0 = C … 11 = B) and mode (1 major, 0 minor): chroma (from an 8192-sample STFT) against
  the Krumhansl–Kessler key profiles, 24 correlations, the best wins;
- loudness (dBFS, like Spotify's dB scale) and energy (0..1: level and onset activity);
- brightness (0..1, from the spectral centroid on a log scale 250 Hz … 8 kHz), with the
  centroid itself in Hz;
- timbre_1 … timbre_8: the means of MFCCs 1–8 squashed into -1..1 (a compact timbre vector).

It runs in worker processes (`analyser.py`), decodes only the excerpt (soundfile, or ffmpeg
for what libsndfile cannot read) and so needs a few megabytes whatever the file's length.
"""

from __future__ import annotations

import math
import subprocess
from typing import Any

import numpy as np

RATE = 22_050
EXCERPT_S = 30.0
HOP = 512
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

Signal = np.ndarray[Any, np.dtype[np.float32]]


class AnalysisError(RuntimeError):
    pass


def excerpt_window(duration_s: float) -> tuple[float, float]:
    """(offset, length) of the excerpt: 30 s from a third in, or the whole of a short track."""
    if duration_s <= EXCERPT_S + 10:
        return 0.0, duration_s
    return min(duration_s / 3, duration_s - EXCERPT_S - 5), EXCERPT_S


def load_excerpt(path: str, duration_s: float) -> Signal:
    """Mono float32 samples at RATE of the excerpt."""
    import soundfile as sf
    import soxr

    offset, length = excerpt_window(duration_s)
    try:
        with sf.SoundFile(path) as f:
            f.seek(int(offset * f.samplerate))
            data = f.read(frames=int(length * f.samplerate) + 1, dtype="float32",
                          always_2d=True)
            rate = f.samplerate
        mono = data.mean(axis=1)
        return np.asarray(soxr.resample(mono, rate, RATE) if rate != RATE else mono,
                          dtype=np.float32)
    except (sf.LibsndfileError, RuntimeError, TypeError, ValueError):
        return _ffmpeg_excerpt(path, offset, length)


def _ffmpeg_excerpt(path: str, offset: float, length: float) -> Signal:
    from .formats import ffmpeg

    binary = ffmpeg()
    if binary is None:
        raise AnalysisError("this format needs ffmpeg to be decoded, and it is not installed")
    out = subprocess.run(
        [binary, "-hide_banner", "-loglevel", "error", "-nostdin", "-ss", f"{offset:.3f}",
         "-t", f"{length:.3f}", "-i", path, "-vn", "-ac", "1", "-ar", str(RATE),
         "-f", "f32le", "-"], capture_output=True, timeout=120, check=False)
    if out.returncode != 0:
        why = out.stderr.decode(errors="replace")[-200:]
        raise AnalysisError(f"ffmpeg cannot decode it: {why}")
    return np.frombuffer(out.stdout, dtype=np.float32).copy()


def _tempo(onset: np.ndarray[Any, Any]) -> tuple[float, float]:
    """(BPM, pulse clarity 0..1) from the onset envelope's autocorrelation."""
    frame_rate = RATE / HOP
    centred = onset - onset.mean()
    n = len(centred)
    spectrum = np.fft.rfft(centred, 2 * n)
    ac = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    if n < 8 or ac[0] <= 0:
        return 0.0, 0.0
    ac = ac / ac[0]
    lags = np.arange(1, min(n, int(4 * frame_rate)))
    bpm = 60.0 * frame_rate / lags
    usable = (bpm >= 40) & (bpm <= 240)
    prior = np.exp(-0.5 * ((np.log2(bpm) - np.log2(120.0)) / 1.0) ** 2)
    score = np.where(usable, np.maximum(ac[lags], 0) * prior, 0.0)
    k = int(np.argmax(score))
    if score[k] <= 0:
        return 0.0, 0.0
    lag = float(lags[k])
    if 0 < k < len(lags) - 1:  # parabolic refinement between the neighbouring lags
        a, b, c = ac[lags[k] - 1], ac[lags[k]], ac[lags[k] + 1]
        denominator = a - 2 * b + c
        if denominator < 0:
            lag += 0.5 * (a - c) / denominator
    return 60.0 * frame_rate / lag, float(np.clip(ac[lags[k]], 0.0, 1.0))


def _key(chroma: np.ndarray[Any, Any]) -> tuple[int, int, float]:
    """(key 0..11, mode 1 major / 0 minor, correlation) of a 12-bin chroma profile."""
    best = (0, 1, -2.0)
    for mode, profile in ((1, _MAJOR), (0, _MINOR)):
        for key in range(12):
            r = float(np.corrcoef(chroma, np.roll(profile, key))[0, 1])
            if r > best[2]:
                best = (key, mode, r)
    return best


def features(y: Signal) -> dict[str, float]:
    """The features of a mono excerpt at RATE (see the module doc)."""
    import librosa

    if len(y) < RATE:
        raise AnalysisError("less than a second of audio to analyse")
    if not np.isfinite(y).all():
        raise AnalysisError("the decoded audio is corrupt (not finite)")
    power = float(np.mean(y.astype(np.float64) ** 2))
    if power < 1e-10:
        raise AnalysisError("the excerpt is silent")
    loudness = 10.0 * math.log10(power)
    # one spectrogram serves the onsets, the centroid and the MFCCs
    magnitude = np.abs(librosa.stft(y, n_fft=2048, hop_length=HOP))
    log_mel = librosa.power_to_db(librosa.feature.melspectrogram(S=magnitude**2, sr=RATE))
    onset = librosa.onset.onset_strength(S=log_mel, sr=RATE, hop_length=HOP)
    tempo, pulse = _tempo(onset)
    # chroma from a long window (8192 samples: 2.7 Hz bins, enough to tell low notes apart)
    chroma = librosa.feature.chroma_stft(y=y, sr=RATE, n_fft=8192, hop_length=HOP * 4,
                                         tuning=0.0).mean(axis=1)
    key, mode, _ = _key(chroma)
    centroid = float(np.mean(librosa.feature.spectral_centroid(S=magnitude, sr=RATE)))
    mfcc = librosa.feature.mfcc(S=log_mel, n_mfcc=9).mean(axis=1)
    activity = float(np.mean(onset))
    level = (loudness + 40.0) / 34.0  # -40 dBFS -> 0, -6 dBFS -> 1
    energy = 0.65 * level + 0.35 * min(1.0, activity / 2.5)
    brightness = math.log2(max(centroid, 1.0) / 250.0) / math.log2(8000.0 / 250.0)
    out: dict[str, float] = {
        "rhythm_strength": pulse, "key": key, "mode": mode, "loudness": loudness,
        "energy": min(1.0, max(0.0, energy)), "brightness": min(1.0, max(0.0, brightness)),
        "centroid_hz": centroid,
    }
    if tempo > 0:  # no pulse at all (a drone): no tempo rather than a made-up one
        out["tempo"] = tempo
    for i in range(1, 9):
        out[f"timbre_{i}"] = math.tanh(float(mfcc[i]) / 50.0)
    # plain floats (no numpy scalars), rounded to what the numbers can tell
    return {name: round(float(value), 1 if name == "centroid_hz" else 3)
            for name, value in out.items()}


def analyse_file(path: str, duration_ms: int) -> dict[str, float]:
    """Decode the excerpt and compute its features (what a worker process runs)."""
    duration = duration_ms / 1000 if duration_ms > 0 else EXCERPT_S
    return features(load_excerpt(path, duration))
