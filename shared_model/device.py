"""The one entry point for ranking a listener's feed the way the browser does.

The page's model worker calls `Device` inside Pyodide (this file ships in the shared_model
zip); the server's model service ranks through `rank_feed`; the recommendation bench uses
either to rank "exactly as the worker does". Keeping all three on this module is what makes
the feed a listener sees after the on-device model takes over the feed the server would show
for the same state.

One rule lives here beside the ranking: a model that has learned nothing yet takes its
onboarding prior from the listener's current settings (`settled`), so picks made after the
model was first loaded (onboarding comes after sign-up) still count, on both sides.
"""

from __future__ import annotations

import json
from typing import Any

from . import features
from .model import UserModel
from .ranking import rank


def settled(model: UserModel, settings: dict[str, Any] | None) -> UserModel:
    """`model`, or a fresh one built from `settings` when `model` has learned nothing yet
    (keeping the listener's corrections: a block made before the first play still holds)."""
    pristine = not model.applied_through and model.interactions == 0 and model.ensemble is None
    if not pristine:
        return model
    fresh = UserModel.new(settings)
    fresh.taste = model.taste
    return fresh


def rank_feed(model: UserModel, candidates: list[dict[str, Any]],
              settings: dict[str, Any] | None, limit: int, now_ms: int) -> list[dict[str, Any]]:
    """Best-first track dicts with `score` and `reason`: the feed's ranking, everywhere."""
    return rank(settled(model, settings), candidates, settings, limit, now_ms)


def _snapshot_of(answer: Any) -> dict[str, Any] | None:
    """The snapshot in GET /api/model's answer ({model_version, snapshot}), or a bare one."""
    if isinstance(answer, dict) and "schema_version" not in answer:
        answer = answer.get("snapshot") or answer.get("model")
    return answer if isinstance(answer, dict) else None


MAX_HELD_TRACKS = 4096  # tracks the worker keeps between rankings (a pool is 200-1,000)


class Device:
    """One listener's model and settings, as the browser's model worker holds them, and the
    tracks the page has sent it: a re-rank after each play names the pool by ids instead of
    sending (and parsing) every track again, which was a third of a re-rank in Pyodide."""

    def __init__(self) -> None:
        self.model = UserModel.new(None)
        self.settings: dict[str, Any] = {}
        self.source = "new"
        self.tracks: dict[str, dict[str, Any]] = {}

    @property
    def model(self) -> UserModel:
        return self._model

    @model.setter
    def model(self, model: UserModel) -> None:
        model.remembers_evaluations = True  # the page re-ranks the pool it holds, often unchanged
        self._model = model

    def load(self, snapshot: Any, settings: dict[str, Any] | None) -> dict[str, Any]:
        """Take the server's snapshot (or start fresh when there is none or it is unreadable)."""
        self.settings = dict(settings or {})
        data = _snapshot_of(snapshot)
        try:
            model = UserModel.from_dict(data) if data else None
        except (ValueError, KeyError, TypeError, IndexError):
            model = None
        self.source = "snapshot" if model is not None else "new"
        self.model = settled(model or UserModel.new(self.settings), self.settings)
        return self.status()

    def configure(self, settings: dict[str, Any] | None) -> dict[str, Any]:
        """New settings (onboarding picks, exploration, skip threshold...)."""
        self.settings = dict(settings or {})
        self.model = settled(self.model, self.settings)
        return self.status()

    def rank(self, candidates: list[dict[str, Any]], limit: int,
             now_ms: int) -> list[dict[str, Any]]:
        """[{id, score, reason}] best first: only what the page needs back. (`self.model` is
        settled whenever it or the settings change, so it is ranked as it is: rank_feed would
        build a new fresh model on every call while the listener has learned nothing yet, and
        with it lose what the model remembers between rankings.)"""
        ranked = rank(self.model, candidates, self.settings, int(limit), int(now_ms))
        return [{"id": t["id"], "score": t["score"], "reason": t.get("reason")} for t in ranked]

    def rank_held(self, tracks: list[dict[str, Any]], ids: list[str], limit: int,
                  now_ms: int) -> list[dict[str, Any]] | dict[str, list[str]]:
        """`rank` over the candidates `ids`, in that order: `tracks` are new or changed ones
        (kept from now on), the others were sent before. {"missing": ids} when some were never
        sent or no longer kept (the page then sends them all)."""
        if len(self.tracks) + len(tracks) > MAX_HELD_TRACKS:
            features.release(list(self.tracks.values()))
            self.tracks.clear()
        for track in tracks:  # kept as sent, never handed out (rank answers id, score, reason)
            key = str(track["id"])
            if key in self.tracks:
                features.release([self.tracks[key]])
            self.tracks[key] = track
            features.hold([track])
        held = [self.tracks.get(i) for i in ids]
        if None in held:
            return {"missing": [i for i, track in zip(ids, held, strict=True) if track is None]}
        return self.rank(held, limit, now_ms)  # type: ignore[arg-type]  # no None left

    def learn(self, interaction: dict[str, Any], track: dict[str, Any] | None) -> dict[str, Any]:
        """One interaction (a replay of one already applied changes nothing)."""
        self.model = settled(self.model, self.settings)
        self.model.learn(interaction, track, self.settings)
        return self.status()

    def learn_many(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        """[{interaction, track}], e.g. the outbox's unsent interactions after a reload."""
        self.model = settled(self.model, self.settings)
        tracks: dict[str, dict[str, Any]] = {
            str(i["interaction"].get("track_id")): i["track"] for i in items if i.get("track")}
        self.model.learn_many([i["interaction"] for i in items], tracks, self.settings)
        return self.status()

    def correct(self, correction: dict[str, Any]) -> dict[str, Any]:
        """One of the listener's corrections (forget, block, reset...; shared_model/taste.py),
        made on this device: the next ranking honours it, online or offline."""
        self.model = settled(self.model, self.settings)
        self.model.correct(correction, self.settings)
        return self.status()

    def status(self) -> dict[str, Any]:
        return {"interactions": self.model.interactions, "source": self.source,
                "applied_through": self.model.applied_through}

    def handle(self, action: str, payload_json: str) -> str:
        """The worker's one call: a named action with a JSON payload, a JSON answer.

        JSON both ways, so nothing crosses the JavaScript boundary as a proxy."""
        payload = json.loads(payload_json) or {}
        if action == "load":
            answer: Any = self.load(payload.get("snapshot"), payload.get("settings"))
        elif action == "configure":
            answer = self.configure(payload.get("settings"))
        elif action == "rank" and "ids" in payload:
            answer = self.rank_held(payload.get("tracks") or [], [str(i) for i in payload["ids"]],
                                    payload["limit"], payload["now_ms"])
        elif action == "rank":
            answer = self.rank(payload["candidates"], payload["limit"], payload["now_ms"])
        elif action == "learn":
            answer = self.learn(payload["interaction"], payload.get("track"))
        elif action == "learn_many":
            answer = self.learn_many(payload["items"])
        elif action == "correct":
            answer = self.correct(payload["correction"])
        else:
            raise ValueError(f"unknown action {action!r}")
        return json.dumps(answer, separators=(",", ":"))
