"""What Encore has learned about a listener, in words: genres, sound qualities and artists that
go up or down, the recent skips that taught it most, and what the listener blocked or forgot.

Genres and qualities are the model's own weights (what ranking actually uses); artists come
from the recent plays the model still counts (forgotten ones and private sessions left out).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import shared_model
from shared_model import FEATURE_NAMES, Taste, UserModel, label
from shared_model.features import genre_families
from shared_model.model import artist_keys

from .catalog.demo import demo_catalog
from .sources import MusicSources
from .store import Store
from .track_lookup import tracks_by_id

TOP = 5
MIN_WEIGHT = 0.05  # weights closer to zero than this say nothing yet
# Plays (of a genre; overall, for the sound) before the words say "you tend to": one skip is
# not a taste, and the first plays move the model a lot (learner.py).
EVIDENCE = 5.0
RECENT = 2000  # plays read for the artists
SKIPS_FROM = 200  # the most recent plays searched for the skips that taught most

_QUALITIES: dict[str, str] = {
    "danceability": "danceable", "energy": "energetic", "valence": "cheerful",
    "acousticness": "acoustic", "instrumentalness": "instrumental",
    "speechiness": "wordy (rap, spoken word)", "liveness": "live-sounding", "loudness": "loud",
    "mode": "major-key", "tempo_70": "slow (about 70 BPM)", "tempo_95": "laid-back (about 95 BPM)",
    "tempo_120": "mid-tempo (about 120 BPM)", "tempo_145": "quick (about 145 BPM)",
    "tempo_170": "fast (about 170 BPM)", "energy_low": "calm", "energy_high": "high-energy",
    "valence_low": "dark and moody", "valence_high": "bright and happy",
    "happy_energetic": "happy and energetic", "angry_energetic": "intense",
    "happy_calm": "mellow and bright", "sad_calm": "quiet and sad",
    "dance_energy": "danceable and lively", "popularity": "popular", "explicit": "explicit",
    "era_1965": "1960s–70s", "era_1985": "1980s–90s", "era_2005": "2000s–10s",
    "era_2025": "recent", "duration": "long",
}


@cache
def _demo_artist_names() -> dict[str, str]:
    return {a["id"]: a["name"] for t in demo_catalog() for a in t["artists"]}


def _rounded(weight: float) -> float:
    return round(weight, 3)


def _ups_and_downs(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    up = sorted((i for i in items if i["weight"] >= MIN_WEIGHT), key=lambda i: -i["weight"])
    down = sorted((i for i in items if i["weight"] <= -MIN_WEIGHT), key=lambda i: i["weight"])
    return {"up": up[:TOP], "down": down[:TOP]}


def genres(model: UserModel, picks: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Genres up and down, said no more strongly than the plays behind them: a picked genre
    not yet heard is "you picked", a few plays are "early signs", only then "you tend to"."""
    items = []
    for name, weight in zip(FEATURE_NAMES, model.learner.weights, strict=True):
        if not name.startswith("genre_") or name.startswith("genre_other"):
            continue
        genre = name.removeprefix("genre_")
        finished, skipped = model.genre_stats.get(genre, [0.0, 0.0])
        words = _genre_words(genre, weight, finished, skipped, genre in picks)
        if words is None:
            continue
        items.append({"name": genre, "weight": _rounded(weight), "words": words,
                      "finished": round(finished, 2), "skipped": round(skipped, 2),
                      "settled": words.startswith("You tend to")})
    return _ups_and_downs(items)


def _genre_words(genre: str, weight: float, finished: float, skipped: float,
                 picked: bool) -> str | None:
    """What the plays of a genre say, never more than they show: the picks lift a genre's
    weight before any play, so the direction comes from what was finished and skipped."""
    heard = finished + skipped
    if heard <= 0.0:
        return f"You picked {genre}: Encore starts from it" if picked and weight > 0 else None
    if heard < EVIDENCE:
        if finished > skipped:
            return f"Early signs: you play {genre} to the end"
        if skipped > finished:
            return (f"You picked {genre}, but skipped it so far" if picked
                    else f"Early signs: you skip {genre}")
        return f"You picked {genre}; so far you finish some and skip some" if picked else None
    if weight > 0 and finished >= skipped:
        return f"You tend to play {genre} to the end"
    if weight < 0 and skipped >= finished:
        return f"You tend to skip {genre}"
    return f"Mixed: you finish some {genre} and skip some"


def qualities(model: UserModel) -> dict[str, list[dict[str, Any]]]:
    """Sound qualities up and down; none before EVIDENCE plays (each play moves every quality
    of its track at once, so a single skip would read as five dislikes)."""
    if model.interactions < EVIDENCE:
        return {"up": [], "down": []}
    items = []
    for name, weight in zip(FEATURE_NAMES, model.learner.weights, strict=True):
        words = _QUALITIES.get(name)
        if words is None:
            continue
        sentence = (f"You tend to play {words} tracks to the end" if weight > 0
                    else f"You tend to skip {words} tracks")
        items.append({"name": name, "label": words, "weight": _rounded(weight),
                      "words": sentence})
    return _ups_and_downs(items)


