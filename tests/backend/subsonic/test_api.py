"""Connecting a listener's own Subsonic account (`/api/subsonic/*`, `/api/me`) against the
OpenSubsonic emulator over real HTTP: sign-in checked with the server, credentials encrypted at
rest, hosts limited to ENCORE_SUBSONIC_ALLOWED_HOSTS with no request ever sent elsewhere."""

from __future__ import annotations

import socket
import sqlite3
from typing import Any

import pytest

from tests.backend.subsonic.conftest import PASSWORD
from tests.fakes.subsonic import RunningSubsonic, run_subsonic


async def connect(client: Any, server: RunningSubsonic, **body: Any) -> Any:
    payload = {"url": server.url, "username": "listener", "password": PASSWORD} | body
    return await client.post("/api/subsonic/connect",
                             json={k: v for k, v in payload.items() if v is not None})


async def test_connect_with_a_password(client: Any, auth: Any, server: RunningSubsonic,
                                       app_config: dict[str, Any]) -> None:
    await auth.signup()
    me = await (await client.get("/api/me")).get_json()
    assert me["subsonic"]["connected"] is False and me["subsonic"]["can_connect"] is True
    answer = await connect(client, server, url=f"{server.url}/rest/")
    assert answer.status_code == 200, await answer.get_data(as_text=True)
    status = await answer.get_json()
    assert status["connected"] and status["scope"] == "user"
    assert status["own"]["url"] == server.url and status["own"]["username"] == "listener"
    assert status["server"]["type"] == "encore-emulator"
    assert status["server"]["open_subsonic"] is True
    assert {"playbackReport", "sonicSimilarity"} <= set(status["server"]["extensions"])
    me = await (await client.get("/api/me")).get_json()
    assert me["subsonic"] == status
    pings = [dict(r.params) for r in server.state.requests_for("ping")]
    assert pings and "t" in pings[-1]  # verified with ping, by token
    # at rest: no password in the SQLite file, not even hex-encoded
    raw = (app_config["DATA_DIR"] / "encore.sqlite3").read_bytes()
    wal = app_config["DATA_DIR"] / "encore.sqlite3-wal"
    raw += wal.read_bytes() if wal.exists() else b""
    assert PASSWORD.encode() not in raw and PASSWORD.encode().hex().encode() not in raw
    with sqlite3.connect(app_config["DATA_DIR"] / "encore.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM subsonic_links").fetchone() == (1,)


async def test_connect_with_an_api_key(client: Any, auth: Any, server: RunningSubsonic) -> None:
    await auth.signup()
    answer = await connect(client, server, username=None, password=None,
                           api_key="listener-api-key")
    assert answer.status_code == 200
    status = await answer.get_json()
    assert status["own"]["auth"] == "api_key" and status["own"]["username"] == ""
    assert "apiKey" in dict(server.state.requests_for("ping")[-1].params)


@pytest.mark.parametrize("body,code,says", [
    ({"password": "wrong"}, "subsonic_sign_in_failed", "Wrong username or password"),
    ({"password": None, "username": None, "api_key": "revoked"}, "subsonic_sign_in_failed",
     "API key is not valid"),
])
async def test_refused_sign_in(client: Any, auth: Any, server: RunningSubsonic,
                               body: dict[str, Any], code: str, says: str) -> None:
    await auth.signup()
    answer = await connect(client, server, **body)
    assert answer.status_code == 400
    error = (await answer.get_json())["error"]
    assert error["code"] == code and says in error["message"]
    assert (await (await client.get("/api/me")).get_json())["subsonic"]["connected"] is False


@pytest.mark.parametrize("body,says", [
    ({"password": PASSWORD, "api_key": "k"}, "a password or an API key"),
    ({"password": None}, "a password or an API key"),
    ({"username": ""}, "username: needed with a password"),
    ({"url": "ftp://127.0.0.1"}, "url: The server's address must start with http"),
    ({"url": "http://listener:pw@127.0.0.1"}, "url: Put the username and password"),
    ({"colour": "red"}, "colour"),
])
async def test_bad_requests_are_422(client: Any, auth: Any, server: RunningSubsonic,
                                    body: dict[str, Any], says: str) -> None:
    await auth.signup()
    answer = await connect(client, server, **body)
    assert answer.status_code == 422
    assert says in (await answer.get_json())["error"]["message"]
    assert server.state.requests == []


@pytest.mark.parametrize("url", [
    "http://localhost:{port}", "http://169.254.169.254/latest", "https://music.example.org",
    "http://127.0.0.2:{port}",
])
async def test_hosts_not_allowed_are_never_contacted(client: Any, auth: Any,
                                                     server: RunningSubsonic, url: str) -> None:
    await auth.signup()
    answer = await connect(client, server, url=url.format(port=server.port))
    assert answer.status_code == 403
    error = (await answer.get_json())["error"]
    assert error["code"] == "subsonic_host_not_allowed"
    assert "whoever runs it chooses the Subsonic servers" in error["message"]
    assert "ENCORE_" not in error["message"]  # a listener's words: the setting is in the README
    assert server.state.requests == []


async def test_redirects_to_elsewhere_are_not_followed(client: Any, auth: Any,
                                                       server: RunningSubsonic) -> None:
    await auth.signup()
    with run_subsonic() as elsewhere:
        server.state.set(redirect_to=f"http://localhost:{elsewhere.port}/rest/ping")
        answer = await connect(client, server)
        assert answer.status_code == 502
        assert "redirect" in (await answer.get_json())["error"]["message"]
        assert elsewhere.state.requests == []


async def test_a_down_server_is_a_clear_502(client: Any, auth: Any) -> None:
    await auth.signup()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    answer = await client.post("/api/subsonic/connect", json={
        "url": f"http://127.0.0.1:{port}", "username": "a", "password": "b"})
    assert answer.status_code == 502
    error = (await answer.get_json())["error"]
    assert error["code"] == "subsonic_unreachable" and "cannot be reached" in error["message"]


async def test_connect_attempts_are_limited(client: Any, auth: Any,
                                            server: RunningSubsonic) -> None:
    await auth.signup()
    codes = [(await connect(client, server, password=f"guess-{n}")).status_code
             for n in range(11)]
    assert codes == [400] * 10 + [429]
    assert len(server.state.requests_for("ping")) <= 20  # the 11th never reached the server


async def test_disconnect_forgets(client: Any, auth: Any, server: RunningSubsonic) -> None:
    await auth.signup()
    await connect(client, server)
    assert (await client.post("/api/subsonic/disconnect")).status_code == 204
    me = await (await client.get("/api/me")).get_json()
    assert me["subsonic"]["connected"] is False and me["subsonic"]["own"] is None
    assert (await client.post("/api/subsonic/disconnect")).status_code == 204  # idempotent


async def test_signed_out_is_401(client: Any, server: RunningSubsonic) -> None:
    assert (await connect(client, server)).status_code == 401
    assert (await client.post("/api/subsonic/disconnect")).status_code == 401
    assert server.state.requests == []


async def test_nothing_allowed_says_so(app: Any, client: Any, auth: Any,
                                       server: RunningSubsonic) -> None:
    app.subsonic.config = type(app.subsonic.config)()  # no allowed hosts at all
    await auth.signup()
    answer = await connect(client, server)
    assert answer.status_code == 403
    message = (await answer.get_json())["error"]["message"]
    assert "does not connect to listeners' own Subsonic servers" in message
    assert "ENCORE_" not in message
    me = await (await client.get("/api/me")).get_json()
    assert me["subsonic"]["can_connect"] is False
