"""The key flows of issue 11 again in real Chromium, on the DynamoDB store (dynalite) instead of
SQLite: the same tests, collected here a second time with a `server` of this module's own (one
Encore on a table prefix of its own), so each flow is proven on both stores end to end.

- search → play → finish: stored once, and the next feed reflects it;
- a playlist made from the feed's menus, reordered by keyboard and by dragging;
- taste → forget an artist → gone from the next feed;
- deleting the account leaves no item of the user in any table.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.dynalite import Dynalite, dynalite_server  # noqa: F401  (shared fixture)
from tests.pwa_dist import build_pwa

from .conftest import Server, running_server
from .test_account import test_delete_the_account_and_nothing_of_it_is_left  # noqa: F401
from .test_playlists import test_create_add_from_menus_reorder_by_keyboard_and_drag  # noqa: F401
from .test_search_play import test_search_play_to_the_end_and_the_next_feed_knows  # noqa: F401
from .test_taste import test_forget_an_artist_and_they_are_gone_from_the_next_feed  # noqa: F401

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory,
           dynalite_server: Dynalite) -> Iterator[Server]:  # noqa: F811
    """Encore on DynamoDB: what the tests above see instead of the package's SQLite server."""
    build_pwa()
    env = {"ENCORE_STORE": "dynamodb", "ENCORE_DYNAMODB_ENDPOINT": dynalite_server.endpoint_url,
           "ENCORE_DYNAMODB_TABLE_PREFIX": f"e2e{uuid.uuid4().hex[:8]}_"}
    with running_server(tmp_path_factory.mktemp("encore-dynamodb"), env) as running:
        assert running.dynamodb is not None
        yield running


def test_the_store_is_dynamodb(server: Server) -> None:
    """The flows above ran against DynamoDB: the SQLite file was never made."""
    assert server.dynamodb is not None
    assert not (server.data_dir / "encore.sqlite3").exists()
