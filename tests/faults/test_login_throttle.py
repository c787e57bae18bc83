"""Login throttling against real server processes: simultaneous guesses get at most the limit
checked (the attempt is reserved before the password is), the limit holds across two web nodes
on one store (SQLite file, dynalite), and an attacker's address is stopped long before the
account is, so the owner signing in from elsewhere still can."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.dynalite import Dynalite
from tests.servers import EncoreProcess

from .conftest import PAGE_HEADERS, PASSWORD, dynamodb_env, signup

PER_ADDRESS = 5
SECRET_KEY = "one-secret-key-for-both-nodes-of-this-test"


def client_from(address: str) -> httpx.AsyncClient:
    """A browser whose connections come from `address` (any 127.x.y.z is this machine)."""
    return httpx.AsyncClient(
        headers=PAGE_HEADERS, timeout=60,
        transport=httpx.AsyncHTTPTransport(local_address=address),
        limits=httpx.Limits(max_connections=250),
    )


async def guesses(urls: list[str], address: str, count: int, right_last: bool) -> Counter[int]:
    """`count` simultaneous sign-ins for ada, spread over `urls`; statuses seen."""
    async with client_from(address) as http:
        async def one(i: int) -> int:
            password = PASSWORD if right_last and i == count - 1 else f"wrong guess {i}"
            answer = await http.post(f"{urls[i % len(urls)]}/api/auth/login",
                                     json={"username": "ada", "password": password})
            assert answer.status_code in (200, 401, 429), answer.text
            if answer.status_code == 429:
                assert int(answer.headers["Retry-After"]) >= 1
            return answer.status_code

        return Counter(await asyncio.gather(*(one(i) for i in range(count))))


@pytest.fixture(params=["sqlite", "dynamodb"])
def two_nodes(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[EncoreProcess]]:
    env = {"ENCORE_SECRET_KEY": SECRET_KEY}
    if request.param == "dynamodb":
        server: Dynalite = request.getfixturevalue("dynalite_server")
        env |= dynamodb_env(server)
    data = tmp_path / "shared"  # one SQLite file for both nodes (unused on DynamoDB)
    nodes = [EncoreProcess("serve", data, env) for _ in range(2)]
    try:
        for node in nodes:
            node.start()
        yield nodes
    finally:
        for node in nodes:
            node.stop()


@pytest.mark.slow
@pytest.mark.parametrize("count", [40, 200])
async def test_simultaneous_guesses_on_two_nodes_get_at_most_the_limit_checked(
    two_nodes: list[EncoreProcess], browser: httpx.AsyncClient, count: int
) -> None:
    a, b = two_nodes
    await signup(browser, a.url)
    seen = await guesses([a.url, b.url], "127.0.0.2", count, right_last=True)
    assert seen[401] <= PER_ADDRESS  # the guesses whose password was checked
    assert seen[200] + seen[401] == PER_ADDRESS and seen[429] == count - PER_ADDRESS


@pytest.mark.slow
async def test_an_attacker_is_stopped_by_address_and_the_owner_still_signs_in(
    two_nodes: list[EncoreProcess], browser: httpx.AsyncClient
) -> None:
    a, b = two_nodes
    await signup(browser, a.url)
    attack = await guesses([a.url, b.url], "127.0.0.2", 30, right_last=False)
    assert attack == Counter({401: PER_ADDRESS, 429: 30 - PER_ADDRESS})
    async with client_from("127.0.0.3") as owner:
        answer = await owner.post(f"{b.url}/api/auth/login",
                                  json={"username": "ada", "password": PASSWORD})
        assert answer.status_code == 200, answer.text
    # the attacker, even with the right password now, waits out the window
    assert await guesses([a.url], "127.0.0.2", 1, right_last=True) == Counter({429: 1})


@pytest.mark.slow
async def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(
    tmp_path: Path, browser: httpx.AsyncClient
) -> None:
    """One proxy in front (ENCORE_TRUSTED_PROXY_HOPS=1): every request comes from the proxy's
    address, and the limit is per client address as the proxy forwards it."""
    node = EncoreProcess("serve", tmp_path / "node", {"ENCORE_TRUSTED_PROXY_HOPS": "1"}).start()
    try:
        await signup(browser, node.url)

        async def login(client: str, password: str) -> int:
            async with httpx.AsyncClient(headers=PAGE_HEADERS, timeout=30) as fresh:
                answer = await fresh.post(
                    f"{node.url}/api/auth/login", json={"username": "ada", "password": password},
                    headers={"X-Forwarded-For": client})
            return answer.status_code

        attacker = [await login("203.0.113.5", f"guess {i}") for i in range(PER_ADDRESS + 2)]
        assert attacker == [401] * PER_ADDRESS + [429, 429]
        assert await login("198.51.100.7", PASSWORD) == 200  # the owner, elsewhere
    finally:
        node.stop()
