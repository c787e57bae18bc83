"""Rank candidate tracks for a user: model score, cold-start priors, exploration, the
item-to-item memory of recent plays (session.py), filters, artist spacing, and a short
plain-words reason per track.

Deterministic: no randomness beyond crc32-seeded noise, ties broken by track id.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, NamedTuple

from . import features
from .features import FEATURE_NAMES, active, genre_families, shared_vector
from .labels import setting
from .model import DAY_MS, Evaluation, UserModel, artist_keys
from .session import Memory, RowCell

COLD_START_K = 20.0  # interactions at which onboarding picks and popularity weigh half
FAVORITE_BONUS = 0.25
POPULARITY_BONUS = 0.15
NOISE = 0.05  # hash-seeded jitter (× exploration) so near-ties rotate as the model learns
MEMORY_GAIN = 1.0  # weight of the item-to-item memory (session.Memory), probability units
ARTIST_WINDOW = 10
ARTIST_MAX = 2
ARTIST_GAP = 3  # and never within this many positions of itself (back-to-back tires)

# What a strongly weighted feature says about a track, in words.
_PHRASES: dict[str, str] = {
    "energy": "More like the high-energy tracks you played to the end",
    "energy_high": "More like the high-energy tracks you played to the end",
    "angry_energetic": "Intense, like the tracks you played to the end",
    "happy_energetic": "Upbeat and energetic, like the tracks you finish",
    "dance_energy": "Danceable and lively, like the tracks you finish",
    "danceability": "Danceable, like the tracks you finish",
    "energy_low": "Calm, like the tracks you keep listening to",
    "happy_calm": "Mellow and bright, like the tracks you finish",
    "sad_calm": "Quiet and moody, like the tracks you finish",
    "acousticness": "Acoustic, like the tracks you play to the end",
    "instrumentalness": "Instrumental, like the tracks you play to the end",
    "speechiness": "Vocal-forward, like the tracks you finish",
    "liveness": "A live feel, like the tracks you finish",
    "valence": "Upbeat, like the tracks you finish",
    "valence_high": "Upbeat, like the tracks you finish",
    "valence_low": "Moody, like the tracks you finish",
    "loudness": "Loud, like the tracks you play to the end",
    "popularity": "Popular right now",
    "explicit": "Unfiltered, like the tracks you finish",
    # from Encore's own audio analysis (local and Subsonic tracks)
    "brightness": "Bright and crisp, like the tracks you finish",
    "brightness_high": "Bright and crisp, like the tracks you finish",
    "brightness_low": "Warm and mellow-toned, like the tracks you finish",
    "rhythm_strength": "A strong, steady beat, like the tracks you finish",
    "rhythm_high": "A strong, steady beat, like the tracks you finish",
    "rhythm_low": "Loose and free-flowing, like the tracks you finish",
    "tempo_70": "Slow, like the tracks you finish",
    "tempo_95": "Unhurried, like the tracks you finish",
    "tempo_120": "Mid-tempo, like the tracks you finish",
    "tempo_145": "Up-tempo, like the tracks you finish",
    "tempo_170": "Fast, like the tracks you finish",
    "key_x": "In a key you keep coming back to",
    "key_y": "In a key you keep coming back to",
}
_PHRASE_PREFIXES = (
    ("tempo_", "In the tempo range you keep listening to"),
    ("era_", "From an era you keep coming back to"),
    ("timbre_", "With the sound of the tracks you finish"),
)

# Qualities a reason may name two of ("Slow and acoustic, like the tracks you finish"): the
# feature, its word, the axis the word lies on, the measurement it comes from (the track must
# have it: no claim from a neutral fill) and the feature value from which the track has the
# quality. Two words on one axis are never paired (no "Slow and unhurried", no "Calm and
# loud"), nor the pairs in _CLASHES; compound phrases ("Upbeat and energetic") stand alone.
_QUALITIES: dict[str, tuple[str, str, str, float]] = {
    "tempo_70": ("slow", "tempo", "tempo", 0.5),
    "tempo_95": ("unhurried", "tempo", "tempo", 0.5),
    "tempo_120": ("mid-tempo", "tempo", "tempo", 0.5),
    "tempo_145": ("up-tempo", "tempo", "tempo", 0.5),
    "tempo_170": ("fast", "tempo", "tempo", 0.5),
    "energy": ("high-energy", "energy", "energy", 0.6),
    "energy_high": ("high-energy", "energy", "energy", 0.5),
    "energy_low": ("calm", "energy", "energy", 0.5),
    "loudness": ("loud", "energy", "loudness", 0.85),
    "danceability": ("danceable", "rhythm", "danceability", 0.6),
    "rhythm_strength": ("rhythmic", "rhythm", "rhythm_strength", 0.6),
    "rhythm_high": ("rhythmic", "rhythm", "rhythm_strength", 0.5),
    "rhythm_low": ("free-flowing", "rhythm", "rhythm_strength", 0.5),
    "valence": ("upbeat", "mood", "valence", 0.6),
    "valence_high": ("upbeat", "mood", "valence", 0.5),
    "valence_low": ("moody", "mood", "valence", 0.5),
    "acousticness": ("acoustic", "acoustic", "acousticness", 0.6),
    "instrumentalness": ("instrumental", "voice", "instrumentalness", 0.6),
    "speechiness": ("vocal-forward", "voice", "speechiness", 0.6),
    "liveness": ("live-sounding", "live", "liveness", 0.6),
    "brightness": ("bright", "tone", "brightness", 0.6),
    "brightness_high": ("bright", "tone", "brightness", 0.5),
    "brightness_low": ("warm-toned", "tone", "brightness", 0.5),
}
_CLASHES = frozenset(frozenset(pair) for pair in (
    ("calm", "fast"), ("calm", "up-tempo"), ("calm", "danceable"), ("calm", "rhythmic")))
PAIR_SHARE = 0.5  # the second quality lifts the score at least half as much as the first


@dataclass(slots=True)
class _Scored:
    """A candidate's score, with what its reason is said from (only the tracks a ranking
    returns get a reason: the words cost more than the score)."""

    track: dict[str, Any]
    total: float
    artists: list[str]
    ev: Evaluation
    favorite: str | None
    popularity: float
    explore: float
    order: tuple[float, str]  # (-total, track id): best first, ties by id


class _Facts(NamedTuple):
    """What ranking reads from a track besides its score, none of which a play changes: read
    once per track the model worker holds (features.hold), since the page re-ranks the same
    pool after every play."""

    track: dict[str, Any]
    track_id: str
    artists: list[str]
    explicit: bool
    families: list[str]
    popularity: float
    id_crc: int  # crc32 of "<id>|", which the jitter continues with the model's salt
    vector: list[float]
    active: tuple[int, ...]
    memory: RowCell  # its memory row, kept with the facts of a held track


def _read(track: Any) -> _Facts | None:
    """A candidate's facts; None for what is not a track with a string id (any JSON comes)."""
    track_id = track.get("id") if isinstance(track, dict) else None
    if not isinstance(track_id, str) or not track_id:
        return None
    pop = track.get("popularity")
    popularity = float(pop) / 100.0 if isinstance(pop, int | float) and 0 <= pop <= 100 else 0.0
    vector = shared_vector(track)
    return _Facts(track, track_id, artist_keys(track), track.get("explicit") is True,
                  genre_families(track.get("genres")), popularity,
                  zlib.crc32(f"{track_id}|".encode("utf-8", "surrogatepass")),
                  vector, active(vector), RowCell())


