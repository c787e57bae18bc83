"""Command line: `python -m backend serve | init-db | model-node | scan`."""

from __future__ import annotations

import argparse
import asyncio
import sys

from hypercorn.asyncio import serve
from hypercorn.config import Config as HypercornConfig


def _serve(app_factory: str, workers: int) -> None:
    from . import create_app, create_model_node

    app = create_model_node() if "model_node" in app_factory else create_app()
    config = HypercornConfig()
    config.bind = [f"{app.settings.host}:{app.settings.port}"]
    config.accesslog = None
    config.graceful_timeout = 5
    if workers > 1:
        # Several processes: hand over to Hypercorn's own runner.
        from hypercorn.run import run

        config.application_path = app_factory
        config.workers = workers
        sys.exit(run(config))
    print(f"Encore on http://{config.bind[0]} (data in {app.settings.data_dir})", flush=True)
    asyncio.run(serve(app, config))  # type: ignore[arg-type]


async def _init_db() -> None:
    from . import create_app

    app = create_app()
    store = app.store
    await store.open()  # creates whatever is missing
    await store.close()
    print(f"store ready: {app.settings.store}")


def main(argv: list[str] | None = None) -> None:
    from .config import ConfigError

    try:
        _run(argv)
    except ConfigError as error:
        sys.exit(f"encore: {error}")  # one line on stderr, exit status 1


def _run(argv: list[str] | None) -> None:
    parser = argparse.ArgumentParser(prog="python -m backend")
    sub = parser.add_subparsers(dest="command", required=True)
    serve_cmd = sub.add_parser("serve", help="run a web node (default embedded set-up)")
    serve_cmd.add_argument("--workers", type=int, default=1)
    sub.add_parser("init-db", help="create the store's tables")
    node = sub.add_parser("model-node", help="run a model node (the /model API only)")
    node.add_argument("--workers", type=int, default=1)
    scan = sub.add_parser("scan", help="scan ENCORE_LIBRARY_DIRS, then analyse the audio")
    scan.add_argument("--no-analysis", action="store_true", help="read tags only")
    scan.add_argument("--workers", type=int, default=None,
                      help="analysis processes (default: one per core)")
    args = parser.parse_args(argv)
    if args.command == "serve":
        _serve("backend:create_app()", args.workers)
    elif args.command == "init-db":
        asyncio.run(_init_db())
    elif args.command == "model-node":
        _serve("backend:create_model_node()", args.workers)
    elif args.command == "scan":
        from .library.cli import scan as scan_library

        sys.exit(asyncio.run(scan_library(not args.no_analysis, args.workers)))


if __name__ == "__main__":
    main()