def _minutes(ms: int) -> str:
    seconds = max(0, ms) // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def _artists(plays: list[dict[str, Any]], tracks: dict[str, dict[str, Any]],
             settings: dict[str, Any], names: dict[str, str]) -> dict[str, list[dict[str, Any]]]:
    tally: dict[str, dict[str, Any]] = {}
    for play in plays:
        track = tracks.get(play["track_id"])
        target, weight = label(play, settings)
        if weight <= 0.0 or track is None:
            continue
        # What the listener did, as they would count it: a like is no second play, and a skip
        # past the skip threshold is a fair listen (the model's weak positive), not a finish.
        kind = {"finished": "finished", "liked": "liked", "disliked": "disliked"}.get(
            play["type"], "fair" if target >= 0.5 else "skipped")
        for key in artist_keys(track):
            entry = tally.setdefault(key, {"id": key, "name": names.get(key, key), "weight": 0.0,
                                           "finished": 0, "fair": 0, "skipped": 0, "liked": 0,
                                           "disliked": 0})
            entry["weight"] += weight if target >= 0.5 else -weight
            entry[kind] += 1
    items = []
    for entry in tally.values():
        entry["words"] = _artist_words(entry)
        entry["weight"] = _rounded(entry["weight"])
        for kind in ("fair", "liked", "disliked"):
            del entry[kind]
        items.append(entry)
    return _ups_and_downs(items)


def _artist_words(entry: dict[str, Any]) -> str:
    heard = entry["finished"] + entry["fair"] + entry["skipped"]
    if entry["weight"] > 0:
        said = (f"You played {entry['finished']} of {heard} to the end" if entry["finished"]
                else f"You gave {entry['fair']} of {heard} a fair listen" if entry["fair"]
                else "")
        liked = entry["liked"]
        also = ("it" if heard == liked == 1 else str(liked)) if said else f"{liked} of their songs"
        return (f"{said} and liked {also}" if said and liked
                else said or f"You liked {also}")
    said = f"You skipped {entry['skipped']} of {heard}" if entry["skipped"] else ""
    disliked = entry["disliked"]
    if said and disliked:
        return f"{said} and disliked {disliked}"
    return said or f"You disliked {disliked} of their songs"


def _skips(plays: list[dict[str, Any]], tracks: dict[str, dict[str, Any]],
           settings: dict[str, Any]) -> list[dict[str, Any]]:
    taught = []
    for play in plays[-SKIPS_FROM:]:
        target, weight = label(play, settings)
        if play["type"] not in ("skipped", "disliked") or target >= 0.5 or weight <= 0.0:
            continue
        words = ("You disliked it" if play["type"] == "disliked" else
                 f"You skipped it at {_minutes(play['position_ms'])}")
        taught.append({"track": tracks.get(play["track_id"]), "type": play["type"],
                       "position_ms": play["position_ms"], "at": play["at"],
                       "weight": round(weight, 3), "words": words})
    taught.sort(key=lambda s: (-s["weight"], -s["at"]))
    return taught[:TOP]


def _summary(model: UserModel, g: dict[str, list[dict[str, Any]]],
             q: dict[str, list[dict[str, Any]]], picks: list[str], paused: bool) -> str:
    if model.interactions == 0:
        text = ("Encore hasn't learned anything yet: play a few songs to the end, skip what "
                "you don't like, and it will get to know you.")
        if picks:
            text += f" It starts from your picks: {' and '.join(picks)}."
    else:
        # what taught it counts likes and dislikes too: not all of them are "plays"
        text = f"Encore has learned from {model.interactions} of your plays, skips and likes."
        likes = [i["name"] for i in g["up"] if i["settled"]][:2] + [
            f"{i['label']} tracks" for i in q["up"][:1]]
        dislikes = [i["name"] for i in g["down"] if i["settled"]][:1] + [
            f"{i['label']} tracks" for i in q["down"][:1]]
        if likes:
            text += f" You tend to finish {' and '.join(likes)}."
        if dislikes:
            text += f" You tend to skip {' and '.join(dislikes)}."
        if not likes and not dislikes:
            text += " That is too few to say what you like yet"
            text += f", so it still leans on your picks: {' and '.join(picks)}." if picks else "."
    if paused:
        text += " Private session: what you play now teaches Encore nothing."
    return text


async def describe(store: Store, sources: MusicSources, username: str, model: UserModel,
                   settings: dict[str, Any]) -> dict[str, Any]:
    page = await store.list_interactions(username, RECENT)
    corrections = [c.to_dict() for c in await store.list_corrections(username)]
    history = sorted((i.to_dict() for i in page.interactions), key=shared_model.sort_key)
    ids = list(dict.fromkeys(i["track_id"] for i in history))
    tracks = {t["id"]: t for t in await tracks_by_id(store, sources, username, ids)}
    taste = Taste.fold(corrections)  # the same filter the model applies, replayed here
    counted = [i for i in history
               if taste.admits(i["at"], i["track_id"], artist_keys(tracks.get(i["track_id"])))
               and taste.learning(i["at"])]
    names = dict(_demo_artist_names())
    for track in tracks.values():
        names.update({a.get("id") or a.get("name"): a.get("name") for a in track["artists"]})
    picks = [g for g in genre_families(settings.get("favorite_genres") or [])
             if not g.startswith("other:")]
    g, q = genres(model, picks), qualities(model)
    forgotten_tracks = list(model.taste.forgotten_tracks)
    forgotten_named = {t["id"]: t["name"]
                       for t in await tracks_by_id(store, sources, username, forgotten_tracks)}
    paused = bool(settings.get("learning_paused"))
    return {
        "learned_from": model.interactions,
        "learning_paused": paused,
        "summary": _summary(model, g, q, picks, paused),
        "genres": g,
        "qualities": q,
        "artists": _artists(counted, tracks, settings, names),
        "recent_skips": _skips(counted, tracks, settings),
        "blocked": [{"id": a, "name": names.get(a, a)} for a in model.taste.blocked],
        "forgotten": {
            "tracks": [{"id": t, "name": forgotten_named.get(t, t)} for t in forgotten_tracks],
            "artists": [{"id": a, "name": names.get(a, a)}
                        for a in model.taste.forgotten_artists],
        },
    }
