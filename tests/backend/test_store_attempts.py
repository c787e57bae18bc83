"""The login attempt counters (store contract, SQLite file and dynalite): taking an attempt is
atomic under concurrency, a window ends, a success gives its attempt back, ended windows are
deleted."""

from __future__ import annotations

import asyncio

from backend.store import Store
from tests.backend.test_store import store  # noqa: F401  (both stores)
from tests.dynalite import dynalite_server  # noqa: F401

NOW = 1_800_000_000.0


async def test_attempts_are_counted_up_to_the_limit_then_refused_until_the_window_ends(
    store: Store,  # noqa: F811
) -> None:
    waits = [await store.take_attempt("user:ada", 3, 60, NOW + i) for i in range(5)]
    assert waits[:3] == [0.0, 0.0, 0.0]
    assert waits[3:] == [57.0, 56.0]  # the window started at the first attempt
    assert await store.take_attempt("user:bob", 3, 60, NOW) == 0.0  # keys are apart
    assert await store.take_attempt("user:ada", 3, 60, NOW + 60) == 0.0  # a new window


async def test_concurrent_attempts_never_pass_the_limit(store: Store) -> None:  # noqa: F811
    waits = await asyncio.gather(*(store.take_attempt("addr:10.0.0.1", 5, 60, NOW)
                                   for _ in range(40)))
    assert sum(1 for w in waits if w == 0.0) == 5
    assert all(w == 60.0 for w in waits if w)


async def test_a_given_back_attempt_can_be_taken_again(store: Store) -> None:  # noqa: F811
    for _ in range(2):
        assert await store.take_attempt("user:ada", 2, 60, NOW) == 0.0
    assert await store.take_attempt("user:ada", 2, 60, NOW) > 0
    await store.give_back_attempt("user:ada", NOW + 1)
    assert await store.take_attempt("user:ada", 2, 60, NOW + 1) == 0.0
    assert await store.take_attempt("user:ada", 2, 60, NOW + 1) > 0
    await store.give_back_attempt("user:nobody", NOW)  # nothing to give back: no error


async def test_ended_windows_are_purged_and_running_ones_kept(store: Store) -> None:  # noqa: F811
    for i in range(30):
        await store.take_attempt(f"user:guess{i}", 5, 60, NOW)
    await store.take_attempt("addr:10.0.0.1", 5, 60, NOW + 30)
    assert await store.count_attempt_keys() == 31
    assert await store.purge_attempts(NOW + 61) == 30
    assert await store.count_attempt_keys() == 1
