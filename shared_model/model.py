"""A user's model: the online learner, an optional tree ensemble, and what ranking must
remember (recent plays and skips, dislikes, per-genre tallies for the reasons), as one snapshot.

Interactions apply in their sort order f"{at:013d}#{id}"; anything at or before
`applied_through` is ignored, so replays are no-ops and server and browser converge.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import forest
from .detmath import sigmoids
from .features import (
    FEATURE_INDEX,
    FEATURE_SCHEMA_VERSION,
    GENRES,
    N_FEATURES,
    active,
    shared_vector,
)
from .labels import label, setting
from .learner import Learner
from .session import MAX_LESSONS, Lesson, Sketch
from .taste import Taste

SNAPSHOT_VERSION = "1.3"  # major.minor; a new major means an incompatible layout
# 1.1 added recent_plays; a 1.0 snapshot reads as one with no recent plays.
# 1.2 added taste (the listener's corrections); an older snapshot reads as one with none.
# 1.3 added lessons (session.py); an older snapshot reads as one with none.
DAY_MS = 86_400_000
MAX_RECENT_SKIPS = 500
MAX_RECENT_PLAYS = 9  # ARTIST_WINDOW - 1: what ranking's artist spacing looks back over
MAX_DISLIKED = 1000
ENSEMBLE_MAX_WEIGHT = 0.7
ENSEMBLE_HALF_AT = 50  # examples at which the ensemble gets half its maximum weight
MAX_REMEMBERED_EVALUATIONS = 4096  # vectors whose evaluation a model keeps (a pool: 200-1,000)
FAVORITE_PRIOR = 0.4  # initial learner weight for a genre picked at onboarding
# The learner's prior precision per weight for a listener whose onboarding picks seed it
# (learner.PRIOR_PRECISION, 1, without): the picks are evidence, so the learner starts surer
# and moves less per play, and one early skip of a picked genre nudges the belief instead of
# overturning it. A listener without picks has only their own plays, which must move the
# model fast (docs/quality.md v6-v7: the tight prior for everyone left those listeners behind).
PICKED_PRIOR_PRECISION = 10.0


def artist_keys(track: dict[str, Any] | None) -> list[str]:
    """A track's artists as ids (names when an id is missing), without duplicates."""
    keys: list[str] = []
    artists = (track or {}).get("artists")
    for artist in artists if isinstance(artists, list) else []:
        if isinstance(artist, dict):
            key = artist.get("id") or artist.get("name")
            if isinstance(key, str) and key not in keys:
                keys.append(key)
    return keys


def sort_key(interaction: dict[str, Any]) -> str:
    """The order interactions apply in: `at` (13-digit ms), then `id`."""
    return f"{int(interaction.get('at') or 0):013d}#{interaction.get('id', '')}"


@dataclass(slots=True)
class Evaluation:
    """Why a track scores what it scores (ranking reads this for its reasons)."""

    score: float  # blended probability the user plays it to the end
    uncertainty: float  # on the same probability scale
    linear: float
    ensemble: float | None
    vector: list[float]


