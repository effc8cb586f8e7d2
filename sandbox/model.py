"""The sandbox's order records: compact state from which VTEX documents are rendered.

Orders keep only what the workflow needs; `sandbox.documents` renders the large
GetOrder/ListOrders/payment shapes on demand, so generating thousands of orders
stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Statuses VTEX passes through on its own; no action (and no cancel) is accepted there.
TRANSIENT_STATUSES = frozenset(
    {
        "order-created",
        "on-order-completed",
        "approve-payment",
        "start-handling",
        "invoice",
        "cancel",
    }
)
# Where a transient status goes when VTEX finishes the work behind it.
TRANSIENT_TARGET = {"start-handling": "handling", "invoice": "invoiced", "cancel": "canceled"}

STATUS_DESCRIPTIONS = {
    "order-created": "Processando",
    "on-order-completed": "Processando",
    "waiting-for-sellers-confirmation": "Aguardando confirmação do seller",
    "payment-pending": "Pagamento Pendente",
    "approve-payment": "Aprovando Pagamento",
    "payment-approved": "Pagamento Aprovado",
    "window-to-cancel": "Carência para Cancelamento",
    "ready-for-handling": "Pronto para o manuseio",
    "start-handling": "Iniciar Manuseio",
    "handling": "Preparando Entrega",
    "invoice": "Verificando Envio",
    "invoiced": "Faturado",
    "cancel": "Cancelando",
    "canceled": "Cancelado",
}

# Order Modifications settings a store starts with (GET/PUT .../orders/changes/settings).
CHANGE_SETTINGS: dict[str, dict[str, Any]] = {
    "paymentConfiguration": {"customPaymentSystemsAllowed": []},
    "rolloutConfiguration": {
        "usingDefaultBehavior": True,
        "enableApi": True,
        "enableAdminOrders": {"enabledWorkspaces": ["master"]},
        "enableMyOrders": {"enabledWorkspaces": []},
    },
    "pipelineConfiguration": {
        "enableTaxHubRecalculation": False,
        "compensateShippingChanges": False,
        "enablePromotionRecalculation": False,
        "enableNativeTaxRecalculation": False,
    },
}

TOTAL_NAMES = {
    "Items": "Total dos Itens",
    "Discounts": "Total dos Descontos",
    "Shipping": "Total do Frete",
    "Tax": "Total da Taxa",
}


@dataclass
class Item:
    sku_id: str
    product_id: str
    name: str
    ref_id: str
    ean: str
    brand_name: str
    brand_id: str
    category_ids: str
    list_price: int
    price: int
    selling_price: int
    quantity: int
    unique_id: str
    image_url: str
    detail_url: str
    weight: int
    height: int
    width: int
    length: int
    price_tags: list[dict] = field(default_factory=list)
    seller: str = "1"


@dataclass
class Logistics:
    sla: str
    courier: str
    price: int
    estimate: str


@dataclass
class Invoice:
    number: str
    type: str
    value: int
    issuance_date: str
    items: list[dict]
    receipt: str
    received_at: datetime
    key: str | None = None
    url: str | None = None
    embedded: str | None = None
    courier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None
    dispatched_date: str | None = None
    cfop: str | None = None
    receipts: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    delivered: bool = False
    delivered_date: str | None = None


@dataclass
class Change:
    request_id: str
    reason: str
    discount_value: int
    increment_value: int
    items_added: list[dict]
    items_removed: list[dict]
    receipt: str
    date: datetime


@dataclass
class Order:
    order_id: str
    sequence: str
    group: str
    created: datetime
    last_change: datetime
    status: str
    items: list[Item]
    logistics: list[Logistics]
    totals: dict[str, int]
    client: dict
    address: dict
    payment: dict
    marketing: dict | None
    order_form_id: str
    follow_up_email: str
    shipping_estimate_date: datetime
    authorized_date: datetime | None = None
    invoiced_date: datetime | None = None
    cancellation: dict | None = None
    invoices: dict[str, Invoice] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    # Order Modifications API requests (sandbox.modifications.Modification), oldest first.
    modifications: list = field(default_factory=list)
    start_handling_calls: int = 0
    cancel_calls: int = 0
    # (status, due time as sandbox.clock.monotonic()) of a transient status still in progress.
    pending: tuple[str, float] | None = None

    @property
    def value(self) -> int:
        return sum(self.totals.values())

    def invoiced_total(self, kind: str = "Output") -> int:
        return sum(inv.value for inv in self.invoices.values() if inv.type == kind)
