"""A user's last feed ranking, answered again while nothing it depends on has changed.

A plain feed request is deterministic between interactions, and ranking every candidate
through the model is most of its cost, so the model service keeps the last answer per user
with everything it was computed from: the model's state (every counter and object that
learning, a new forest, a snapshot or a correction changes), the settings, the limit and the
candidates themselves (by identity: sources hand out the same read-only track dicts until
they fetch new ones, and the memo holds them so an identity is never reused). The one input
that moves on its own is the clock: a recent skip or play stops blocking its track a day
later, so the answer is only reused until the first of those moments.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from shared_model import UserModel
from shared_model.model import DAY_MS

FOREVER = 2**63


def model_state(model: UserModel) -> tuple[Any, ...]:
    """Changes whenever anything ranking reads from the model may have changed."""
    taste = model.taste
    return (
        id(model), id(model.learner), model.learner.updates, id(model.ensemble),
        model.trained_on, model.applied_through, model.interactions, len(model.recent_skips),
        len(model.recent_plays), len(model.disliked), id(taste), taste.count, taste.through,
    )


def valid_until(model: UserModel, now_ms: int) -> int:
    """The first moment a recent skip or play leaves the day window ranking looks back on."""
    moments = [at + DAY_MS for _, at in model.recent_skips if now_ms - at < DAY_MS]
    moments += [at + DAY_MS for _, _, at in model.recent_plays if now_ms - at < DAY_MS]
    return min(moments, default=FOREVER)


@dataclass
class RankMemo:
    key: tuple[Any, ...]
    candidates: list[dict[str, Any]]  # held: the ids in the key stay theirs
    until_ms: int
    answer: dict[str, Any]

    @staticmethod
    def key_for(version: str, model: UserModel, settings: dict[str, Any],
                candidates: list[dict[str, Any]], limit: int) -> tuple[Any, ...]:
        return (version, model_state(model), json.dumps(settings, sort_keys=True, default=str),
                limit, tuple(map(id, candidates)))

    def answers(self, key: tuple[Any, ...], now_ms: int) -> dict[str, Any] | None:
        if key != self.key or now_ms >= self.until_ms:
            return None
        return {name: list(value) if isinstance(value, list) else value
                for name, value in self.answer.items()}


def untouched(model: UserModel) -> bool:
    """A listener who has done nothing yet: no play, no correction, no forest. Their ranking
    depends only on their settings and the candidates (device.settled ranks a fresh model)."""
    return (not model.applied_through and model.interactions == 0 and model.ensemble is None
            and model.taste.count == 0 and not model.recent_skips and not model.recent_plays
            and not model.disliked and not model.lessons)


class FirstFeeds:
    """Untouched listeners' rankings, shared between listeners: every new listener with the
    same settings gets the same first ranking of the same candidates, so it is not ranked from
    scratch for each (the demo catalog: ~15-20 ms CPU, on the first visit's critical path).
    Candidates are keyed by identity, as in RankMemo, and held while remembered."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._memo: OrderedDict[tuple[Any, ...], tuple[list[dict[str, Any]], dict[str, Any]]] = (
            OrderedDict())

    @staticmethod
    def key_for(settings: dict[str, Any], candidates: list[dict[str, Any]],
                limit: int) -> tuple[Any, ...]:
        return (json.dumps(settings, sort_keys=True, default=str), limit,
                tuple(map(id, candidates)))

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        found = self._memo.get(key)
        if found is None:
            return None
        self._memo.move_to_end(key)
        return {name: list(value) for name, value in found[1].items()}

    def put(self, key: tuple[Any, ...], candidates: list[dict[str, Any]],
            ranked: dict[str, Any]) -> None:
        self._memo[key] = (candidates, {name: list(value) for name, value in ranked.items()})
        self._memo.move_to_end(key)
        while len(self._memo) > self.size:
            self._memo.popitem(last=False)
