"""Rank candidate tracks for a user: model score, cold-start priors, exploration, the
item-to-item memory of recent plays (session.py), filters, artist spacing, and a short
plain-words reason per track.

Deterministic: no randomness beyond crc32-seeded noise, ties broken by track id.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter, lt
from typing import Any, NamedTuple

from . import features
from .features import FEATURE_NAMES, active, genre_families, shared_vector
from .labels import setting
from .learner import Learner
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
    last: _Last  # its last exact evaluation, kept with the facts of a held track


class _Last:
    """A held candidate's evaluation when it was last scored exactly (`ev`), and how far its
    listener's learner had drifted then (`by`: that learner's _Drift, `drift` its total): what
    bounds its score after later plays without scoring it (_best). `norm`: its vector's
    length, rounded up (how far a moved learner can move its logit), once asked."""

    __slots__ = ("by", "drift", "ev", "norm")

    def __init__(self) -> None:
        self.by: _Drift | None = None
        self.drift = self.norm = 0.0
        self.ev: Evaluation | None = None


def _length(vector: list[float]) -> float:
    """The vector's length, rounded up (hypot is within an ulp of it)."""
    return math.hypot(*vector) * _UP


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
                  vector, active(vector), RowCell(), _Last())


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


class _Scoring:
    """One ranking's candidates (what the filters keep) with what every candidate's score needs
    computed for all of them at once: the prior's part and the memory (the memory's rows are
    kept current for every candidate); `score` adds the learner's and the forest's part and the
    jitter for those asked (rank_best asks only those that can still reach the top)."""

    def __init__(self, model: UserModel, candidates: list[dict[str, Any]],
                 settings: dict[str, Any] | None, now_ms: int) -> None:
        self.model = model
        allow_explicit = bool(setting(settings, "allow_explicit"))
        exploration = float(setting(settings, "exploration"))
        self.exploration = 0.0 if exploration < 0.0 else 1.0 if exploration > 1.0 else exploration
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
        self.kept = kept
        recall = Memory.of(model.lessons)
        # new rows computed together
        self.nears = (recall.many([facts.vector for facts in kept],
                                  [facts.memory for facts in kept]) if recall else None)
        cold = _cold(model)
        if favorites:
            self.favorites: list[str | None] = []
            self.priors: list[float] = []
            for facts in kept:
                favorite = None
                for genre in favorites:
                    if genre in facts.families:
                        favorite = genre
                        break
                self.favorites.append(favorite)
                self.priors.append(cold * ((FAVORITE_BONUS if favorite is not None else 0.0)
                                           + POPULARITY_BONUS * facts.popularity))
        else:  # the same bits: 0.0 + a product that is never negative is that product
            self.favorites = [None] * len(kept)
            self.priors = [cold * (POPULARITY_BONUS * facts.popularity) for facts in kept]
        self.salt = model.applied_through.encode("utf-8", "surrogatepass")

    def score(self, which: list[int]) -> list[_Scored]:
        """The kept candidates at `which`, scored."""
        kept, nears, exploration, salt = self.kept, self.nears, self.exploration, self.salt
        priors, favorites = self.priors, self.favorites
        chosen = [kept[k] for k in which]
        evaluations = self.model.evaluate_many([facts.vector for facts in chosen],
                                               [facts.active for facts in chosen])
        out: list[_Scored] = []
        for k, facts, ev in zip(which, chosen, evaluations, strict=True):
            # the jitter: uniform-looking in [-0.5, 0.5) and the same on every platform, the
            # crc32 of "<track id>|<salt>" continued from the id's (inline: it runs for every
            # candidate scored)
            noise = zlib.crc32(salt, facts.id_crc) / 4294967296.0 - 0.5
            explore = exploration * (ev.uncertainty + NOISE * noise)
            total = ev.score + priors[k] + explore
            if nears is not None:
                total += MEMORY_GAIN * nears[k]
            out.append(_Scored(facts.track, total, facts.artists, ev, favorites[k],
                               facts.popularity, explore, (-total, facts.track_id)))
        return out

    def bounds(self, drift: _Drift | None) -> tuple[list[float], list[float]]:
        """For each kept candidate, scores it cannot exceed and cannot fall below now (inf and
        -inf when unknown), from its last exact evaluation by this learner: a learner whose
        weights moved by d since (in length) moves a logit by at most d x the vector's length
        (Cauchy-Schwarz), the linear part (a sigmoid) by a quarter of that; its precisions
        only grew (_drift checks), so the uncertainty's square root is at most what it was;
        the forest is the same, and the jitter within half a NOISE. The prior and the memory
        are exact."""
        inf = math.inf
        n = len(self.kept)
        if drift is None:
            return [inf] * n, [-inf] * n
        nears, exploration, now = self.nears, self.exploration, drift.total
        a = self.model.ensemble_weight()
        jitter = exploration * NOISE * 0.5
        highs, lows = [], []
        for k, facts in enumerate(self.kept):
            last = facts.last
            ev = last.ev
            spread = ev.linear * (1.0 - ev.linear) if ev is not None else 0.0
            if last.by is not drift or ev is None or spread < 1e-200:
                # unknown; or a saturated sigmoid, whose uncertainty's root cannot be read back
                highs.append(inf)
                lows.append(-inf)
                continue
            if not last.norm:
                last.norm = _length(facts.vector)
            # the uncertainty is linear * (1 - linear) * sqrt(the logit's variance)
            root_variance = ev.uncertainty / spread * _UP
            reach = (now - last.drift) * last.norm * 0.25 + _SLACK
            high, low = ev.linear + reach, ev.linear - reach
            high = 1.0 if high > 1.0 else high
            low = 0.0 if low < 0.0 else low
            spread = (0.25 if low <= 0.5 <= high
                      else max(low * (1.0 - low), high * (1.0 - high)))
            if ev.ensemble is not None:
                high = (1.0 - a) * high + a * ev.ensemble
                low = (1.0 - a) * low + a * ev.ensemble
            exact = self.priors[k] + (MEMORY_GAIN * nears[k] if nears is not None else 0.0)
            high += exact + exploration * spread * root_variance + jitter
            low += exact - jitter
            highs.append(high * _UP + _SLACK if high > 0.0 else high + _SLACK)
            lows.append(low / _UP - _SLACK if low > 0.0 else low * _UP - _SLACK)
        return highs, lows

    def remember(self, scored: list[_Scored], which: Iterable[int], drift: _Drift) -> None:
        """Keep each scored candidate's evaluation with its facts, for the next bounds."""
        kept, total = self.kept, drift.total
        for k, s in zip(which, scored, strict=True):
            last = kept[k].last
            last.by, last.drift, last.ev = drift, total, s.ev


