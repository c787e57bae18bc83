"""`python -m tests.fakes.subsonic --port 4533 [--plain] [--user name:password[:api-key]]`"""

from __future__ import annotations

import argparse
import asyncio

from hypercorn.asyncio import serve
from hypercorn.config import Config

from .app import create_emulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the OpenSubsonic emulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4533)
    parser.add_argument("--user", action="append", default=[],
                        help="name:password[:api-key] (default listener:listen-password:"
                             "listener-api-key)")
    parser.add_argument("--plain", action="store_true",
                        help="a plain Subsonic 1.12 server: no OpenSubsonic, no tokens")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per answer")
    args = parser.parse_args()
    config: dict[str, object] = {"latency_s": args.latency}
    if args.user:
        config["users"] = [tuple(u.split(":")) for u in args.user]
    if args.plain:
        config |= {"open_subsonic": False, "api_version": "1.12.0", "extensions": {}}
    app = create_emulator(config)
    hyper = Config()
    hyper.bind = [f"{args.host}:{args.port}"]
    hyper.accesslog = "-"
    print(f"OpenSubsonic emulator on http://{args.host}:{args.port}", flush=True)
    asyncio.run(serve(app, hyper))


if __name__ == "__main__":
    main()
