"""Configuration: one typed `Settings` model, read from `ENCORE_*` environment variables.

Order: the field defaults below, then the environment, then the caller's override
(`create_app(config)`, used by tests). Every value is parsed strictly — booleans are
true/false/yes/no/on/off/1/0, numbers are plain ASCII digits, lists are comma-separated, URLs
and origins are checked — and a value that does not parse stops the start with one line
naming the variable (`ConfigError`).

Adding a setting is one line in `Settings` (name, type, default, a comment saying what it is
for) and one row in the README's configuration table (tests/backend/test_config.py checks
that the two agree). Code reads `app.settings.<name>`; `app.config` carries the same values
upper-cased for Quart and for tests.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AnyHttpUrl, BeforeValidator, Field, TypeAdapter
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

VERSION = "0.1.0"
ENV_PREFIX = "ENCORE_"
log = logging.getLogger("encore.config")


class ConfigError(ValueError):
    """A setting that does not parse; the message is one line naming the variable."""


# --- value types: how a string from the environment becomes a typed value ------------------
_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_URL = TypeAdapter(AnyHttpUrl)


def _whole_number(value: Any) -> Any:
    if isinstance(value, str) and not _INT.fullmatch(value.strip()):
        raise ValueError("must be a whole number written in digits")
    return value


def _decimal_number(value: Any) -> Any:
    if isinstance(value, str) and not _FLOAT.fullmatch(value.strip()):
        raise ValueError("must be a number such as 2 or 0.5")
    return value


def _comma_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


def _http_url(value: str) -> str:
    """An http(s) URL, kept as written (less a trailing slash) so paths can be appended."""
    _URL.validate_python(value)
    return value.strip().rstrip("/")


def _origin(value: str) -> str:
    """`scheme://host[:port]` as browsers send it in `Origin` (default ports left out)."""
    url = _URL.validate_python(value)
    if url.path not in (None, "", "/") or url.query or url.fragment or url.username:
        raise ValueError("must be an origin like https://music.example (no path)")
    return str(url).rstrip("/")


Int = Annotated[int, BeforeValidator(_whole_number)]
Float = Annotated[float, BeforeValidator(_decimal_number)]
Url = Annotated[str, AfterValidator(_http_url)]
Origin = Annotated[str, AfterValidator(_origin)]
UrlList = Annotated[list[Url], NoDecode, BeforeValidator(_comma_list)]
OriginList = Annotated[list[Origin], NoDecode, BeforeValidator(_comma_list)]
StrList = Annotated[list[str], NoDecode, BeforeValidator(_comma_list)]
PathList = Annotated[list[Path], NoDecode, BeforeValidator(_comma_list)]
Secret = Annotated[str, Field(repr=False)]


class Settings(BaseSettings):
    """Every `ENCORE_*` variable: one line each. The README's table says what each is for."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_ignore_empty=True,  # VAR= means "the default", as with no VAR at all
        extra="forbid",
        frozen=True,
        allow_inf_nan=False,
        validate_default=True,
    )

    data_dir: Path = Path(".data")
    host: str = "127.0.0.1"
    port: Annotated[Int, Field(ge=1, le=65535)] = 8000
    store: Literal["sqlite", "dynamodb"] = "sqlite"
    dynamodb_endpoint: Url | None = None  # None: AWS's own endpoint for the region
    dynamodb_region: str = "us-east-1"
    dynamodb_table_prefix: str = ""
    secret_key: Secret = ""  # generated once into the data dir when empty
    token_key: Secret = ""  # AES key for Spotify tokens; derived from secret_key when empty
    secure_cookies: bool = False  # force Secure + __Host- cookies
    public_origin: Origin | None = None  # e.g. https://music.example: the origin listeners use
    trusted_proxy_hops: Annotated[Int, Field(ge=0, le=10)] = 0  # proxies whose X-Forwarded-* count
    session_ttl_s: Annotated[Int, Field(ge=60)] = 30 * 24 * 3600
    trusted_origins: OriginList = []  # extra origins allowed by the CSRF check
    spotify_client_id: str = ""
    spotify_client_secret: Secret = ""
    spotify_redirect_uri: Url | None = None  # None: <public origin>/auth/spotify/callback
    spotify_accounts_url: Url = "https://accounts.spotify.com"
    spotify_api_url: Url = "https://api.spotify.com/v1"
    model_urls: UrlList = []  # model node base URLs; empty = in-process
    model_secret: Secret = ""  # shared secret for the /model/* API
    model_timeout_s: Annotated[Float, Field(gt=0, le=300)] = 2.0
    model_cache_mb: Annotated[Int, Field(ge=1)] = 256
    train_every: Annotated[Int, Field(ge=1)] = 25  # retrain after this many new interactions
    train_workers: Annotated[Int, Field(ge=0, le=64)] = 1  # training processes; 0: a thread
    login_max_failures: Annotated[Int, Field(ge=1)] = 5  # sign-in attempts per address
    login_account_max_failures: Annotated[Int, Field(ge=1)] = 50  # per account, all addresses
    login_window_s: Annotated[Int, Field(ge=1)] = 60
    max_content_length: Annotated[Int, Field(ge=1024)] = 1024 * 1024
    subsonic_url: Url | None = None  # a server-wide Subsonic library for every listener
    subsonic_user: str = ""  # its account (with subsonic_password), or:
    subsonic_password: Secret = ""
    subsonic_api_key: Secret = ""  # an OpenSubsonic API key instead of user + password
    subsonic_allowed_hosts: StrList = []  # hosts listeners may connect their own accounts to
    subsonic_timeout_s: Annotated[Float, Field(gt=0, le=60)] = 8.0  # per Subsonic request
    web_root: Path | None = None  # None: pwa/dist (the sources in pwa/ until it is built)
    library_dirs: PathList = []  # local music folders (comma-separated); `~` is expanded
    analysis_workers: Annotated[Int, Field(ge=0, le=64)] = 1  # audio analysis processes; 0: none
    library_rescan_s: Annotated[Int, Field(ge=0)] = 600  # rescan this often (s); 0: at start only
    test_hooks: bool = False  # /__test__/ switches for the end-to-end tests