def _facts(candidates: list[Any]) -> list[_Facts]:
    """The candidates' facts (what is not a track left out), kept in the held ones' slots."""
    out = []
    for track, slot in zip(candidates, features.derived(candidates), strict=True):
        found = slot[0] if slot is not None else None
        if found is None:
            found = _read(track)
            if slot is not None:
                slot[0] = found
        if found is not None:
            out.append(found)
    return out


def _feature_phrase(name: str) -> str | None:
    if name.startswith("genre_") and not name.startswith("genre_other"):
        return f"More {name[6:]}, which you tend to play to the end"
    if name in _PHRASES:
        return _PHRASES[name]
    for prefix, phrase in _PHRASE_PREFIXES:
        if name.startswith(prefix):
            return phrase
    return _PHRASES.get(name)


_DESCRIBABLE = tuple(_feature_phrase(name) is not None for name in FEATURE_NAMES)
_PAIRABLE = tuple((i, *_QUALITIES[name]) for i, name in enumerate(FEATURE_NAMES)
                  if name in _QUALITIES)


def _measured(track: dict[str, Any], name: str) -> bool:
    features = track.get("features")
    value = features.get(name) if isinstance(features, dict) else None
    return isinstance(value, int | float) and not isinstance(value, bool)


def _learned_reason(model: UserModel, ev: Evaluation, track: dict[str, Any]) -> str | None:
    """The phrase for the describable feature that lifts this track's score the most; or,
    when a second quality of the track lifts it at least PAIR_SHARE as much and goes with
    the first, both in words ("Slow and acoustic, like the tracks you finish")."""
    weights, x = model.learner.weights, ev.vector
    best, best_i = 0.0, -1
    for i in active(x):  # a zero entry lifts nothing
        if _DESCRIBABLE[i] and weights[i] * x[i] > best:
            best, best_i = weights[i] * x[i], i
    if best_i < 0:
        return None
    name = FEATURE_NAMES[best_i]
    first = _QUALITIES.get(name)
    if first is None or x[best_i] < first[3] or not _measured(track, first[2]):
        return _feature_phrase(name)
    floor, second, word = PAIR_SHARE * best, 0.0, ""
    for i, other, axis, measure, least in _PAIRABLE:
        lift = weights[i] * x[i]
        if (lift >= floor and lift > second and axis != first[1] and x[i] >= least
                and frozenset((first[0], other)) not in _CLASHES and _measured(track, measure)):
            second, word = lift, other
    if not word:
        return _feature_phrase(name)
    return f"{first[0][:1].upper()}{first[0][1:]} and {word}, like the tracks you finish"


