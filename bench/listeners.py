"""Simulated listeners with a hidden taste, for bench/recsys.py.

Every listener finishes play k when a pre-drawn uniform u[k] < p (its true finish probability
for that track, right now), so every policy meets the same luck at play k (common random
numbers); otherwise it skips, the earlier the less it likes the track:
position = 1 s + (duration - 1 s) * p * v[k]. Sessions are SESSION_PLAYS plays, with a night
between them. Kinds (KINDS):

- classic: the v1/v2 bench's listener, over the catalog's observable fields (so it leans
  towards Encore's engineered features): p = FLOOR + (CEIL - FLOOR) * genre * band * tempo *
  speech * mood(t) * fatigue(t), where genre is the mean over the track's genres of 1.0
  (liked, 3 per listener), 0.1 (disliked, 4) or 0.5 (the rest); band: energy x valence inside
  a band, ramping down to 0.35 outside; tempo: 1 inside a BPM window, falling to 0.4; speech:
  0.4 above a speechiness limit (70 % of listeners); mood(t): a bump around a preferred
  energy that drifts within each session; fatigue: each play of the same artist among the
  last 10 multiplies p by up to 0.5.

The other kinds read the track's latent vector z (bench/catalog.py), never its features:
p = FLOOR + (CEIL - FLOOR) * sigmoid(logit); the logit adds APPEAL x the track's hidden broad
appeal (what also makes it popular) and a fixed per-(listener, track) noise N(0, IDIOSYNCRASY)
("I just like this one") that nothing observable explains.

- loyalist: loves the neighbourhood of one or two genre centres, little else;
- mood: an ideal point on three latent axes that drifts within each session (a new start
  each session), plus a mild static lean on the other axes;
- explorer: a broad linear taste, and tires of repeats: a track close (in z) to one of the
  last plays, or by an artist just played, loses much of its appeal;
- intro-skipper: a static ideal point, and no patience for long tracks: anything longer
  than its patience (270-330 s) is mostly skipped within its intro (the first 12 s);
- switcher: a loyalist whose two genres are replaced by two others halfway through.

Onboarding picks (`picks`): the two genre labels whose tracks the listener likes most at the
start, what a person would tick on the welcome page. Whether a run uses them is the
runner's choice.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from .catalog import DIM, GENRES, Catalog, Vector, distance2

KINDS = ("classic", "loyalist", "mood", "explorer", "intro-skipper", "switcher")
FLOOR, CEIL = 0.03, 0.97
SESSION_PLAYS = 50
SESSION_GAP_MS = 14 * 3_600_000  # a night between sessions
IDIOSYNCRASY = 0.5
APPEAL = 0.4
PICKS = 2
Track = dict[str, Any]

# classic
LIKED, NEUTRAL, DISLIKED = 1.0, 0.5, 0.1
FATIGUE_WINDOW = 10
FATIGUE_DROP = 0.5  # p multiplier for the same artist just played
MOOD_WIDTH = 0.22
SATURATE = 0.5  # gate products above this are all "a perfect fit"

# latent kinds
LOYAL_WIDTH = 1.7
MOOD_AXES = 3
MOOD_WIDTH_Z = 1.1
IDEAL_WIDTH = 2.8
EXPLORER_MEMORY = 6
EXPLORER_SIMILAR = 1.3  # latent distance scale of "that sounds like what I just heard"
INTRO_MS = 12_000


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _ramp(x: float, lo: float, hi: float, fall: float, floor: float) -> float:
    """1 on [lo, hi], falling linearly over `fall` outside, never below floor."""
    d = lo - x if x < lo else x - hi if x > hi else 0.0
    return max(floor, 1.0 - d / fall)


@dataclass
class Listener:
    """What every kind shares: the draws, the session clock, the recent plays."""

    kind: str
    catalog: Catalog
    u: list[float]  # finish draws, one per play
    v: list[float]  # skip-position draws, one per play
    rng_key: str
    plays: int = 0
    recent: list[Track] = field(default_factory=list)  # last plays, oldest first
    picks: list[str] = field(default_factory=list)
    blind: bool = False  # True: without the per-track noise (what no feature could explain)
    _static: dict[str, float] = field(default_factory=dict)

    def static(self, track: Track) -> float:
        """The part of the taste that does not change with time (cached)."""
        raise NotImplementedError

    def finish_probability(self, track: Track) -> float:
        """The true chance, right now, that this listener plays the track to the end."""
        raise NotImplementedError

    def _noise(self, track: Track) -> float:
        if self.blind:
            return 0.0
        return random.Random(f"{self.rng_key}:{track['id']}").gauss(0.0, IDIOSYNCRASY)

    def skip_position(self, track: Track, p: float, k: int) -> int:
        duration = int(track["duration_ms"])
        return int(1000 + (duration - 1000) * p * self.v[k])

    def listen(self, track: Track) -> tuple[bool, int]:
        """(finished, position_ms reached); advances the session state."""
        p = self.finish_probability(track)
        k = self.plays
        finished = self.u[k] < p
        position = int(track["duration_ms"]) if finished else self.skip_position(track, p, k)
        self.note(track)
        return finished, position

    def note(self, track: Track) -> None:
        """The play of `track` happened: the session clock and the recent plays move on."""
        self.plays += 1
        self.recent.append(track)
        del self.recent[:-FATIGUE_WINDOW]

    def session_break(self) -> bool:
        """True when the play just made ended a session (a gap follows)."""
        return self.plays % SESSION_PLAYS == 0

    def _choose_picks(self) -> list[str]:
        by_genre: dict[str, list[float]] = {}
        for track in self.catalog.tracks:
            for genre in track["genres"]:
                by_genre.setdefault(genre, []).append(self.finish_probability(track))
        means = {g: math.fsum(ps) / len(ps) for g, ps in by_genre.items()}
        return sorted(means, key=lambda g: (-means[g], g))[:PICKS]


@dataclass
class ClassicListener(Listener):
    genre: dict[str, float] = field(default_factory=dict)
    band: tuple[float, float] = (0.0, 1.0)  # energy*valence plateau
    tempo: tuple[float, float] = (0.0, 300.0)  # BPM window
    speech_max: float = 1.0  # above it: 0.4 (1.0 = does not care)
    moods: tuple[tuple[float, float], ...] = ()  # per session: preferred energy, start/end

    def draw(self, rng: random.Random, sessions: int) -> None:
        shuffled = list(GENRES)
        rng.shuffle(shuffled)
        self.genre = {g: NEUTRAL for g in GENRES}
        self.genre.update({g: LIKED for g in shuffled[:3]})
        self.genre.update({g: DISLIKED for g in shuffled[3:7]})
        center = rng.uniform(0.15, 0.55)
        self.band = (center - 0.12, center + 0.12)
        lo = rng.uniform(88.0, 105.0)
        self.tempo = (lo, lo + rng.uniform(20.0, 35.0))
        self.speech_max = rng.uniform(0.12, 0.25) if rng.random() < 0.7 else 1.0
        moods = []
        for _ in range(sessions):
            start = rng.uniform(0.25, 0.85)
            moods.append((start, min(0.95, max(0.1, start + rng.uniform(-0.4, 0.4)))))
        self.moods = tuple(moods)

    def static(self, track: Track) -> float:
        cached = self._static.get(track["id"])
        if cached is None:
            f = track["features"]
            genres = [g for g in track.get("genres", []) if g in self.genre]
            genre = (math.fsum(self.genre[g] for g in genres) / len(genres) if genres
                     else NEUTRAL)
            band = _ramp(f["energy"] * f["valence"], *self.band, fall=0.2, floor=0.35)
            tempo = _ramp(f["tempo"], *self.tempo, fall=30.0, floor=0.4)
            speech = 0.4 if f["speechiness"] > self.speech_max else 1.0
            cached = self._static[track["id"]] = min(1.0, genre * band * tempo * speech
                                                     / SATURATE)
        return cached

    def preferred_energy(self) -> float:
        session, j = divmod(self.plays, SESSION_PLAYS)
        start, end = self.moods[min(session, len(self.moods) - 1)]
        return start + (end - start) * j / (SESSION_PLAYS - 1)

    def finish_probability(self, track: Track) -> float:
        d = (track["features"]["energy"] - self.preferred_energy()) / MOOD_WIDTH
        mood = 0.4 + 0.6 * math.exp(-d * d)
        fatigue = 1.0
        artist = track["artists"][0]["id"]
        for age, other in enumerate(reversed(self.recent)):
            if other["artists"][0]["id"] == artist:
                fatigue *= 1.0 - FATIGUE_DROP * (1.0 - age / FATIGUE_WINDOW)
        return FLOOR + (CEIL - FLOOR) * self.static(track) * mood * fatigue


@dataclass
class LatentListener(Listener):
    liked: list[list[Vector]] = field(default_factory=list)  # genre centres, per phase
    switch_at: int = 10**9  # play from which the second phase's centres count
    ideal: Vector = ()
    lean: Vector = ()  # linear taste (explorer; mood's static part)
    moods: list[tuple[Vector, Vector]] = field(default_factory=list)  # per session
    patience_ms: int = 10**9

    def draw(self, rng: random.Random, sessions: int, plays: int) -> None:
        centres = self.catalog.centres
        genres = list(GENRES)
        rng.shuffle(genres)
        self.liked = [[centres[g] for g in genres[:2]]]
        if self.kind == "switcher":
            self.liked.append([centres[g] for g in genres[2:4]])
            self.switch_at = plays // 2
        self.lean = tuple(rng.gauss(0.0, 1.0) for _ in range(DIM))
        anchor = self.catalog.z(rng.choice(self.catalog.tracks))
        self.ideal = tuple(a + rng.gauss(0.0, 0.5) for a in anchor)
        for _ in range(sessions):
            start = tuple(rng.gauss(0.0, 1.0) for _ in range(MOOD_AXES))
            direction = [rng.gauss(0.0, 1.0) for _ in range(MOOD_AXES)]
            norm = math.sqrt(math.fsum(d * d for d in direction))
            end = tuple(s + 2.2 * d / norm for s, d in zip(start, direction, strict=True))
            self.moods.append((start, end))
        self.patience_ms = int(rng.uniform(270_000, 330_000))

    def _loyal(self, z: Vector, phase: int) -> float:
        best = max(math.exp(-distance2(z, c) / (2 * LOYAL_WIDTH ** 2))
                   for c in self.liked[phase])
        return -2.4 + 6.0 * best

    def static(self, track: Track) -> float:
        """The static logit (for switchers: before the switch); cached."""
        cached = self._static.get(track["id"])
        if cached is None:
            z = self.catalog.z(track)
            noise = self._noise(track)
            if self.kind in ("loyalist", "switcher"):
                value = self._loyal(z, 0)
            elif self.kind == "mood":
                value = 0.35 * math.fsum(a * b for a, b in zip(self.lean[MOOD_AXES:],
                                                              z[MOOD_AXES:], strict=True))
            elif self.kind == "explorer":
                norm = math.sqrt(math.fsum(a * a for a in self.lean))
                value = -0.5 + 1.1 * math.fsum(a * b for a, b in zip(self.lean, z,
                                                                    strict=True)) / norm
            else:  # intro-skipper
                value = -1.7 + 5.0 * math.exp(-distance2(z, self.ideal) / (2 * IDEAL_WIDTH ** 2))
            appeal = APPEAL * self.catalog.appeal[track["id"]]
            cached = self._static[track["id"]] = value + appeal + noise
        return cached

    def _mood_now(self) -> Vector:
        session, j = divmod(self.plays, SESSION_PLAYS)
        start, end = self.moods[min(session, len(self.moods) - 1)]
        t = j / (SESSION_PLAYS - 1)
        return tuple(s + (e - s) * t for s, e in zip(start, end, strict=True))

    def finish_probability(self, track: Track) -> float:
        logit = self.static(track)
        z = self.catalog.z(track)
        if self.kind == "switcher" and self.plays >= self.switch_at:
            logit += self._loyal(z, 1) - self._loyal(z, 0)
        elif self.kind == "mood":
            d2 = distance2(z[:MOOD_AXES], self._mood_now())
            logit += -2.2 + 4.8 * math.exp(-d2 / (2 * MOOD_WIDTH_Z ** 2))
        p = FLOOR + (CEIL - FLOOR) * _sigmoid(logit)
        if self.kind == "explorer":
            artist = track["artists"][0]["id"]
            recent = self.recent[-EXPLORER_MEMORY:]
            for age, other in enumerate(reversed(recent)):
                fresh = 1.0 - age / EXPLORER_MEMORY
                if other["artists"][0]["id"] == artist:
                    p *= 1.0 - 0.6 * fresh
                near = math.exp(-distance2(z, self.catalog.z(other))
                                / (2 * EXPLORER_SIMILAR ** 2))
                p *= 1.0 - 0.5 * near * fresh
        elif self.kind == "intro-skipper" and int(track["duration_ms"]) > self.patience_ms:
            p *= 0.3
        return p

    def skip_position(self, track: Track, p: float, k: int) -> int:
        if self.kind == "intro-skipper" and int(track["duration_ms"]) > self.patience_ms:
            return int(1000 + (INTRO_MS - 1000) * self.v[k])
        return super().skip_position(track, p, k)


def make(catalog: Catalog, kind: str, seed: int, index: int, plays: int,
         blind: bool = False) -> Listener:
    """Listener `index` of `kind`: its taste, draws and picks depend on (seed, index) only;
    `blind`: the same listener without its per-track noise (for the oracle-z policy)."""
    key = f"recsys:{seed}:{index}"
    draws = random.Random(f"{key}:draws")
    u = [draws.random() for _ in range(plays)]
    v = [draws.random() for _ in range(plays)]
    rng = random.Random(f"{key}:taste")
    sessions = (plays + SESSION_PLAYS - 1) // SESSION_PLAYS
    listener: Listener
    if kind == "classic":
        classic = ClassicListener(kind, catalog, u, v, key)
        classic.draw(rng, sessions)
        listener = classic
    elif kind in KINDS:
        latent = LatentListener(kind, catalog, u, v, key)
        latent.draw(rng, sessions, plays)
        listener = latent
    else:
        raise ValueError(f"unknown listener kind {kind!r}")
    listener.blind = blind
    listener.picks = listener._choose_picks()
    return listener
