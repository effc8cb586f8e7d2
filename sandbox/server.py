"""SandboxServer: the sandbox on a threaded Werkzeug server in a background thread.

`port=0` picks a free port once; `stop()` closes the socket but keeps the store,
and `start()` again serves the same store on the same port (tests use this to
simulate VTEX being briefly unreachable).
"""

from __future__ import annotations

import threading

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox import modifications
from sandbox.app import SandboxApp
from sandbox.faults import Faults
from sandbox.store import Defaults, Options, Store

TICK_SECONDS = 0.05


class QuietRequestHandler(WSGIRequestHandler):
    """No access log line per request (benchmarks make hundreds of thousands)."""

    def log_request(self, code="-", size="-") -> None:
        return


class SandboxServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        orders: int = 50,
        seed: int = 1,
        app_key: str = "sandbox-appkey",
        app_token: str = "sandbox-apptoken",  # noqa: S107 - the sandbox's published default
        account: str = "sandbox",
        days: float = 30,
        transition_delay: float = 0.0,
        duplicate_rate: float = 0.0,
        feed: bool = False,
        faults: dict | None = None,
        access_log: bool = False,
    ):
        self.host = host
        self.port = port
        defaults = Defaults(
            orders=orders,
            seed=seed,
            days=days,
            options=Options.merged(
                Options(), {"transition_delay": transition_delay, "duplicate_rate": duplicate_rate}
            ),
            faults=Faults.from_dict(faults or {}),
            feed=feed,
        )
        self.store = Store(account=account, app_key=app_key, app_token=app_token, defaults=defaults)
        self.app = SandboxApp(self.store, base_url=lambda: self.base_url)
        self._handler = WSGIRequestHandler if access_log else QuietRequestHandler
        self._server: BaseWSGIServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host  # noqa: S104
        return f"http://{host}:{self.port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> SandboxServer:
        if self._server is not None:
            return self
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=self._handler
        )
        self.port = self._server.server_port
        self._stopping.clear()
        self._threads = [
            # The poll interval bounds how long stop() waits for the serve loop.
            threading.Thread(
                target=self._server.serve_forever,
                args=(TICK_SECONDS,),
                name="sandbox-http",
                daemon=True,
            ),
            threading.Thread(target=self._tick, name="sandbox-ticker", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def _tick(self) -> None:
        # Finishes delayed transitions even when no request comes in, so hooks still fire.
        while not self._stopping.wait(TICK_SECONDS):
            self.store.advance()
            modifications.advance(self.store)

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (the CLI)."""
        self.start()
        try:
            self._stopping.wait()
        finally:
            self.stop()

    def reset(self, orders: int = 0, seed: int = 1, days: float | None = None) -> None:
        """A fresh store: new orders, faults/options back to start-up values, logs cleared."""
        self.store.reset(orders=orders, seed=seed, days=days)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