def _reason(model: UserModel, ev: Evaluation, track: dict[str, Any], favorite: str | None,
            popularity: float, cold: float, explore: float) -> str:
    if model.interactions == 0 or cold > 0.5:
        if favorite is not None:
            return f"Because you picked {favorite}"
        if popularity >= 0.6:
            return "Popular right now"
        return "Something new to explore"
    if explore > ev.score - 0.5:
        return "Something new to explore"
    learned = _learned_reason(model, ev, track)
    if learned is not None:
        return learned
    return "Popular right now" if popularity >= 0.6 else "Something new to explore"


def _favorites(settings: dict[str, Any] | None) -> list[str]:
    picks = setting(settings, "favorite_genres")
    return [g for g in genre_families(list(picks) if isinstance(picks, list) else [])
            if not g.startswith("other:")]


def _cold(model: UserModel) -> float:
    """How much the cold-start priors still weigh: 1 for a new listener, fading with plays."""
    return COLD_START_K / (COLD_START_K + model.interactions)


def _score_all(model: UserModel, candidates: list[dict[str, Any]],
               settings: dict[str, Any] | None, now_ms: int) -> list[_Scored]:
    allow_explicit = bool(setting(settings, "allow_explicit"))
    exploration = float(setting(settings, "exploration"))
    exploration = 0.0 if exploration < 0.0 else 1.0 if exploration > 1.0 else exploration
    favorites = _favorites(settings)
    blocked = {t for t, at in model.recent_skips if now_ms - at < DAY_MS}
    blocked.update(model.disliked)
    # never replay a track at once (plays older than a day no longer count)
    blocked.update(t for t, _, at in model.recent_plays if now_ms - at < DAY_MS)
    taste = None if model.taste.excludes_nothing() else model.taste
    kept: list[_Facts] = []
    for facts in _facts(candidates):
        if facts.track_id in blocked:
            continue
        if taste is not None and taste.excludes(facts.track_id, facts.artists):
            continue  # the listener blocked the artist or forgot the track or artist
        if facts.explicit and not allow_explicit:
            continue
        blocked.add(facts.track_id)  # a track offered twice is scored once
        kept.append(facts)
    vectors = [facts.vector for facts in kept]
    evaluations = model.evaluate_many(vectors, [facts.active for facts in kept])
    recall = Memory.of(model.lessons)
    # new rows computed together
    nears = recall.many(vectors, [facts.memory for facts in kept]) if recall else None
    cold = _cold(model)
    salt = model.applied_through.encode("utf-8", "surrogatepass")
    out: list[_Scored] = []
    for k, (facts, ev) in enumerate(zip(kept, evaluations, strict=True)):
        favorite = None
        for genre in favorites:
            if genre in facts.families:
                favorite = genre
                break
        popularity = facts.popularity
        prior = cold * ((FAVORITE_BONUS if favorite is not None else 0.0)
                        + POPULARITY_BONUS * popularity)
        # the jitter: uniform-looking in [-0.5, 0.5) and the same on every platform, the crc32
        # of "<track id>|<salt>" continued from the id's (inline: it runs for every candidate)
        noise = zlib.crc32(salt, facts.id_crc) / 4294967296.0 - 0.5
        explore = exploration * (ev.uncertainty + NOISE * noise)
        total = ev.score + prior + explore
        if nears is not None:
            total += MEMORY_GAIN * nears[k]
        out.append(_Scored(facts.track, total, facts.artists, ev, favorite, popularity,
                           explore, (-total, facts.track_id)))
    return out


