"""Where an order's write goes: the store's OMS, or the order's marketplace."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OrderRef:
    """The destination of an order write.

    Without ``services_endpoint`` it is the store's OMS, and ``order_id`` is the VTEX order
    id. With one it is the marketplace that placed the order (the ``marketplaceServicesEndpoint``
    of its placement, a full URL that may carry a query such as ``?an=account``), and
    ``order_id`` is the marketplace's order id. A plain ``str`` given to the client's order
    methods means ``OrderRef(that_str)``: the store.
    """

    order_id: str
    services_endpoint: str = ""

    @property
    def at_marketplace(self) -> bool:
        return bool(self.services_endpoint)

    @classmethod
    def of(cls, order: str | OrderRef) -> OrderRef:
        """``order`` as an OrderRef; a str is a VTEX order id at the store."""
        return order if isinstance(order, OrderRef) else cls(order)
