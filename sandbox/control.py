"""SandboxControl: a thin `requests` wrapper over the `/_sandbox` control API.

Used by tests and benchmarks; `vtex()` also sends authenticated requests to the
sandbox's VTEX paths, which keeps tests short without going through `vtex/`.
"""

from __future__ import annotations

from datetime import datetime

import requests


class SandboxControlError(RuntimeError):
    pass


class SandboxControl:
    def __init__(
        self,
        base_url: str,
        *,
        app_key: str | None = None,
        app_token: str | None = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.app_token = app_token
        self.timeout = timeout
        self.session = requests.Session()

    # -- plumbing ----------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, json=None, params=None):
        response = self.session.request(
            method,
            f"{self.base_url}/_sandbox{path}",
            json=json,
            params=params,
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            raise SandboxControlError(
                f"{method} /_sandbox{path} answered {response.status_code}: {response.text}"
            )
        return response.json()

    @property
    def vtex_headers(self) -> dict[str, str]:
        return {
            "X-VTEX-API-AppKey": self.app_key or "",
            "X-VTEX-API-AppToken": self.app_token or "",
            "Accept": "application/json",
            "Content-Type": "application/json",
        }

    def vtex(self, method: str, path: str, **kwargs) -> requests.Response:
        """An authenticated request to one of the sandbox's VTEX paths."""
        headers = {**self.vtex_headers, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)

    # -- store -------------------------------------------------------------------------------

    def health(self) -> dict:
        return self._request("GET", "/health")

    def reset(self, *, orders: int = 0, seed: int = 1, days: float | None = None) -> dict:
        body: dict[str, float] = {"orders": orders, "seed": seed}
        if days is not None:
            body["days"] = days
        return self._request("POST", "/reset", json=body)

    def calls(self, *, method: str | None = None, path_contains: str | None = None) -> list[dict]:
        params = {k: v for k, v in (("method", method), ("path_contains", path_contains)) if v}
        return self._request("GET", "/calls", params=params)["calls"]

    def clear_calls(self) -> None:
        self._request("DELETE", "/calls")

    def orders(self, *, status: str | None = None) -> list[dict]:
        return self._request("GET", "/orders", params={"status": status} if status else None)[
            "orders"
        ]

    def order(self, order_id: str) -> dict:
        return self._request("GET", f"/orders/{order_id}")

    def create_orders(
        self,
        count: int = 1,
        *,
        status: str = "ready-for-handling",
        created_from: datetime | str | None = None,
        created_to: datetime | str | None = None,
    ) -> list[str]:
        body: dict = {"count": count, "status": status}
        for key, value in (("created_from", created_from), ("created_to", created_to)):
            if value is not None:
                body[key] = value.isoformat() if isinstance(value, datetime) else value
        return self._request("POST", "/orders", json=body)["orderIds"]

    def set_status(self, order_id: str, status: str) -> dict:
        return self._request("POST", f"/orders/{order_id}/status", json={"status": status})

    # -- time --------------------------------------------------------------------------------

    def clock(self) -> dict:
        return self._request("GET", "/clock")

    def advance_clock(self, seconds: float) -> dict:
        """Let ``seconds`` of sandbox time pass at once (feed visibility, transition and
        change delays, rate-limit windows): no test sleeps for them."""
        return self._request("POST", "/clock", json={"advance": seconds})

    def set_clock(self, now: datetime | str) -> dict:
        return self._request(
            "POST", "/clock", json={"now": now.isoformat() if isinstance(now, datetime) else now}
        )

    # -- behaviour ---------------------------------------------------------------------------

    def faults(self) -> dict:
        return self._request("GET", "/faults")

    def set_faults(self, **faults) -> dict:
        return self._request("PUT", "/faults", json=faults)

    def clear_faults(self) -> dict:
        return self._request("DELETE", "/faults")

    def options(self) -> dict:
        return self._request("GET", "/options")

    def set_options(self, **options) -> dict:
        return self._request("PUT", "/options", json=options)

    def hook_deliveries(self) -> list[dict]:
        return self._request("GET", "/hook/deliveries")["deliveries"]

    # -- catalog -----------------------------------------------------------------------------

    def bindings(self) -> dict:
        return self._request("GET", "/catalog/bindings")

    def set_bindings(self, sku_ids, *, seller_id: str = "1") -> dict:
        return self._request(
            "PUT",
            "/catalog/bindings",
            json={"seller_id": seller_id, "sku_ids": [str(s) for s in sku_ids]},
        )

    def suggestions(self) -> list[dict]:
        return self._request("GET", "/suggestions")["suggestions"]

    def approve_suggestion(self, seller_id: str, seller_sku_id: str) -> dict:
        return self._request("POST", f"/suggestions/{seller_id}/{seller_sku_id}/approve")

    def deny_suggestion(self, seller_id: str, seller_sku_id: str) -> dict:
        return self._request("POST", f"/suggestions/{seller_id}/{seller_sku_id}/deny")

    # -- marketplace role --------------------------------------------------------------------

    def marketplace_simulation(self, seller_url: str, items: list[dict], **extra) -> dict:
        return self._request(
            "POST",
            "/marketplace/simulation",
            json={"seller_url": seller_url, "items": items, **extra},
        )

    def marketplace_place_order(self, seller_url: str, items: list[dict], **extra) -> dict:
        return self._request(
            "POST", "/marketplace/orders", json={"seller_url": seller_url, "items": items, **extra}
        )

    def marketplace_fulfill(self, marketplace_order_id: str, **extra) -> dict:
        return self._request(
            "POST", f"/marketplace/orders/{marketplace_order_id}/fulfill", json=extra
        )

    def marketplace_cancel(self, marketplace_order_id: str, **extra) -> dict:
        return self._request(
            "POST", f"/marketplace/orders/{marketplace_order_id}/cancel", json=extra
        )

    def marketplace_order(self, marketplace_order_id: str) -> dict:
        return self._request("GET", f"/marketplace/orders/{marketplace_order_id}")

    def marketplace_orders(self) -> list[dict]:
        return self._request("GET", "/marketplace/orders")["orders"]