def _space_artists(ordered: list[_Scored], limit: int,
                   played: list[list[str]]) -> list[_Scored]:
    """Greedy: take the best track that keeps every artist at most ARTIST_MAX times in any
    ARTIST_WINDOW consecutive positions and out of the ARTIST_GAP positions after its last,
    counting the recent plays (oldest first) as the positions before the first. If nothing
    fits, the oldest play is forgotten first; with no plays left to forget, the best track
    left is placed anyway. Spacing orders the list, it never hides a song: a small library
    with two songs by one artist offers both, the second as late as it can."""
    history = [list(keys) for keys in played[-(ARTIST_WINDOW - 1):]]
    placed: list[_Scored] = []
    pending = list(ordered)
    while len(placed) < limit and pending:
        window = ARTIST_WINDOW - 1
        before = (history + [item.artists for item in placed[-window:]])[-window:]
        counts: dict[str, int] = {}
        for keys in before:
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
        near = {key for keys in before[max(0, len(before) - ARTIST_GAP):] for key in keys}
        for i, item in enumerate(pending):
            if all(counts.get(key, 0) < ARTIST_MAX and key not in near
                   for key in item.artists):
                placed.append(pending.pop(i))
                break
        else:
            if history:
                history.pop(0)
            else:
                placed.append(pending.pop(0))
    return placed


def rank(model: UserModel, candidates: list[dict[str, Any]], settings: dict[str, Any] | None,
         limit: int, now_ms: int) -> list[dict[str, Any]]:
    """Best-first new track dicts with `score` and `reason` added (at most `limit`)."""
    scored = _score_all(model, candidates, settings, now_ms)
    scored.sort(key=attrgetter("order"))
    cold = _cold(model)
    return [{**s.track, "score": s.total,
             "reason": _reason(model, s.ev, s.track, s.favorite, s.popularity, cold, s.explore)}
            for s in _space_artists(scored, max(0, limit),
                                    [keys for _, keys, at in model.recent_plays
                                     if now_ms - at < DAY_MS])]


def rank_ids(model: UserModel, candidates: list[dict[str, Any]],
             settings: dict[str, Any] | None, limit: int,
             now_ms: int) -> tuple[list[str], list[float]]:
    """rank(), reduced to (track_ids, scores) for the model service."""
    ranked = rank(model, candidates, settings, limit, now_ms)
    return [str(t["id"]) for t in ranked], [float(t["score"]) for t in ranked]
