"""Turn one interaction into a training target and a weight.

finished = positive, liked = strong positive, disliked = strong negative. A skip before the
user's skip threshold is a negative that weighs more the earlier it came (a skip at 5 s says
more than one just before the threshold); a "skip" after the threshold is a weak positive:
the user listened long enough that it was not a rejection.
"""

from __future__ import annotations

from typing import Any

DEFAULT_SETTINGS: dict[str, Any] = {
    "favorite_genres": [],
    "skip_threshold_unit": "seconds",
    "skip_threshold_value": 30,
    "allow_explicit": True,
    "exploration": 0.3,
}

FINISHED = (1.0, 1.0)
LIKED = (1.0, 2.0)
DISLIKED = (0.0, 2.5)
LATE_SKIP = (1.0, 0.25)
EARLY_SKIP_MIN, EARLY_SKIP_MAX = 0.5, 1.5  # weight of a skip at the threshold / at 0 s


def setting(settings: dict[str, Any] | None, key: str) -> Any:
    """A user setting, with the documented default when missing or None."""
    value = (settings or {}).get(key)
    return DEFAULT_SETTINGS[key] if value is None else value


def _number(value: Any, default: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return default
    return float(value)


def skip_threshold_ms(settings: dict[str, Any] | None, duration_ms: float) -> float:
    """Where, in ms into the track, a skip stops counting as a rejection."""
    value = _number(setting(settings, "skip_threshold_value"), 30.0)
    if setting(settings, "skip_threshold_unit") == "percent":
        pct = 0.0 if value < 0.0 else 100.0 if value > 100.0 else value
        if duration_ms > 0.0:
            return duration_ms * pct / 100.0
        return 30000.0  # unknown length: fall back to the default in seconds
    threshold = (value if value > 0.0 else 0.0) * 1000.0
    if duration_ms > 0.0 and threshold > duration_ms:
        threshold = duration_ms
    return threshold


def label(interaction: dict[str, Any], settings: dict[str, Any] | None) -> tuple[float, float]:
    """(target in {0, 1}, weight >= 0). Weight 0 means "teaches nothing"."""
    kind = interaction.get("type")
    if kind == "finished":
        return FINISHED
    if kind == "liked":
        return LIKED
    if kind == "disliked":
        return DISLIKED
    if kind != "skipped":
        return (0.5, 0.0)
    position = max(0.0, _number(interaction.get("position_ms"), 0.0))
    threshold = skip_threshold_ms(settings, _number(interaction.get("duration_ms"), 0.0))
    if threshold <= 0.0 or position >= threshold:
        return LATE_SKIP
    earliness = 1.0 - position / threshold  # 1 at 0 s, 0 at the threshold
    return (0.0, EARLY_SKIP_MIN + (EARLY_SKIP_MAX - EARLY_SKIP_MIN) * earliness)
