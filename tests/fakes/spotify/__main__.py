"""`python -m tests.fakes.spotify --port 5123 --redirect-uri http://127.0.0.1:8000/auth/spotify/callback`"""

from __future__ import annotations

import argparse
import asyncio

from hypercorn.asyncio import serve
from hypercorn.config import Config

from .app import create_emulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Spotify emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5123)
    parser.add_argument("--redirect-uri", action="append", default=[], dest="redirect_uris")
    parser.add_argument("--client-id", default="encore-test-client")
    parser.add_argument("--client-secret", default="encore-test-secret")
    parser.add_argument("--public-origin", default=None,
                        help="origin to put in links (default: the request's own)")
    parser.add_argument("--new-app-mode", action="store_true")
    parser.add_argument("--auto-approve", default=None, metavar="USER_ID")
    args = parser.parse_args()
    app = create_emulator({
        "redirect_uris": args.redirect_uris, "client_id": args.client_id,
        "client_secret": args.client_secret, "public_origin": args.public_origin,
        "new_app_mode": args.new_app_mode, "auto_approve": args.auto_approve,
    })
    config = Config()
    config.bind = [f"{args.host}:{args.port}"]
    config.accesslog = "-"
    print(f"Spotify emulator on http://{args.host}:{args.port}", flush=True)
    asyncio.run(serve(app, config))


if __name__ == "__main__":
    main()
