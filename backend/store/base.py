"""The store's one async interface, shared by the SQLite and DynamoDB implementations.

Everything a web node or a model node keeps lives here, so any node can serve any user.
Values crossing this interface are plain dataclasses; secrets arrive already encrypted
(see `backend.crypto`), so neither implementation ever sees a plaintext token.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from .catalog import CatalogTrack, LibraryFile
from .subsonic import SubsonicLink

# DynamoDB's item limit is 400 KB; the snapshot blob must leave room for the other attributes.
# Both stores enforce it, so a model that outgrows DynamoDB fails the same way on SQLite.
MAX_MODEL_BLOB_BYTES = 390 * 1024

_SORT_KEY = re.compile(r"\d{13}#[^\x00]+")


class StoreError(Exception):
    """Base class for store failures the web layer turns into JSON errors."""


class StoreUnavailable(StoreError):
    """The backing database cannot be reached; callers answer 503 with Retry-After."""


class UsernameTaken(StoreError):
    pass


class ModelConflict(StoreError):
    """A model snapshot was written on a version that is no longer the stored one: another
    node saved first. The writer reloads the stored snapshot instead of overwriting it."""


@dataclass
class User:
    username: str  # canonical, lower case
    password_hash: str
    display_name: str
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: int = 0  # epoch ms


@dataclass
class Interaction:
    id: str  # uuid4 made by the client
    track_id: str
    type: str  # finished | skipped | liked | disliked
    position_ms: int
    duration_ms: int
    at: int  # epoch ms

    def sort_key(self) -> str:
        """The order every replay uses (`at`, then `id`); also DynamoDB's sort key."""
        return f"{self.at:013d}#{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "track_id": self.track_id,
            "type": self.type,
            "position_ms": self.position_ms,
            "duration_ms": self.duration_ms,
            "at": self.at,
        }


@dataclass
class Session:
    sid_hash: str  # sha256 of the cookie value; the raw id is never stored
    username: str
    expires_at: int  # epoch seconds
    data: dict[str, Any] = field(default_factory=dict)  # e.g. pending OAuth state + verifier


@dataclass
class ModelSnapshot:
    username: str
    version: int
    blob: bytes  # compressed `shared_model` snapshot
    updated_at: int = 0  # epoch ms
    # The `created_at` of the account it was trained for: a node may save one just after the
    # account was erased on another (its check and its write are two steps), and whoever takes
    # the name next must not get it. None in snapshots saved before it was recorded.
    owner_created_at: int | None = None

    def belongs_to(self, user: User | None) -> bool:
        """Whether it is this account's (an unstamped one is whoever holds the name's)."""
        if self.owner_created_at is None:
            return True
        return user is not None and user.created_at == self.owner_created_at


@dataclass
class SpotifyLink:
    """A user's Spotify connection. Token fields are AES-GCM ciphertexts, never plaintext."""

    username: str
    access_token_enc: bytes
    refresh_token_enc: bytes
    expires_at: int  # epoch seconds when the access token expires
    scope: str = ""
    spotify_id: str = ""
    display_name: str = ""
    product: str = ""  # premium | free | open
    authorized_at: int = 0  # epoch seconds of the original consent
    unavailable: dict[str, int] = field(default_factory=dict)  # endpoint -> retry-after epoch s


@dataclass
class InteractionPage:
    interactions: list[Interaction]
    next_cursor: str | None


@dataclass
class PutResult:
    accepted: list[str]
    duplicates: list[str]


# -- the library around the feed: liked songs, playlists, taste corrections ----------------
MAX_PLAYLIST_TRACKS = 5000  # the ids fit one DynamoDB item with room to spare


class PlaylistConflict(StoreError):
    """The playlist changed since the version the caller edited (If-Match failed)."""


PLAYLIST_EDITS_KEPT = 64  # edit ids kept per playlist: far more than one outbox holds for it


class PlaylistEditApplied(StoreError):
    """This very edit (by its id) was applied before: a retry of it must change nothing."""


@dataclass
class Like:
    track_id: str
    at: int  # epoch ms of the like

    def sort_key(self) -> str:
        return f"{self.at:013d}#{self.track_id}"


@dataclass
class LikePage:
    likes: list[Like]
    next_cursor: str | None


@dataclass
class Playlist:
    id: str
    name: str
    version: int  # bumped by every change; the ETag
    track_ids: list[str]
    created_at: int  # epoch ms
    updated_at: int
    source: str = "encore"  # encore | spotify | subsonic (imported from)
    source_id: str = ""  # the playlist's id there, so a re-import updates it