@dataclass
class UserModel:
    learner: Learner
    ensemble: dict[str, Any] | None = None
    trained_on: int = 0
    applied_through: str = ""
    interactions: int = 0  # interactions that taught the learner something
    recent_skips: list[tuple[str, int]] = field(default_factory=list)  # (track_id, at)
    # The last plays, oldest first, as (track_id, artist keys, at): ranking spaces artists
    # across what was just played and what comes next, and does not replay a track at once.
    recent_plays: list[tuple[str, list[str], int]] = field(default_factory=list)
    disliked: list[str] = field(default_factory=list)
    genre_stats: dict[str, list[float]] = field(default_factory=dict)  # genre -> [pos, neg]
    taste: Taste = field(default_factory=Taste)  # the listener's corrections (taste.py)
    lessons: list[Lesson] = field(default_factory=list)  # the last labelled plays (session.py)
    # evaluate_many's answers for what it was last asked, by the vector's identity, and the
    # learner, its update count and the forest they were computed with (held, so never reused);
    # kept only where asked (the page's worker, `Device`): a server's cached models would each
    # hold ~120 KB more for a 650-track catalog, outside what its cache counts
    remembers_evaluations: bool = field(default=False, init=False, repr=False, compare=False)
    _evaluated: dict[int, Evaluation] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _evaluated_by: tuple[Any, ...] = field(default=(), init=False, repr=False, compare=False)

    @classmethod
    def new(cls, settings: dict[str, Any] | None = None,
            corrections: Iterable[dict[str, Any]] = ()) -> UserModel:
        """A fresh model; onboarding genre picks start as a (learnable) positive prior.
        `corrections` (all of them, any order) filter what the model learns from then on."""
        return cls(_fresh_learner(settings), taste=Taste.fold(corrections))

    # -- learning ---------------------------------------------------------------------
    def learn(self, interaction: dict[str, Any], track: dict[str, Any] | None,
              settings: dict[str, Any] | None) -> None:
        """Apply one interaction (ignored if at or before applied_through)."""
        key = sort_key(interaction)
        if key <= self.applied_through:
            return
        self.applied_through = key
        at = int(interaction.get("at") or 0)
        track_id = str(interaction.get("track_id", ""))
        if not self.taste.admits(at, track_id, artist_keys(track)):
            return  # forgotten or reset: as if it never happened
        kind = interaction.get("type")
        if kind in ("skipped", "disliked"):
            self.recent_skips.append((track_id, at))
        self._played(track_id, track, at)
        cutoff = at - DAY_MS
        # in time order (learned in order): only the front can be a day old, so the list is
        # rebuilt only when something leaves it (a flood rebuilt 500 entries per play)
        if self.recent_skips and self.recent_skips[0][1] <= cutoff:
            self.recent_skips = [(t, a) for t, a in self.recent_skips if a > cutoff]
        del self.recent_skips[:-MAX_RECENT_SKIPS]
        if not self.taste.learning(at):
            return  # a private session: a play, but no lesson
        if kind == "disliked" and track_id not in self.disliked:
            self.disliked.append(track_id)
            del self.disliked[:-MAX_DISLIKED]
        target, weight = label(interaction, settings)
        if track is None or weight <= 0.0:
            return
        x = shared_vector(track)
        before = self.learner.update(x, target, weight, active(x))
        surprise = weight * (target - before)
        self.lessons.append(Lesson(track_id, Sketch.of(x), surprise, at))
        del self.lessons[:-MAX_LESSONS]
        self.interactions += 1
        first = FEATURE_INDEX[f"genre_{GENRES[0]}"]
        for genre, xi in zip(GENRES, x[first:first + len(GENRES)], strict=True):
            if xi:
                stats = self.genre_stats.setdefault(genre, [0.0, 0.0])
                stats[0 if target >= 0.5 else 1] += weight

    def _played(self, track_id: str, track: dict[str, Any] | None, at: int) -> None:
        """Every interaction type is a play; a second one on the same track (liked after
        finished) is the same play."""
        if self.recent_plays and self.recent_plays[-1][0] == track_id:
            return
        self.recent_plays.append((track_id, artist_keys(track), at))
        del self.recent_plays[:-MAX_RECENT_PLAYS]

    def learn_many(self, interactions: Iterable[dict[str, Any]],
                   tracks_by_id: dict[str, dict[str, Any]],
                   settings: dict[str, Any] | None) -> None:
        """Apply interactions in sort order (at, then id)."""
        for interaction in sorted(interactions, key=sort_key):
            self.learn(interaction, tracks_by_id.get(str(interaction.get("track_id"))),
                       settings)

    def correct(self, correction: dict[str, Any], settings: dict[str, Any] | None) -> bool:
        """Take a correction now (taste.py): filters apply at once and a reset starts afresh.
        True when the learned weights still hold what it forgets, which only a replay of the
        history (on the server) removes."""
        needs_replay = self.taste.apply(correction)
        kind, target = correction.get("kind"), str(correction.get("target") or "")
        at = int(correction.get("at") or 0)
        if kind == "reset":
            self.learner, self.ensemble, self.trained_on = _fresh_learner(settings), None, 0
            self.interactions = 0
            self.recent_skips, self.recent_plays, self.disliked = [], [], []
            self.genre_stats, self.lessons = {}, []
            return False
        if kind in ("forget_track", "forget_artist"):
            def gone(track_id: str, artists: list[str] | None = None) -> bool:
                if kind == "forget_track":
                    return track_id == target
                return artists is not None and target in artists

            self.recent_plays = [p for p in self.recent_plays if not gone(p[0], p[1])]
            self.recent_skips = [s for s in self.recent_skips if not gone(s[0])]
            self.disliked = [t for t in self.disliked if not gone(t)]
            # lessons keep no artists: forgetting an artist forgets every lesson
            self.lessons = [] if kind == "forget_artist" else [
                lesson for lesson in self.lessons if not gone(lesson.track_id)]
        if kind in ("pause", "resume"):  # only plays already learned after it need a replay
            return self.applied_through > f"{at:013d}"
        return needs_replay and self.interactions > 0

    def set_ensemble(self, exported: dict[str, Any] | None, trained_on: int) -> None:
        if exported is not None:
            forest.validate(exported, N_FEATURES)
        self.ensemble = exported
        self.trained_on = int(trained_on) if exported is not None else 0

    # -- scoring ----------------------------------------------------------------------
    def ensemble_weight(self) -> float:
        if self.ensemble is None:
            return 0.0
        return ENSEMBLE_MAX_WEIGHT * self.trained_on / (self.trained_on + ENSEMBLE_HALF_AT)

    def evaluate(self, track: dict[str, Any]) -> Evaluation:
        x = shared_vector(track)
        return self.evaluate_many([x], [active(x)])[0]

    def evaluate_many(self, vectors: list[list[float]],
                      actives: list[tuple[int, ...]]) -> list[Evaluation]:
        """evaluate() of the tracks whose shared vectors (features.shared_vector: never
        changed) are `vectors`, with their non-zero entries `actives`: in one pass, since a
        ranking asks it of every candidate. What nothing changed since is answered as it was
        (the same bits): the page re-ranks the pool it holds with nothing learned in between
        after a new feed, a correction, or going offline or online, and scores depend only on
        the learner (changed in place by each lesson, replaced by a reset) and the forest."""
        if not self.remembers_evaluations:
            return self._evaluate_all(vectors, actives)
        learner, ensemble, remembered = self.learner, self.ensemble, self._evaluated
        by = self._evaluated_by
        if (not by or by[0] is not learner or by[1] != learner.updates or by[2] is not ensemble
                or by[3] != self.trained_on):
            remembered.clear()
            self._evaluated_by = (learner, learner.updates, ensemble, self.trained_on)
        if not remembered and len(vectors) <= MAX_REMEMBERED_EVALUATIONS:
            # after a play: everything anew, nothing to look up
            evaluations = self._evaluate_all(vectors, actives)
            remembered.update(zip(map(id, vectors), evaluations, strict=True))
            return evaluations
        found = [remembered.get(id(x)) for x in vectors]
        new = [k for k, (x, ev) in enumerate(zip(vectors, found, strict=True))
               if ev is None or ev.vector is not x]
        if new:
            if len(remembered) + len(new) > MAX_REMEMBERED_EVALUATIONS:
                remembered.clear()
            for k, ev in zip(new, self._evaluate_all([vectors[k] for k in new],
                                                     [actives[k] for k in new]), strict=True):
                found[k] = remembered[id(vectors[k])] = ev
        return found  # type: ignore[return-value]  # every None was filled

    def _evaluate_all(self, vectors: list[list[float]],
                      actives: list[tuple[int, ...]]) -> list[Evaluation]:
        sums = self.learner.logit_variances(vectors, actives)
        linears = sigmoids([logit for logit, _ in sums])
        ensemble, a = self.ensemble, self.ensemble_weight()
        parts = forest.predict_proba_shared(ensemble, vectors) if ensemble is not None else None
        out = []
        for k, linear in enumerate(linears):
            # the spread is linear * (1 - linear) * learner.uncertainty(x)
            spread = linear * (1.0 - linear) * math.sqrt(sums[k][1])
            if parts is None:
                out.append(Evaluation(linear, spread, linear, None, vectors[k]))
            else:
                ens = parts[k]
                out.append(Evaluation((1.0 - a) * linear + a * ens, spread, linear, ens,
                                      vectors[k]))
        return out

    def score(self, track: dict[str, Any]) -> tuple[float, float]:
        """(probability-like score, uncertainty), both on a 0..1 scale."""
        ev = self.evaluate(track)
        return ev.score, ev.uncertainty

    # -- snapshot ---------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SNAPSHOT_VERSION,
            "feature_version": FEATURE_SCHEMA_VERSION,
            "learner": self.learner.to_dict(),
            "ensemble": self.ensemble,
            "trained_on": self.trained_on,
            "applied_through": self.applied_through,
            "interactions": self.interactions,
            "recent_skips": [[t, a] for t, a in self.recent_skips],
            "recent_plays": [[t, list(ar), a] for t, ar, a in self.recent_plays],
            "disliked": list(self.disliked),
            "genre_stats": {g: list(v) for g, v in self.genre_stats.items()},
            "taste": self.taste.to_dict(),
            "lessons": [lesson.to_list() for lesson in self.lessons],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> UserModel:
        """Rebuild from to_dict(); ValueError on an unknown major or feature version."""
        version = str(d.get("schema_version", ""))
        if version.split(".")[0] != SNAPSHOT_VERSION.split(".")[0]:
            raise ValueError(f"unsupported model snapshot version {version!r}")
        if d.get("feature_version") != FEATURE_SCHEMA_VERSION:
            raise ValueError("snapshot uses another feature schema; rebuild from interactions")
        model = cls(Learner.from_dict(d["learner"], N_FEATURES))
        model.set_ensemble(d.get("ensemble"), int(d.get("trained_on", 0)))
        model.applied_through = str(d.get("applied_through", ""))
        model.interactions = int(d.get("interactions", 0))
        model.recent_skips = [(str(t), int(a)) for t, a in d.get("recent_skips", [])]
        model.recent_plays = [(str(t), [str(k) for k in ar], int(a))
                              for t, ar, a in d.get("recent_plays", [])]
        model.disliked = [str(t) for t in d.get("disliked", [])]
        model.genre_stats = {str(g): [float(v[0]), float(v[1])]
                             for g, v in d.get("genre_stats", {}).items()}
        model.taste = Taste.from_dict(d.get("taste"))
        model.lessons = [Lesson.from_list(item) for item in d.get("lessons", [])]
        return model


