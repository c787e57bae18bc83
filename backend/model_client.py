"""How a web node reaches the model service: model nodes over HTTP when configured, tried in a
stable per-user order (rendezvous hashing keeps a user's model warm on one node), each with a
timeout; in-process when none is configured or none answers, so a dead node never fails a feed.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

import httpx2

from .model_service import ModelService

log = logging.getLogger("encore.model_client")
SECRET_HEADER = "X-Encore-Model-Secret"


def node_order(username: str, nodes: list[str]) -> list[str]:
    """Rendezvous (highest random weight) order: stable per user, minimal moves on changes."""

    def weight(node: str) -> bytes:
        return hashlib.sha256(f"{node}|{username}".encode()).digest()

    return sorted(nodes, key=weight, reverse=True)


class ModelClient:
    def __init__(
        self, local: ModelService, nodes: list[str], secret: str, timeout_s: float
    ) -> None:
        self.local = local
        self.nodes = nodes
        self.secret = secret
        self.http = httpx2.AsyncClient(timeout=timeout_s)

    async def close(self) -> None:
        await self.http.aclose()

    async def _remote(
        self, username: str, path: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        for node in node_order(username, self.nodes):
            try:
                response = await self.http.post(
                    f"{node}/model/{path}", json=body, headers={SECRET_HEADER: self.secret}
                )
            except httpx2.HTTPError as error:
                log.warning(
                    "model node %s failed (%s); trying the next", node, error.__class__.__name__
                )
                continue
            if response.status_code == 200:
                result: dict[str, Any] = response.json()
                return result
            log.warning("model node %s answered %s; trying the next", node, response.status_code)
        return None

    async def subscribe(self, username: str) -> None:
        if await self._remote(username, "subscribe", {"username": username}) is None:
            await self.local.subscribe(username)

    async def receive_info(self, username: str, interactions: list[dict[str, Any]]) -> None:
        body = {"username": username, "interactions": interactions}
        if await self._remote(username, "receive-info", body) is None:
            await self.local.receive_info(username, interactions)

    async def suggest(
        self, username: str, candidates: list[dict[str, Any]], limit: int
    ) -> dict[str, Any]:
        body = {"username": username, "candidates": candidates, "limit": limit}
        result = await self._remote(username, "suggest", body) if self.nodes else None
        return result or await self.local.suggest(username, candidates, limit)
