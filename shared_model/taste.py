"""What the listener told Encore about their taste: corrections that filter learning and ranking.

A correction is `{id, kind, target, at}` (epoch ms, the moment the listener made it):

- `forget_track` / `forget_artist` (target: a track id / an artist key): what was learned from
  that track's or artist's plays up to `at` is forgotten (those interactions count as if they
  never happened), and the track or artist stays out of the feed until the listener plays it
  again (an interaction after `at` lifts the forget);
- `block` / `unblock` (target: an artist key): never rank that artist (until unblocked);
- `reset`: everything learned up to `at` is forgotten;
- `pause` / `resume`: a private session; plays in between are kept but teach nothing.

Every rule is a function of times, so folding all corrections first and then replaying the
interactions in order gives the same model on the server and in the browser, whatever order
the corrections and interactions arrived in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

KINDS = ("forget_track", "forget_artist", "block", "unblock", "reset", "pause", "resume")
TARGETED = ("forget_track", "forget_artist", "block", "unblock")
MAX_SPANS = 1000  # private sessions remembered (each is two integers)


def correction_key(correction: dict[str, Any]) -> str:
    """The order corrections apply in: `at` (13-digit ms), then `id` (as interactions)."""
    return f"{int(correction.get('at') or 0):013d}#{correction.get('id', '')}"


@dataclass
class Taste:
    through: str = ""  # correction_key of the last correction applied
    count: int = 0  # corrections applied (a store holding more means one arrived late)
    blocked: dict[str, int] = field(default_factory=dict)  # artist key -> at
    forgotten_tracks: dict[str, int] = field(default_factory=dict)  # track id -> at
    forgotten_artists: dict[str, int] = field(default_factory=dict)  # artist key -> at
    reset_at: int = 0
    paused_since: int = 0  # 0: not in a private session now
    paused: list[tuple[int, int]] = field(default_factory=list)  # closed spans [start, end)

    @classmethod
    def fold(cls, corrections: Iterable[dict[str, Any]]) -> Taste:
        taste = cls()
        for correction in sorted(corrections, key=correction_key):
            taste.apply(correction)
        return taste

    def apply(self, correction: dict[str, Any]) -> bool:
        """Take one correction (in order); True when it changes what past plays taught, so a
        model built before it must be replayed to honour it fully."""
        kind = correction.get("kind")
        target = str(correction.get("target") or "")
        at = int(correction.get("at") or 0)
        self.through = max(self.through, correction_key(correction))
        self.count += 1
        if kind == "forget_track" and target:
            self.forgotten_tracks[target] = max(at, self.forgotten_tracks.get(target, 0))
        elif kind == "forget_artist" and target:
            self.forgotten_artists[target] = max(at, self.forgotten_artists.get(target, 0))
        elif kind == "block" and target:
            self.blocked[target] = at
            return False
        elif kind == "unblock":
            self.blocked.pop(target, None)
            return False
        elif kind == "reset":
            self.reset_at = max(self.reset_at, at)
        elif kind == "pause":
            if not self.paused_since:
                self.paused_since = max(at, 1)
            return False  # plays from now on: the model checks learning() as they come
        elif kind == "resume":
            if self.paused_since:
                self.paused.append((self.paused_since, at))
                del self.paused[:-MAX_SPANS]
                self.paused_since = 0
            return False
        else:
            return False
        return True

    # -- learning --------------------------------------------------------------------
    def admits(self, at: int, track_id: str, artists: list[str]) -> bool:
        """False when an interaction counts as never having happened (before a reset, or a
        forgotten track or artist at or before the forget). A visible interaction with a
        forgotten track or artist lifts that forget: the listener came back to it."""
        if at <= self.reset_at:
            return False
        if track_id in self.forgotten_tracks and at <= self.forgotten_tracks[track_id]:
            return False
        if any(k in self.forgotten_artists and at <= self.forgotten_artists[k] for k in artists):
            return False
        self.forgotten_tracks.pop(track_id, None)
        for key in artists:
            self.forgotten_artists.pop(key, None)
        return True

    def learning(self, at: int) -> bool:
        """Whether a play at `at` teaches the model (not in a private session)."""
        if self.paused_since and at >= self.paused_since:
            return False
        return not any(start <= at < end for start, end in self.paused)

    # -- ranking ---------------------------------------------------------------------
    def excludes(self, track_id: str, artists: list[str]) -> bool:
        """Kept out of the feed: a blocked artist, or a forgotten track or artist."""
        if track_id in self.forgotten_tracks:
            return True
        return any(k in self.blocked or k in self.forgotten_artists for k in artists)

    def excludes_nothing(self) -> bool:
        """True when excludes() is False for every track (nothing blocked or forgotten)."""
        return not (self.forgotten_tracks or self.blocked or self.forgotten_artists)

    def is_empty(self) -> bool:
        return self.count == 0

    # -- snapshot --------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "through": self.through,
            "count": self.count,
            "blocked": dict(self.blocked),
            "forgotten_tracks": dict(self.forgotten_tracks),
            "forgotten_artists": dict(self.forgotten_artists),
            "reset_at": self.reset_at,
            "paused_since": self.paused_since,
            "paused": [[a, b] for a, b in self.paused],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Taste:
        d = d or {}

        def ints(name: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in (d.get(name) or {}).items()}

        return cls(
            through=str(d.get("through", "")),
            count=int(d.get("count", 0)),
            blocked=ints("blocked"),
            forgotten_tracks=ints("forgotten_tracks"),
            forgotten_artists=ints("forgotten_artists"),
            reset_at=int(d.get("reset_at", 0)),
            paused_since=int(d.get("paused_since", 0)),
            paused=[(int(a), int(b)) for a, b in d.get("paused") or []],
        )
