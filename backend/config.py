"""Configuration: defaults, then `ENCORE_*` environment variables, then the caller's override."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from quart import Quart

VERSION = "0.1.0"

DEFAULTS: dict[str, Any] = {
    "DATA_DIR": ".data",
    "HOST": "127.0.0.1",
    "PORT": 8000,
    "STORE": "sqlite",  # sqlite | dynamodb
    "DYNAMODB_ENDPOINT": "",
    "DYNAMODB_REGION": "us-east-1",
    "DYNAMODB_TABLE_PREFIX": "",
    "SECRET_KEY": "",  # generated once into the data dir when empty
    "TOKEN_KEY": "",  # AES key for Spotify tokens; derived from SECRET_KEY when empty
    "SECURE_COOKIES": False,  # force Secure + __Host- cookies (behind a TLS proxy)
    "SESSION_TTL_S": 30 * 24 * 3600,
    "TRUSTED_ORIGINS": "",  # comma-separated extra origins allowed by the CSRF check
    "SPOTIFY_CLIENT_ID": "",
    "SPOTIFY_CLIENT_SECRET": "",
    "SPOTIFY_REDIRECT_URI": "",  # default: <request origin>/auth/spotify/callback
    "SPOTIFY_ACCOUNTS_URL": "https://accounts.spotify.com",
    "SPOTIFY_API_URL": "https://api.spotify.com/v1",
    "MODEL_URLS": "",  # comma-separated model node base URLs; empty = in-process
    "MODEL_SECRET": "",  # shared secret for the /model/* API
    "MODEL_TIMEOUT_S": 2.0,
    "MODEL_CACHE_MB": 256,
    "TRAIN_EVERY": 25,  # retrain the ensemble after this many new interactions
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_WINDOW_S": 60,
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "TEST_HOOKS": False,  # /__test__/ switches for the end-to-end tests
}


def load_config(app: Quart, override: dict[str, Any] | None) -> None:
    """Fill `app.config` in the documented order and normalise types."""
    app.config.update(DEFAULTS)
    app.config.from_prefixed_env("ENCORE")
    if override:
        app.config.update(override)
    cfg = app.config
    cfg["DATA_DIR"] = Path(cfg["DATA_DIR"]).resolve()
    cfg["DATA_DIR"].mkdir(parents=True, exist_ok=True)
    cfg["PORT"] = int(cfg["PORT"])
    cfg["MAX_CONTENT_LENGTH"] = int(cfg["MAX_CONTENT_LENGTH"])
    for key in ("MODEL_URLS", "TRUSTED_ORIGINS"):
        if isinstance(cfg[key], str):
            cfg[key] = [part.strip().rstrip("/") for part in cfg[key].split(",") if part.strip()]
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _secret_key_from(cfg["DATA_DIR"] / "secret_key")


def _secret_key_from(path: Path) -> str:
    """Read the key generated on first start, or create it with mode 0600."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process won the race: use its key
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