def _fresh_learner(settings: dict[str, Any] | None) -> Learner:
    """A new learner; onboarding genre picks start as a (learnable) positive prior, held
    with PICKED_PRIOR_PRECISION. (A stored learner keeps the precisions it was built and
    taught with: they travel in the snapshot.)"""
    prior = [0.0] * N_FEATURES
    for genre in setting(settings, "favorite_genres") or []:
        index = FEATURE_INDEX.get(f"genre_{str(genre).lower()}")
        if index is not None:
            prior[index] = FAVORITE_PRIOR
    if any(prior):
        return Learner.new(N_FEATURES, prior, PICKED_PRIOR_PRECISION)
    return Learner.new(N_FEATURES, prior)


def encode(model: UserModel) -> bytes:
    """Compact JSON, zlib-compressed: what the store and GET /api/model carry."""
    text = json.dumps(model.to_dict(), separators=(",", ":"), sort_keys=True)
    return zlib.compress(text.encode("utf-8"), 9)


def decode(data: bytes) -> UserModel:
    return UserModel.from_dict(json.loads(zlib.decompress(data).decode("utf-8")))


def training_examples(interactions: Iterable[dict[str, Any]],
                      tracks_by_id: dict[str, dict[str, Any]],
                      settings: dict[str, Any] | None,
                      corrections: Iterable[dict[str, Any]] = ()
                      ) -> list[tuple[list[float], float, float]]:
    """(vector, target, weight) per labelled interaction with a known track, in sort order;
    what the listener's corrections forget or a private session kept back is left out."""
    examples: list[tuple[list[float], float, float]] = []
    seen: set[str] = set()
    # one vector per track, however often it was played: its memo key costs more than the
    # copy (5,000 plays of 646 tracks: about half of this function's time)
    vectors: dict[str, list[float]] = {}
    taste = Taste.fold(corrections)
    for interaction in sorted(interactions, key=sort_key):
        ident = str(interaction.get("id", ""))
        if ident in seen:
            continue
        seen.add(ident)
        track_id = str(interaction.get("track_id", ""))
        track = tracks_by_id.get(track_id)
        at = int(interaction.get("at") or 0)
        if not taste.admits(at, track_id, artist_keys(track)) or not taste.learning(at):
            continue
        if track is None:
            continue
        target, weight = label(interaction, settings)
        if weight > 0.0:
            vector = vectors.get(track_id)
            if vector is None:
                vector = vectors[track_id] = shared_vector(track)
            examples.append((list(vector), target, weight))
    return examples
