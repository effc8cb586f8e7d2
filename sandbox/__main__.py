"""`python -m sandbox serve ...`: run the VTEX sandbox store in the foreground."""

from __future__ import annotations

import argparse
import sys

from sandbox.server import SandboxServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox", description="A stateful HTTP fake of VTEX."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the sandbox store over HTTP")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001, help="0 picks a free port")
    serve.add_argument("--orders", type=int, default=50, help="orders generated at start")
    serve.add_argument("--seed", type=int, default=1, help="the same seed gives the same store")
    serve.add_argument(
        "--days", type=float, default=30, help="creation dates spread over the last DAYS days"
    )
    serve.add_argument("--account", default="sandbox")
    serve.add_argument("--app-key", default="sandbox-appkey")
    serve.add_argument("--app-token", default="sandbox-apptoken")
    serve.add_argument(
        "--transition-delay",
        type=float,
        default=0.0,
        help="seconds before start-handling/invoice/cancel finish",
    )
    serve.add_argument(
        "--feed",
        action="store_true",
        help="start with a feed configured (FromWorkflow, every status)",
    )
    serve.add_argument(
        "--duplicate-rate", type=float, default=0.0, help="share of feed events enqueued twice"
    )
    faults = serve.add_argument_group("faults (VTEX paths only)")
    faults.add_argument("--rate-429", type=float, default=0.0)
    faults.add_argument("--retry-after", type=float, default=1)
    faults.add_argument("--rate-500", type=float, default=0.0)
    faults.add_argument("--rate-503", type=float, default=0.0)
    faults.add_argument("--latency-ms", type=float, default=0.0)
    faults.add_argument("--drop-rate", type=float, default=0.0)
    faults.add_argument("--rate-limit-per-minute", type=int, default=0)
    faults.add_argument(
        "--fault-paths",
        default="",
        help="comma-separated path prefixes the faults apply to (default all)",
    )
    faults.add_argument(
        "--fault-methods",
        default="",
        help="comma-separated methods the faults apply to (default all)",
    )
    faults.add_argument(
        "--fail-after-apply",
        action="store_true",
        help="500/503/drops happen after the request took effect",
    )
    serve.add_argument("--access-log", action="store_true", help="log every request")
    return parser


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    faults = {
        "rate_429": args.rate_429,
        "retry_after": args.retry_after,
        "rate_500": args.rate_500,
        "rate_503": args.rate_503,
        "latency_ms": args.latency_ms,
        "drop_rate": args.drop_rate,
        "rate_limit_per_minute": args.rate_limit_per_minute,
        "paths": _split(args.fault_paths),
        "methods": _split(args.fault_methods),
        "fail_after_apply": args.fail_after_apply,
    }
    server = SandboxServer(
        host=args.host,
        port=args.port,
        orders=args.orders,
        seed=args.seed,
        app_key=args.app_key,
        app_token=args.app_token,
        account=args.account,
        days=args.days,
        transition_delay=args.transition_delay,
        duplicate_rate=args.duplicate_rate,
        feed=args.feed,
        faults=faults,
        access_log=args.access_log,
    )
    server.start()
    print(
        f"VTEX sandbox '{args.account}' serving {len(server.store.orders)} orders on "
        f"{server.base_url} (control API: {server.base_url}/_sandbox/health)",
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
