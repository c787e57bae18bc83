"""The policies bench/recsys.py compares: each picks the next track from what is left.

A policy is made per listener, is asked `choose(remaining, now_ms)` and is told the
outcome with `observe(track, interaction)`; `session_start()` comes before the first play of
every session. Only the oracle sees the listener.
"""

from __future__ import annotations

import json
import random
from typing import Any, Protocol

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from backend.training import train_ensemble
from shared_model import DEFAULT_SETTINGS, N_FEATURES, UserModel, training_examples, vectorize
from shared_model.device import Device, rank_feed

from .listeners import Listener

Track = dict[str, Any]
SEED_TREES = 50
TRAIN_EVERY = 25  # the server's ENCORE_TRAIN_EVERY default
POOL = 200  # the page asks /api/feed?limit=30&pool=200
QUEUE_LENGTH = 30  # pwa/src/page/queue.js: what the worker re-ranks to


class Policy(Protocol):
    def session_start(self) -> None: ...

    def choose(self, remaining: list[Track], now_ms: int) -> Track: ...

    def observe(self, track: Track, interaction: dict[str, Any]) -> None: ...


class _Stateless:
    def session_start(self) -> None:
        pass

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        pass


class RandomPolicy(_Stateless):
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        return self.rng.choice(remaining)


class PopularityPolicy(_Stateless):
    """The most popular track not yet played: the same list for everyone."""

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        return min(remaining, key=lambda t: (-t["popularity"], t["id"]))


class OraclePolicy(_Stateless):
    """Knows the hidden taste, fatigue and mood: the best possible next pick."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        p = self.listener.finish_probability
        return min(remaining, key=lambda t: (-p(t), t["id"]))


class BlindOraclePolicy(OraclePolicy):
    """Knows the taste, fatigue and mood but not the per-track noise (a twin listener without
    it, kept in step): about the best any recommender that learns the taste could do."""

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        self.listener.note(track)


class SeedForestPolicy(_Stateless):
    """The seed report's method: a random forest (SEED_TREES trees, sklearn defaults
    otherwise) retrained on the whole history after every interaction, over the whole
    catalog left, playing the highest predicted finish probability (ties at random). It
    gets Encore's feature vector (genres included) and, before it has seen a finish and a
    skip, plays at random among the listener's onboarding picks (or the whole catalog)."""

    def __init__(self, rng: random.Random, picks: list[str] | None = None) -> None:
        self.rng = rng
        self.picks = set(picks or [])
        self.X: list[list[float]] = []
        self.y: list[int] = []
        self.forest: RandomForestClassifier | None = None
        self._rows: dict[str, int] = {}
        self._matrix = np.zeros((0, N_FEATURES))

    def _vectors(self, tracks: list[Track]) -> np.ndarray:
        new = [t for t in tracks if t["id"] not in self._rows]
        if new:
            for t in new:
                self._rows[t["id"]] = len(self._rows)
            self._matrix = np.vstack([self._matrix, np.array([vectorize(t) for t in new])])
        return self._matrix[[self._rows[t["id"]] for t in tracks]]

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        if self.forest is None:
            liked = [t for t in remaining if self.picks & set(t["genres"])]
            return self.rng.choice(liked or remaining)
        proba = self.forest.predict_proba(self._vectors(remaining))[:, 1]
        best = np.flatnonzero(proba >= proba.max() - 1e-12)
        return remaining[int(best[self.rng.randrange(len(best))])]

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        self.X.append(vectorize(track))
        self.y.append(1 if interaction["type"] == "finished" else 0)
        if 0 < sum(self.y) < len(self.y):
            self.forest = RandomForestClassifier(
                n_estimators=SEED_TREES, random_state=self.rng.randrange(2**31), n_jobs=1)
            self.forest.fit(np.array(self.X), np.array(self.y))


class EncorePolicy:
    """Encore as a listener meets it in the browser.

    The server keeps the user's model (learns every interaction, trains the scikit-learn
    forest every TRAIN_EVERY interactions, as backend/model_service.py does). At the start
    of each session the page loads: GET /api/feed ranks everything left on the server
    (shared_model.device.rank_feed, as the model service does) and hands back a pool of
    POOL; the worker (shared_model.device.Device, through the same JSON calls as
    pwa/src/model-worker/worker.js) loads GET /api/model's answer with the user's settings
    (favourite genres included). After every play the worker learns the interaction and
    re-ranks what is left of the pool to QUEUE_LENGTH; the top plays next.
    """

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = {**DEFAULT_SETTINGS, **(settings or {})}
        self.server = UserModel.new(self.settings)
        self.device = Device()
        self.history: list[dict[str, Any]] = []
        self.tracks: dict[str, Track] = {}
        self.pool: list[Track] = []
        self.done: set[str] = set()
        self.loaded = False

    def session_start(self) -> None:
        self.loaded = False

    def _open_app(self, remaining: list[Track], now_ms: int) -> None:
        self.pool = rank_feed(self.server, remaining, self.settings, POOL, now_ms)
        self.done = set()
        answer = {"model_version": len(self.history), "snapshot": self.server.to_dict()}
        self._call("load", {"snapshot": answer, "settings": self.settings})
        self.loaded = True

    def _call(self, action: str, payload: dict[str, Any]) -> Any:
        return json.loads(self.device.handle(action, json.dumps(payload)))

    def choose(self, remaining: list[Track], now_ms: int) -> Track:
        if not self.loaded:
            self._open_app(remaining, now_ms)
        candidates = [t for t in self.pool if t["id"] not in self.done]
        if not candidates:  # the pool ran out: the page asks for a new feed
            self._open_app(remaining, now_ms)
            candidates = self.pool
        ranked = self._call("rank", {"candidates": candidates, "limit": QUEUE_LENGTH,
                                     "now_ms": now_ms})
        best = ranked[0]["id"] if ranked else candidates[0]["id"]
        return next(t for t in remaining if t["id"] == best)

    def observe(self, track: Track, interaction: dict[str, Any]) -> None:
        self.done.add(track["id"])
        self.tracks[track["id"]] = track
        self.history.append(interaction)
        self._call("learn", {"interaction": interaction, "track": track})
        self.server.learn(interaction, track, self.settings)
        if len(self.history) % TRAIN_EVERY == 0:
            examples = training_examples(self.history, self.tracks, self.settings)
            self.server.set_ensemble(train_ensemble(examples), len(examples))
