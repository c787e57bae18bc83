"""How a web node reaches the model service: model nodes over HTTP when configured, tried in a
stable per-user order (rendezvous hashing keeps a user's model warm on one node), each within a
deadline; in-process when none is configured or none answers, so a dead node never fails a feed.

A node that timed out or failed is skipped until a health probe finds it answering again
(`breaker.py`), so a frozen node costs one request its timeout, not every request.

Newly stored plays reach the model through `learn`: one background task per user at a time
hands over what arrived, in the order it was stored, and what arrives meanwhile goes in its next
batch. A flood of single plays from one listener then costs a few model calls, not one task each.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import httpx2

from .breaker import CircuitBreaker
from .model_service import ModelService

log = logging.getLogger("encore.model_client")
SECRET_HEADER = "X-Encore-Model-Secret"
PROBE_TIMEOUT_S = 1.0
LEARN_BATCH = 500  # plays per receive-info call at most (what a model node accepts)


def node_order(username: str, nodes: list[str]) -> list[str]:
    """Rendezvous (highest random weight) order: stable per user, minimal moves on changes."""

    def weight(node: str) -> bytes:
        return hashlib.sha256(f"{node}|{username}".encode()).digest()

    return sorted(nodes, key=weight, reverse=True)


class ModelClient:
    def __init__(
        self,
        local: ModelService,
        nodes: list[str],
        secret: str,
        timeout_s: float,
        observe: Callable[[str, str], None] | None = None,
        spawn: Callable[..., Any] | None = None,
    ) -> None:
        self.local = local
        self.nodes = nodes
        self.secret = secret
        self.timeout_s = timeout_s
        # connect, read and write each within the timeout; the pool never makes one wait
        self.http = httpx2.AsyncClient(timeout=httpx2.Timeout(timeout_s, pool=None))
        self.breaker = CircuitBreaker(self._healthy)
        self._observe = observe or (lambda node, outcome: None)
        self._spawn = spawn  # schedules background work (app.add_background_task)
        self._unlearned: dict[str, list[dict[str, Any]]] = {}  # per user, oldest first

    async def close(self) -> None:
        await self.breaker.close()
        await self.http.aclose()

    async def _healthy(self, node: str) -> bool:
        try:
            response = await self.http.get(
                f"{node}/healthz", timeout=min(self.timeout_s, PROBE_TIMEOUT_S)
            )
        except httpx2.HTTPError:
            return False
        return response.status_code == 200

    async def _remote(
        self, username: str, path: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        for node in node_order(username, self.nodes):
            if not self.breaker.allow(node):
                self._observe(node, "skipped")
                continue
            try:
                response = await self.http.post(
                    f"{node}/model/{path}", json=body, headers={SECRET_HEADER: self.secret}
                )
            except httpx2.HTTPError as error:
                outcome = "timeout" if isinstance(error, httpx2.TimeoutException) else "error"
                self._observe(node, outcome)
                self.breaker.failed(node)
                log.warning(
                    "model node %s failed (%s); trying the next", node, error.__class__.__name__
                )
                continue
            if response.status_code == 200:
                self._observe(node, "ok")
                self.breaker.succeeded(node)
                result: dict[str, Any] = response.json()
                return result
            if response.status_code >= 500:
                self._observe(node, "server_error")
                self.breaker.failed(node)
            else:  # alive, but refusing this request (a bad secret, an unknown user)
                self._observe(node, "refused")
            log.warning("model node %s answered %s; trying the next", node, response.status_code)
        return None

    async def subscribe(self, username: str) -> None:
        if await self._remote(username, "subscribe", {"username": username}) is None:
            await self.local.subscribe(username)

    async def receive_info(self, username: str, interactions: list[dict[str, Any]]) -> None:
        body = {"username": username, "interactions": interactions}
        if await self._remote(username, "receive-info", body) is None:
            await self.local.receive_info(username, interactions)

    def learn(self, username: str, interactions: list[dict[str, Any]]) -> None:
        """Have the model learn newly stored plays, in the background: they join the user's
        pending plays, and a learning task is started only when none is running for the user."""
        pending = self._unlearned.get(username)
        if pending is not None:
            pending.extend(interactions)  # the running task takes them in its next batch
            return
        self._unlearned[username] = list(interactions)
        assert self._spawn is not None, "ModelClient(spawn=...) is needed to learn"
        self._spawn(self._learn_pending, username)

    async def _learn_pending(self, username: str) -> None:
        pending = self._unlearned[username]
        try:
            while pending:
                batch, pending[:] = pending[:LEARN_BATCH], pending[LEARN_BATCH:]
                try:
                    await self.receive_info(username, batch)
                except Exception:  # the plays are stored: the model catches up on its next load
                    log.exception("receive-info failed for %s", username)
        finally:
            del self._unlearned[username]

    async def suggest(
        self, username: str, candidates: list[dict[str, Any]], limit: int,
        fresh_start: bool = False,
    ) -> dict[str, Any]:
        """`fresh_start`: the listener starts over (a small library heard through): songs
        heard within the day may come again (ModelService.suggest)."""
        body: dict[str, Any] = {"username": username, "candidates": candidates, "limit": limit}
        if fresh_start:
            body["fresh_start"] = True
        result = await self._remote(username, "suggest", body) if self.nodes else None
        return result or await self.local.suggest(username, candidates, limit,
                                                  fresh_start=fresh_start)