_UP = 1.0 + 1e-9  # a rounded value times this is at least the exact one (any margin is safe)
_SLACK = 1e-9  # and this much more, for what rounding does near zero


class _Drift:
    """How far a listener's learner has moved since its candidates were last scored: the
    weights' moves' lengths added up ranking by ranking (the triangle inequality makes the sum
    bound the move from any earlier ranking). Anything else that moves scores (another learner
    or forest, a precision that fell) starts a new _Drift, which no candidate's _Last knows."""

    __slots__ = ("learner", "weights", "precision", "ensemble", "trained_on", "total", "moved",
                 "gap", "partial")

    def __init__(self, model: UserModel) -> None:
        self.learner: Learner = model.learner
        self.weights = list(model.learner.weights)
        self.precision = list(model.learner.precision)
        self.ensemble, self.trained_on = model.ensemble, model.trained_on
        self.total = 0.0
        self.moved = 0.0  # the last move's length (0: nothing learned since the last ranking)
        self.gap = 0.0  # _best's measure of the last full ranking's spread
        self.partial = False  # whether the last ranking left candidates unscored


_DRIFTS: dict[int, _Drift] = {}  # id(learner) -> its drift (the learner is held there)
MAX_DRIFTS = 64


def _drift(model: UserModel) -> _Drift | None:
    """`model`'s learner's drift, brought up to now (None when its weights are not finite)."""
    learner = model.learner
    w, precision = learner.weights, learner.precision
    found = _DRIFTS.get(id(learner))
    if (found is None or found.learner is not learner or found.ensemble is not model.ensemble
            or found.trained_on != model.trained_on or len(found.weights) != len(w)
            or len(found.precision) != len(precision) or any(map(lt, precision, found.precision))):
        if len(_DRIFTS) >= MAX_DRIFTS:
            _DRIFTS.clear()
        found = _DRIFTS[id(learner)] = _Drift(model)
    else:
        moved = math.dist(w, found.weights)  # (within an ulp of the move's length)
        found.moved = moved * _UP + _SLACK if moved else 0.0
        if moved:
            found.total += found.moved
            found.weights = list(w)
        found.precision = list(precision)
    return found if math.isfinite(found.total) and all(map(math.isfinite, w)) else None


def _space_artists(ordered: list[_Scored], limit: int,
                   played: list[list[str]], complete: bool = True) -> list[_Scored] | None:
    """Greedy: take the best track that keeps every artist at most ARTIST_MAX times in any
    ARTIST_WINDOW consecutive positions and out of the ARTIST_GAP positions after its last,
    counting the recent plays (oldest first) as the positions before the first. If nothing
    fits, the oldest play is forgotten first; with no plays left to forget, the best track
    left is placed anyway. Spacing orders the list, it never hides a song: a small library
    with two songs by one artist offers both, the second as late as it can.

    `ordered` not `complete`: only the first of the candidates in order (the others unknown),
    so None whenever the answer depends on what comes after them."""
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
            if not complete:
                return None  # one further down might fit
            if history:
                history.pop(0)
            else:
                placed.append(pending.pop(0))
    return placed if complete or len(placed) >= limit else None