@dataclass
class Correction:
    """A correction of the listener's taste (shared_model/taste.py); idempotent by id."""

    id: str
    kind: str
    target: str
    at: int  # epoch ms

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "target": self.target, "at": self.at}


def encode_cursor(sort_key: str) -> str:
    """The opaque page cursor both stores hand out: the last sort key, URL-safe."""
    return base64.urlsafe_b64encode(sort_key.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    """The sort key inside a cursor; ValueError when the cursor was not made by encode_cursor."""
    try:
        key = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as e:
        raise ValueError("invalid cursor") from e
    if not _SORT_KEY.fullmatch(key):
        raise ValueError("invalid cursor")
    return key


class CatalogStore(Protocol):
    """The catalog of tracks (local folders, Subsonic, …) and the library's file index
    (`backend/store/catalog.py`); both stores implement it in their own catalog module."""

    async def put_catalog_tracks(self, tracks: list[CatalogTrack]) -> None:
        """Insert or update by id: doc, location, present and updated_at are replaced; an
        existing track keeps its analysis (the id comes from the audio, so the sound is the
        same). ValueError when a doc exceeds MAX_DOC_BYTES."""

    async def get_catalog_tracks(self, ids: list[str]) -> dict[str, CatalogTrack]:
        """The tracks that exist among `ids`, by id."""

    async def catalog_tracks(
        self, source: str, after_id: str = "", limit: int = 1000
    ) -> list[CatalogTrack]:
        """One page of a source's tracks (present or not), ordered by id, after `after_id`."""

    async def catalog_ids(self, link: str, limit: int = 1000) -> list[str]:
        """Ids of the tracks found under a link key: `artist#<id>`, `album#<id>`,
        `genre#<lower-case name>`, or `pending#<source>` (present, analysis pending)."""

    async def set_catalog_present(self, ids: list[str], present: bool, at: int) -> None: ...

    async def set_catalog_analysis(
        self, track_id: str, analysis: str, features: dict[str, float], error: str = ""
    ) -> None:
        """Record an analysis result (done with features, failed with an error, or back to
        pending)."""

    async def catalog_counts(self, source: str) -> dict[str, int]:
        """`{tracks, analysed, pending, failed}` over the source's present tracks."""

    async def put_library_files(self, files: list[LibraryFile]) -> None: ...

    async def library_files(self, root: str) -> list[LibraryFile]:
        """Every indexed file under one library folder."""

    async def delete_library_files(self, root: str, paths: list[str]) -> None: ...

    async def put_library_state(self, name: str, state: dict[str, Any]) -> None:
        """A small JSON document (scan progress, failures) every node can read."""

    async def get_library_state(self, name: str) -> dict[str, Any] | None: ...

    async def claim_lease(self, name: str, owner: str, ttl_s: float) -> bool:
        """Take or renew the lease `name` for `owner` unless another owner holds an unexpired
        one: one node at a time scans the library."""

    async def release_lease(self, name: str, owner: str) -> None: ...


class AttemptsStore(Protocol):
    """Login attempt counters shared by every web node (`backend/throttle.py`); each store
    implements them in its own attempts module, with atomic conditional writes."""

    async def take_attempt(self, key: str, limit: int, window_s: float, now: float) -> float:
        """Count one attempt against `key` if fewer than `limit` were counted in its current
        window (a window of `window_s` starts at the first attempt after the last one ended):
        0.0 when counted, else the seconds until the window ends (nothing counted). `now` is
        epoch seconds."""

    async def give_back_attempt(self, key: str, now: float) -> None:
        """Uncount one attempt of the current window (a sign-in that succeeded)."""

    async def purge_attempts(self, now: float) -> int:
        """Delete the counters whose window ended; how many."""

    async def count_attempt_keys(self) -> int:
        """How many counters are stored (to show the state stays bounded)."""


class Store(CatalogStore, AttemptsStore, Protocol):
    """What every store implementation provides. All methods are coroutines."""

    async def open(self) -> None:
        """Connect, and create tables that are missing."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise StoreUnavailable when the database cannot answer."""

    # users
    async def create_user(self, user: User) -> None:
        """Raise UsernameTaken when the (case-folded) username exists."""

    async def get_user(self, username: str) -> User | None: ...

    async def update_user(self, user: User) -> None:
        """Replace password_hash, display_name and settings of an existing user (the username
        is case-folded); StoreError when there is no such user."""

    # sessions
    async def put_session(self, session: Session) -> None: ...

    async def get_session(self, sid_hash: str) -> Session | None:
        """None when missing or expired."""

    async def get_signed_in(
        self, sid_hash: str, username_hint: str | None = None
    ) -> tuple[Session, User] | None:
        """The session and its user, read together (one round trip where the store allows:
        every signed-in request asks); None when the session is missing or expired or its
        user is gone. `username_hint` (from the cookie) may let a store read the user along
        with the session; the user returned is always the session's, whatever the hint."""

    async def delete_session(self, sid_hash: str) -> None: ...

    # interactions
    async def put_interactions(self, username: str, items: list[Interaction]) -> PutResult:
        """Store each item once by id; an id already stored is reported as a duplicate and
        changes nothing. Returns only after the accepted items are durable."""

    async def list_interactions(
        self, username: str, limit: int, cursor: str | None = None
    ) -> InteractionPage:
        """Newest first (by `at`, then `id`); `cursor` is an opaque string from a previous page
        (ValueError when it is not one). `next_cursor` is None on the last page."""

    async def interactions_after(
        self, username: str, after_sort_key: str | None = None
    ) -> list[Interaction]:
        """Oldest first, those whose sort_key() is greater than `after_sort_key`."""

    async def count_interactions(self, username: str) -> int: ...

    # model snapshots
    async def put_model(self, snapshot: ModelSnapshot, expected_version: int) -> None:
        """Replace the user's snapshot only if the stored one has `expected_version` (0: none
        stored yet), atomically; ModelConflict otherwise. StoreError when the blob exceeds
        MAX_MODEL_BLOB_BYTES."""

    async def get_model(self, username: str) -> ModelSnapshot | None: ...

    async def delete_model(self, username: str, version: int) -> bool:
        """Remove the user's snapshot only if it is still `version` (atomically); False when
        it is not."""

    async def get_model_version(self, username: str) -> int | None: ...

    # spotify
    async def put_spotify_link(self, link: SpotifyLink) -> None: ...

    async def get_spotify_link(self, username: str) -> SpotifyLink | None: ...

    async def delete_spotify_link(self, username: str) -> None: ...

    # liked songs (store/likes_*.py)
    async def put_likes(self, username: str, likes: list[Like]) -> None:
        """Remember each track as liked at its time; a newer like of the same track moves it
        to the top, an older one changes nothing."""

    async def delete_like(self, username: str, track_id: str) -> bool:
        """Unlike; False when it was not liked."""

    async def list_likes(self, username: str, limit: int, cursor: str | None = None) -> LikePage:
        """Newest first; `cursor` as for list_interactions (ValueError when not one)."""

    async def liked_among(self, username: str, track_ids: list[str]) -> set[str]:
        """Which of these tracks the user likes."""

    # playlists (store/playlists_*.py)
    async def create_playlist(self, username: str, playlist: Playlist) -> None: ...

    async def list_playlists(self, username: str) -> list[Playlist]:
        """All the user's playlists, oldest first."""

    async def get_playlist(self, username: str, playlist_id: str) -> Playlist | None: ...

    async def save_playlist(self, username: str, playlist: Playlist, expected_version: int,
                            edit_id: str | None = None) -> None:
        """Replace name, tracks, version and updated_at, only if the stored version is still
        `expected_version` (atomically); PlaylistConflict otherwise, or when it is gone. With
        `edit_id`, the save is that edit's: PlaylistEditApplied (and no change) when an edit
        of that id was saved before (the ids of the last PLAYLIST_EDITS_KEPT saves are kept)."""

    async def delete_playlist(self, username: str, playlist_id: str) -> bool:
        """False when there was no such playlist."""

    # taste corrections (store/taste_*.py)
    async def put_correction(self, username: str, correction: Correction) -> bool:
        """Store once by id; False (and no change) when the id is already stored."""

    async def list_corrections(self, username: str) -> list[Correction]:
        """Oldest first (by `at`, then `id`)."""

    # the account as a whole (store/account_*.py)
    async def delete_user_sessions(self, username: str, keep: str | None = None) -> int:
        """End every session of the user but `keep` (a sid_hash); how many ended."""

    async def delete_user_data(self, username: str) -> None:
        """Remove the user and everything stored about them, from every table."""

    # a listener's own Subsonic account (store/subsonic*.py)
    async def put_subsonic_link(self, link: SubsonicLink) -> None:
        """Replace the user's link (one per user)."""

    async def get_subsonic_link(self, username: str) -> SubsonicLink | None: ...

    async def delete_subsonic_link(self, username: str) -> bool:
        """False when there was none."""