def env_name(field: str) -> str:
    return f"{ENV_PREFIX}{field.upper()}"


def load_settings(override: dict[str, Any] | None = None) -> tuple[Settings, dict[str, Any]]:
    """The settings (defaults → environment → override), prepared for use: the data dir
    exists and the secret key is set. Also returns the override's keys that are not Encore
    settings but Quart's own (`TESTING`, ...), for `app.config`."""
    fields, passthrough = _split_override(override or {})
    _warn_about_unknown_variables()
    try:
        settings = Settings(**fields)
    except PydanticValidationError as error:
        raise ConfigError(_describe(error, set(fields))) from None
    data_dir = settings.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    changes: dict[str, Any] = {"data_dir": data_dir}
    if settings.web_root is not None:
        web_root = settings.web_root.resolve()
        if not web_root.is_dir():
            raise ConfigError(f"{env_name('web_root')}={settings.web_root}: not a directory")
        changes["web_root"] = web_root
    if settings.library_dirs:
        changes["library_dirs"] = [p.expanduser().resolve() for p in settings.library_dirs]
    if not settings.secret_key:
        changes["secret_key"] = _secret_key_from(data_dir / "secret_key")
    return settings.model_copy(update=changes), passthrough


def as_quart_config(settings: Settings) -> dict[str, Any]:
    """The settings as `app.config` keys (upper case): Quart reads SECRET_KEY and
    MAX_CONTENT_LENGTH from there."""
    return {name.upper(): value for name, value in settings}


def _split_override(override: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    from quart import Quart  # Quart's own configuration keys pass through untouched

    fields: dict[str, Any] = {}
    passthrough: dict[str, Any] = {}
    for key, value in override.items():
        if key.lower() in Settings.model_fields:
            fields[key.lower()] = value
        elif key in Quart.default_config:
            passthrough[key] = value
        else:
            raise ConfigError(f"unknown setting {key!r} in the configuration override")
    return fields, passthrough


def _describe(error: PydanticValidationError, from_override: set[str]) -> str:
    problems = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "?"
        name = f"{field.upper()} (override)" if field in from_override else env_name(field)
        if len(item["loc"]) > 1:  # an item of a list
            name += f" item {int(item['loc'][1]) + 1}"
        message = item["msg"].removeprefix("Value error, ")
        secret = field in Settings.model_fields and not Settings.model_fields[field].repr
        shown = "" if secret else f"={item['input']!r}"  # never echo a secret into a log
        problems.append(f"{name}{shown}: {message}")
    return "bad configuration: " + "; ".join(problems)


def _warn_about_unknown_variables() -> None:
    known = [env_name(field) for field in Settings.model_fields]
    for name in os.environ:
        if name.upper().startswith(ENV_PREFIX) and name.upper() not in known:
            near = difflib.get_close_matches(name.upper(), known, n=1)
            hint = f" (did you mean {near[0]}?)" if near else ""
            log.warning("ignoring %s: Encore has no such setting%s", name, hint)


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
