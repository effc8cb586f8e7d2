"""Connection settings of one VTEX account."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class VtexConfig:
    account_name: str
    # repr=False keeps the credentials out of logs, tracebacks and debug pages that print
    # the config.
    app_key: str = field(repr=False)
    app_token: str = field(repr=False)
    environment: str = "vtexcommercestable"
    # When set, replaces the server URL of every VTEX spec (the sandbox serves them all on
    # one base URL); paths stay the specs' paths.
    base_url: str | None = None
    timeout: float = 20.0
    get_retries: int = 3
    backoff_base: float = 0.5
    max_rate_limit_wait: float = 60.0

    @property
    def store_url(self) -> str:
        """Server of the OMS, feed, hook, catalog and marketplace (``/api/...``) APIs."""
        if self.base_url:
            return self.base_url.rstrip("/")
        return f"https://{self.account_name}.{self.environment}.com.br"

    @property
    def suggestions_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        return f"https://api.vtex.com/{self.account_name}"

    @property
    def payments_url(self) -> str:
        if self.base_url:
            return self.base_url.rstrip("/")
        return f"https://{self.account_name}.vtexpayments.com.br"
