"""The policies bench/recsys.py compares: each picks the next track from what is left.

A policy is made per listener, is asked `choose(remaining, now_ms)` and is told the
outcome with `observe(track, interaction)`. Only the oracle sees the listener.
"""

from __future__ import annotations

import random
from typing import Any, Protocol

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from backend.training import rebuild_model
from shared_model import DEFAULT_SETTINGS, UserModel, rank, vectorize

from .listeners import Listener

Track = dict[str, Any]
RAW_FEATURES = ("danceability", "energy", "valence", "acousticness", "instrumentalness",
                "speechiness", "liveness", "loudness", "tempo", "key", "mode")
SEED_TREES = 50


class Policy(Protocol):
    def choose(self, remaining: list[Track], now_ms: int) -> Track: ...

    def observe(self, track: Track, interaction: dict[str, Any]) -> None: ...


class RandomPolicy:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        return self.rng.choice(remaining)

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        pass


class PopularityPolicy:
    """The most popular track not yet played: the same list for everyone."""

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        return min(remaining, key=lambda t: (-t["popularity"], t["id"]))

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        pass


class OraclePolicy:
    """Knows the hidden taste, fatigue and mood: the best possible next pick."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        p = self.listener.finish_probability
        return min(remaining, key=lambda t: (-p(t), t["id"]))

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        pass


class SeedForestPolicy:
    """The seed report's method: a random forest (SEED_TREES trees, sklearn defaults
    otherwise) retrained on the whole history after every interaction, playing the
    highest predicted finish probability (ties at random); random until it has seen a
    finish and a skip. Features: the raw audio features, or Encore's vector."""

    def __init__(self, rng: random.Random, features: str = "raw") -> None:
        self.rng = rng
        self.features = features
        self.X: list[list[float]] = []
        self.y: list[int] = []
        self._vectors: dict[str, list[float]] = {}
        self.forest: RandomForestClassifier | None = None

    def _vector(self, track: Track) -> list[float]:
        cached = self._vectors.get(track["id"])
        if cached is None:
            if self.features == "encore":
                cached = vectorize(track)
            else:
                cached = [float(track["features"][name]) for name in RAW_FEATURES]
            self._vectors[track["id"]] = cached
        return cached

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        if self.forest is None:
            return self.rng.choice(remaining)
        proba = self.forest.predict_proba(np.array([self._vector(t) for t in remaining]))[:, 1]
        best = np.flatnonzero(proba >= proba.max() - 1e-12)
        return remaining[int(best[self.rng.randrange(len(best))])]

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        self.X.append(self._vector(track))
        self.y.append(1 if interaction["type"] == "finished" else 0)
        if 0 < sum(self.y) < len(self.y):
            self.forest = RandomForestClassifier(
                n_estimators=SEED_TREES, random_state=self.rng.randrange(2**31), n_jobs=1)
            self.forest.fit(np.array(self.X), np.array(self.y))


class EncorePolicy:
    """Encore as the app runs it: learn each interaction on the online model, re-rank what
    is left and play the top; every `train_every` interactions the server's background
    training replaces the model with rebuild_model(whole history)."""

    def __init__(self, tracks_by_id: dict[str, Track], settings: dict[str, Any] | None = None,
                 train_every: int = 25) -> None:
        self.settings = dict(DEFAULT_SETTINGS) if settings is None else settings
        self.tracks_by_id = tracks_by_id
        self.train_every = train_every
        self.model = UserModel.new(self.settings)
        self.history: list[dict[str, Any]] = []
        self.played_artists: list[str] = []

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        ranked = rank(self.model, remaining, self.settings, 1, now_ms)
        if not ranked:  # every candidate filtered out (cannot happen without repeats)
            return remaining[0]
        return self.tracks_by_id[ranked[0]["id"]]

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        self.history.append(interaction)
        self.played_artists.append(track["artists"][0]["id"])
        self.model.learn(interaction, track, self.settings)
        if len(self.history) % self.train_every == 0:
            self.model = rebuild_model(self.history, self.tracks_by_id, self.settings)


class SpacedEncorePolicy(EncorePolicy):
    """Diagnostic variant (not the app): Encore's ranking, but the best track whose artist
    was not among the last `gap` plays, i.e. artist spacing across what was played rather
    than only within one ranked list."""

    gap = 3

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        ranked = rank(self.model, remaining, self.settings, 30, now_ms)
        recent = set(self.played_artists[-self.gap:])
        for track in ranked:
            if track["artists"][0]["id"] not in recent:
                return self.tracks_by_id[track["id"]]
        return super().choose(remaining, now_ms)