def _best(scoring: _Scoring, limit: int, played: list[list[str]],
          drift: _Drift | None) -> list[_Scored]:
    """The ranking's first `limit` after artist spacing. With a `drift` (the page's worker
    re-ranking its held pool after a play), only the candidates whose bound can reach the
    first ones are scored, best bound first: the same list as scoring all, of which a play
    made the largest part of a re-rank's CPU (each candidate's learner sums and sigmoid).
    While the learner still moves far with each play (a listener's first plays) the bounds
    cannot tell the first ones from the rest: then, as with nothing learned since the last
    ranking (the model remembers its evaluations), every candidate is scored, unbounded; and
    what bounds the next ones is kept only once the learner has slowed down."""
    n, limit = len(scoring.kept), max(0, limit)
    enough = min(n, limit + limit // 2 + 1)  # spacing passes over a few
    # how far the learner's last move may shift scores against how far the first ones stood
    # above the middle last time: a guess whether bounds leave most candidates unscored (the
    # answer is the same either way, only its cost differs)
    wide = _wide(drift, scoring) if drift is not None and drift.moved else math.inf
    if drift is not None and (wide < 1.0 if drift.moved else drift.partial):
        highs, lows = scoring.bounds(drift)
        # the first `enough` by score are among those whose high reaches the `enough`-th low
        floor = sorted(lows, reverse=True)[enough - 1] if enough else math.inf
        order = [k for k in range(n) if highs[k] >= floor]
        if 2 * len(order) <= n:  # (else all are scored together, below)
            return _bounded(scoring, limit, played, drift, order, highs, floor)
    scored = scoring.score(list(range(n)))
    if drift is not None and wide < 4.0:  # (learning fast: bounds would not help soon)
        scoring.remember(scored, range(n), drift)
        drift.partial = False
    scored.sort(key=attrgetter("order"))
    if drift is not None and enough and n:
        drift.gap = scored[enough - 1].total - scored[n // 2].total
    return _space_artists(scored, limit, played) or []


def _bounded(scoring: _Scoring, limit: int, played: list[list[str]], drift: _Drift,
             order: list[int], highs: list[float], floor: float) -> list[_Scored]:
    """_best's list from the candidates at `order` (the rest's highs are under `floor`),
    scoring the rest only when spacing needs to pass over all of the first."""
    scored = scoring.score(order)
    scoring.remember(scored, order, drift)
    scored.sort(key=attrgetter("order"))
    rest = [k for k, high in enumerate(highs) if high < floor]
    # none of the rest beats the `enough`-th; spacing must not have to pass over all of those
    beyond = max((highs[k] for k in rest), default=-math.inf)
    placed = _space_artists([s for s in scored if s.total > beyond], limit, played,
                            complete=not rest)
    drift.partial = bool(rest)
    if placed is not None:
        return placed
    more = scoring.score(rest)
    scoring.remember(more, rest, drift)
    drift.partial = False
    return _space_artists(sorted(scored + more, key=attrgetter("order")), limit, played) or []


def _wide(drift: _Drift, scoring: _Scoring) -> float:
    """The learner's last move's reach in score (twice: up for one, down for another; a
    vector's length is about the same for every track; the forest takes its share of the
    score) over the last full ranking's gap between its `enough`-th and its middle
    candidate."""
    if drift.gap <= 0.0 or not scoring.kept:
        return math.inf
    linear = 1.0 - scoring.model.ensemble_weight()
    return drift.moved * _length(scoring.kept[0].vector) * 0.5 * linear / drift.gap


def _score_all(model: UserModel, candidates: list[dict[str, Any]],
               settings: dict[str, Any] | None, now_ms: int) -> list[_Scored]:
    """Every candidate the filters keep, scored (bench.score_probe reads the parts)."""
    scoring = _Scoring(model, candidates, settings, now_ms)
    return scoring.score(list(range(len(scoring.kept))))


def rank(model: UserModel, candidates: list[dict[str, Any]], settings: dict[str, Any] | None,
         limit: int, now_ms: int) -> list[dict[str, Any]]:
    """Best-first new track dicts with `score` and `reason` added (at most `limit`)."""
    scoring = _Scoring(model, candidates, settings, now_ms)
    # only the page's worker (a model that remembers its evaluations) keeps what bounds them
    drift = _drift(model) if model.remembers_evaluations else None
    played = [keys for _, keys, at in model.recent_plays if now_ms - at < DAY_MS]
    cold = _cold(model)
    return [{**s.track, "score": s.total,
             "reason": _reason(model, s.ev, s.track, s.favorite, s.popularity, cold, s.explore)}
            for s in _best(scoring, limit, played, drift)]


def rank_ids(model: UserModel, candidates: list[dict[str, Any]],
             settings: dict[str, Any] | None, limit: int,
             now_ms: int) -> tuple[list[str], list[float]]:
    """rank(), reduced to (track_ids, scores) for the model service."""
    ranked = rank(model, candidates, settings, limit, now_ms)
    return [str(t["id"]) for t in ranked], [float(t["score"]) for t in ranked]
