"""`python -m sandbox serve`: starts, serves the generated store, stops on SIGTERM-like exit."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_serve_starts_a_store_with_the_given_flags():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sandbox",
            "serve",
            "--port",
            "0",
            "--orders",
            "7",
            "--seed",
            "3",
            "--app-key",
            "K",
            "--app-token",
            "T",
            "--feed",
            "--rate-limit-per-minute",
            "1000",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        base_url = re.search(r"http://[\d.]+:\d+", line).group(0)
        headers = {"X-VTEX-API-AppKey": "K", "X-VTEX-API-AppToken": "T"}

        listing = requests.get(f"{base_url}/api/oms/pvt/orders", headers=headers, timeout=10)
        feed = requests.get(f"{base_url}/api/orders/feed/config", headers=headers, timeout=10)
        faults = requests.get(f"{base_url}/_sandbox/faults", timeout=10).json()
        waiting = requests.get(f"{base_url}/api/orders/feed?maxlot=10", headers=headers, timeout=10)

        assert listing.json()["paging"]["total"] == 7
        assert feed.status_code == 200
        listed = {order["orderId"]: order["status"] for order in listing.json()["list"]}
        assert {item["orderId"]: item["state"] for item in waiting.json()} == listed
        assert faults["rate_limit_per_minute"] == 1000
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()
        process.stderr.close()


def test_help_lists_the_fault_flags():
    result = subprocess.run(
        [sys.executable, "-m", "sandbox", "serve", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )

    for flag in (
        "--rate-429",
        "--rate-500",
        "--drop-rate",
        "--latency-ms",
        "--rate-limit-per-minute",
        "--transition-delay",
        "--duplicate-rate",
    ):
        assert flag in result.stdout
