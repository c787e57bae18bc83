"""Simulated listeners with a hidden taste, for bench/recsys.py.

A listener's chance of playing a track to the end is a product of gates, each a plateau
with ramps or a bump, over the raw catalog fields (never Encore's feature vector):

    p = FLOOR + (CEIL - FLOOR) * genre * band * tempo * speech * mood(t) * fatigue(t)

- genre: mean over the track's genres of 1.0 (liked, 3 per listener), 0.1 (disliked, 4)
  or 0.45 (the rest);
- band: energy x valence inside a listener's band (plateau), ramping down to 0.3 outside;
- tempo: 1 inside a BPM window (e.g. 97-125), falling with the distance to 0.35;
- speech: 0.4 above a listener's speechiness limit (for 70 % of listeners);
- mood(t): a bump around a preferred energy that drifts linearly within each session
  (sessions of SESSION_PLAYS plays, a new start and end mood per session);
- fatigue(t): each play of the same artist among the last FATIGUE_WINDOW plays multiplies
  p by up to 0.5 (the most recent counts most).

The listener finishes when a pre-drawn uniform u[k] < p, so every policy meets the same
luck at play k (common random numbers), and otherwise skips at a position that comes the
earlier the less it likes the track.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

GENRES = ("pop", "rock", "hip-hop", "electronic", "jazz", "classical", "folk", "metal", "r&b",
          "country", "reggae", "latin", "ambient", "blues", "indie", "soul")
FLOOR, CEIL = 0.03, 0.97
LIKED, NEUTRAL, DISLIKED = 1.0, 0.5, 0.1
SESSION_PLAYS = 50
SESSION_GAP_MS = 14 * 3_600_000  # a night between sessions
FATIGUE_WINDOW = 10
FATIGUE_DROP = 0.5  # p multiplier for the same artist just played
MOOD_WIDTH = 0.22
SATURATE = 0.5  # gate products above this are all "a perfect fit"


@dataclass(frozen=True)
class Taste:
    genre: dict[str, float]
    band: tuple[float, float]  # energy*valence plateau (lo, hi)
    tempo: tuple[float, float]  # BPM window (lo, hi)
    speech_max: float  # above it: 0.4 (1.0 = does not care)
    moods: tuple[tuple[float, float], ...]  # per session: preferred energy at start, at end

    @classmethod
    def draw(cls, rng: random.Random, sessions: int) -> Taste:
        shuffled = list(GENRES)
        rng.shuffle(shuffled)
        genre = {g: NEUTRAL for g in GENRES}
        genre.update({g: LIKED for g in shuffled[:3]})
        genre.update({g: DISLIKED for g in shuffled[3:7]})
        center = rng.uniform(0.15, 0.55)
        lo = rng.uniform(88.0, 105.0)
        moods = []
        for _ in range(sessions):
            start = rng.uniform(0.25, 0.85)
            moods.append((start, min(0.95, max(0.1, start + rng.uniform(-0.4, 0.4)))))
        return cls(genre, (center - 0.12, center + 0.12), (lo, lo + rng.uniform(20.0, 35.0)),
                   rng.uniform(0.12, 0.25) if rng.random() < 0.7 else 1.0, tuple(moods))


def _ramp(x: float, lo: float, hi: float, fall: float, floor: float) -> float:
    """1 on [lo, hi], falling linearly over `fall` outside, never below floor."""
    d = lo - x if x < lo else x - hi if x > hi else 0.0
    return max(floor, 1.0 - d / fall)


@dataclass
class Listener:
    taste: Taste
    u: list[float]  # finish draws, one per play
    v: list[float]  # skip-position draws, one per play
    plays: int = 0
    recent_artists: list[str] = field(default_factory=list)
    _static: dict[str, float] = field(default_factory=dict)

    @classmethod
    def make(cls, seed: int, index: int, plays: int) -> Listener:
        rng = random.Random(f"recsys:{seed}:{index}:taste")
        taste = Taste.draw(rng, sessions=(plays + SESSION_PLAYS - 1) // SESSION_PLAYS)
        draws = random.Random(f"recsys:{seed}:{index}:draws")
        u = [draws.random() for _ in range(plays)]
        v = [draws.random() for _ in range(plays)]
        return cls(taste, u, v)

    def _static_factor(self, track: dict[str, Any]) -> float:
        cached = self._static.get(track["id"])
        if cached is not None:
            return cached
        t, f = self.taste, track["features"]
        genres = [g for g in track.get("genres", []) if g in t.genre]
        genre = sum(t.genre[g] for g in genres) / len(genres) if genres else NEUTRAL
        band = _ramp(f["energy"] * f["valence"], *t.band, fall=0.2, floor=0.35)
        tempo = _ramp(f["tempo"], *t.tempo, fall=30.0, floor=0.4)
        speech = 0.4 if f["speechiness"] > t.speech_max else 1.0
        value = min(1.0, genre * band * tempo * speech / SATURATE)
        self._static[track["id"]] = value
        return value

    def preferred_energy(self) -> float:
        session, j = divmod(self.plays, SESSION_PLAYS)
        start, end = self.taste.moods[min(session, len(self.taste.moods) - 1)]
        return start + (end - start) * j / (SESSION_PLAYS - 1)

    def finish_probability(self, track: dict[str, Any]) -> float:
        """The true chance, right now, that this listener plays the track to the end."""
        d = (track["features"]["energy"] - self.preferred_energy()) / MOOD_WIDTH
        mood = 0.4 + 0.6 * math.exp(-d * d)
        fatigue = 1.0
        artists = {a["id"] for a in track["artists"]}
        for age, artist in enumerate(reversed(self.recent_artists)):
            if artist in artists:
                fatigue *= 1.0 - FATIGUE_DROP * (1.0 - age / FATIGUE_WINDOW)
        return FLOOR + (CEIL - FLOOR) * self._static_factor(track) * mood * fatigue

    def listen(self, track: dict[str, Any]) -> tuple[bool, int]:
        """(finished, position_ms reached); advances the session state."""
        p = self.finish_probability(track)
        k = self.plays
        duration = int(track["duration_ms"])
        finished = self.u[k] < p
        # A skip comes the earlier the less the track suits: ~1-3 s for a poor fit.
        position = duration if finished else int(1000 + (duration - 1000) * p * self.v[k])
        self.plays += 1
        self.recent_artists.append(track["artists"][0]["id"])
        del self.recent_artists[:-FATIGUE_WINDOW]
        return finished, position

    def session_break(self) -> bool:
        """True when the play just made ended a session (a gap follows)."""
        return self.plays % SESSION_PLAYS == 0
