"""The mirror of a VTEX order and its items.

VTEX is the source of truth: these rows are written by `orders.services.sync`
from GetOrder documents and never edited by hand. Money is integer cents,
datetimes are aware and stored in UTC.
"""

from collections.abc import Iterable
from datetime import datetime

from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orders.status import OrderStatus, status_colour, status_label


class OrderOrigin(models.TextChoices):
    MARKETPLACE = "Marketplace", _("Marketplace")
    FULFILLMENT = "Fulfillment", _("Fulfillment")
    CHAIN = "Chain", _("Chain")


# Orders a VTEX marketplace placed with the back office as its seller (catalog/seller): they
# live in the marketplace's OMS, not the store's, so nothing reads them from the store (no
# GetOrder, feed, reconciliation or refresh) and their writes go to their
# marketplaceServicesEndpoint. Their id here is the seller order id the back office gave them.
AT_MARKETPLACE = ~Q(marketplace_services_endpoint="") & Q(seller_order_id=F("vtex_order_id"))


# Statuses in which an order no longer waits for its delivery.
CANCELED_STATUSES = (OrderStatus.CANCEL, OrderStatus.CANCELED, OrderStatus.REPLACED)
# Orders still waiting for their delivery: the queue "past the estimated delivery date"
# (orders.selectors.ORDER_QUEUES) among them. A column, not an EXISTS over the invoices: at a
# million orders no index can answer "no delivered invoice" (the late filter took 7.6 s).
AWAITING_DELIVERY = Q(delivered=False) & ~Q(status__in=CANCELED_STATUSES)
# Orders with a sales invoice still without its tracking number: the queue "invoiced without
# tracking" (orders.selectors.ORDER_QUEUES), by a column for the same reason.
AWAITING_TRACKING = Q(untracked_since__isnull=False) & ~Q(status__in=CANCELED_STATUSES)


def untracked_since(
    invoices: Iterable[tuple[str, str, datetime | None]],
    *,
    invoiced_at: datetime | None,
    created_at: datetime | None,
) -> datetime | None:
    """Since when an order waits for a tracking number, from its invoices' (type, tracking
    number, issue time): its oldest sales invoice without one (the order's invoicing, else its
    creation, when that invoice has no issue time); None when every sales invoice has one."""
    untracked = [
        issued_at
        for kind, tracking_number, issued_at in invoices
        if kind == "Output" and not tracking_number
    ]
    if not untracked:
        return None
    issued = [moment for moment in untracked if moment is not None]
    return min(issued) if issued else invoiced_at or created_at


class DocumentField(models.JSONField):
    """A JSONField that bulk inserts bind row by row (``VALUES``).

    Django 5.2 inserts a batch on PostgreSQL through ``UNNEST`` of one array per column
    unless a field has ``get_placeholder``; psycopg writes a jsonb[] array's text escaping
    every double quote with a regex substitution, and a GetOrder document has thousands: a
    fifth of the feed drain's time. Migrations see a JSONField (same column, same state).
    """

    def get_placeholder(self, value, compiler, connection):
        return "%s"

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.JSONField", args, kwargs


class Order(models.Model):
    vtex_order_id = models.CharField(_("VTEX order id"), max_length=64, unique=True)
    sequence = models.CharField(_("sequence"), max_length=32, blank=True, db_index=True)
    order_group = models.CharField(_("order group"), max_length=64, blank=True, db_index=True)
    marketplace_order_id = models.CharField(
        _("marketplace order id"), max_length=64, blank=True, db_index=True
    )
    marketplace_services_endpoint = models.CharField(
        _("marketplace services endpoint"), max_length=500, blank=True
    )
    seller_order_id = models.CharField(_("seller order id"), max_length=64, blank=True)
    origin = models.CharField(_("origin"), max_length=20, blank=True, choices=OrderOrigin.choices)
    sales_channel = models.CharField(_("sales channel"), max_length=32, blank=True)
    affiliate_id = models.CharField(_("affiliate"), max_length=32, blank=True)

    # VTEX's own string, stored as it comes: see orders.status for labels and rules.
    status = models.CharField(_("status"), max_length=64, db_index=True)

    value = models.BigIntegerField(_("value (cents)"), default=0)
    items_total = models.BigIntegerField(_("items total (cents)"), default=0)
    # VTEX reports discounts as a negative total.
    discounts_total = models.BigIntegerField(_("discounts total (cents)"), default=0)
    shipping_total = models.BigIntegerField(_("shipping total (cents)"), default=0)
    tax_total = models.BigIntegerField(_("tax total (cents)"), default=0)
    currency_code = models.CharField(_("currency"), max_length=3, default="BRL")

    created_at = models.DateTimeField(_("created at"), db_index=True)
    authorized_at = models.DateTimeField(_("authorized at"), null=True, blank=True)
    invoiced_at = models.DateTimeField(_("invoiced at"), null=True, blank=True)
    vtex_last_change = models.DateTimeField(_("last change in VTEX"), null=True, blank=True)

    customer_first_name = models.CharField(_("first name"), max_length=200, blank=True)
    customer_last_name = models.CharField(_("last name"), max_length=200, blank=True)
    customer_email = models.CharField(_("e-mail"), max_length=254, blank=True, db_index=True)
    customer_document_type = models.CharField(_("document type"), max_length=20, blank=True)
    customer_document = models.CharField(_("document"), max_length=40, blank=True, db_index=True)
    customer_phone = models.CharField(_("phone"), max_length=40, blank=True)
    customer_is_corporate = models.BooleanField(_("corporate customer"), default=False)
    customer_corporate_name = models.CharField(_("corporate name"), max_length=200, blank=True)
    customer_trade_name = models.CharField(_("trade name"), max_length=200, blank=True)
    customer_corporate_document = models.CharField(
        _("corporate document"), max_length=40, blank=True
    )
    customer_state_inscription = models.CharField(_("state inscription"), max_length=40, blank=True)
    customer_corporate_phone = models.CharField(_("corporate phone"), max_length=40, blank=True)

    shipping_receiver_name = models.CharField(_("receiver"), max_length=200, blank=True)
    shipping_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    shipping_street = models.CharField(_("street"), max_length=300, blank=True)
    shipping_number = models.CharField(_("number"), max_length=40, blank=True)
    shipping_complement = models.CharField(_("complement"), max_length=200, blank=True)
    shipping_neighborhood = models.CharField(_("neighborhood"), max_length=200, blank=True)
    shipping_city = models.CharField(_("city"), max_length=200, blank=True)
    shipping_state = models.CharField(_("state"), max_length=40, blank=True)
    shipping_country = models.CharField(_("country"), max_length=3, blank=True)
    selected_sla = models.CharField(_("shipping method"), max_length=200, blank=True)
    carrier = models.CharField(_("carrier"), max_length=200, blank=True)
    estimated_delivery_at = models.DateTimeField(_("estimated delivery"), null=True, blank=True)
    # A sales (output) invoice of the order is delivered: VTEX's document says so (the sync
    # writes it with the order's columns), or a marketplace order's tracking events did.
    delivered = models.BooleanField(_("delivered"), default=False)
    # ``untracked_since`` of its invoices, written with them (the sync, a marketplace order's
    # invoice and tracking number).
    untracked_since = models.DateTimeField(_("waiting for tracking since"), null=True, blank=True)

    payment_method = models.CharField(_("payment method"), max_length=200, blank=True)
    payment_group = models.CharField(_("payment group"), max_length=64, blank=True)
    payment_installments = models.PositiveSmallIntegerField(_("installments"), default=0)
    payment_transaction_id = models.CharField(_("transaction id"), max_length=64, blank=True)

    # GetOrder as VTEX sent it, with personal data masked (orders.documents.document_mask).
    raw_document = DocumentField(_("VTEX document"), default=dict, blank=True)
    # The order's commands to VTEX (the outbox's, whose subject is this order):
    # ``order.commands`` and ``VtexCommand.objects.filter(order=...)``.
    commands = GenericRelation(
        "outbox.VtexCommand",
        content_type_field="subject_type",
        object_id_field="subject_id",
        related_query_name="order",
    )

    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    synced_at = models.DateTimeField(_("last read from VTEX"), db_index=True)
    # When reconciliation last tried to read it, read or not (a 404, a refusal): the next
    # runs move on to other orders instead of trying the same ones forever.
    reconciled_at = models.DateTimeField(
        _("last reconciliation attempt"), null=True, blank=True, db_index=True
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        # The operator operations on orders (orders/operations/) and who may see customers.
        permissions = [
            ("start_handling_order", _("Can start handling orders")),
            ("invoice_order", _("Can send invoices")),
            ("track_order", _("Can send tracking numbers and events")),
            ("cancel_order", _("Can cancel orders")),
            ("register_order_change", _("Can register order changes")),
            ("refresh_order", _("Can refresh orders from VTEX")),
            ("view_customer_pii", _("Can see customers' full e-mail, document and phone")),
        ]
        indexes = [
            # Reconciliation: orders not in a final status, unchanged for hours.
            models.Index(fields=["status", "vtex_last_change"], name="order_status_lastchange_idx"),
            models.Index(fields=["sales_channel", "created_at"], name="order_channel_created_idx"),
            models.Index(fields=["origin", "created_at"], name="order_origin_created_idx"),
            # The order list sorted by value, and the dashboard's invoiced per day.
            models.Index(fields=["value", "id"], name="order_value_idx"),
            models.Index(fields=["invoiced_at"], name="order_invoiced_at_idx"),
            # The orders past their estimated delivery: a few among a million. The id inside,
            # so the dashboard counts them from the index alone (the planner, not knowing that
            # canceled orders are never delivered, expects four times as many and would read
            # the whole table instead).
            models.Index(
                fields=["estimated_delivery_at"],
                include=["id"],
                condition=AWAITING_DELIVERY,
                name="order_awaiting_delivery_idx",
            ),
            models.Index(
                fields=["untracked_since"],
                include=["id"],
                condition=AWAITING_TRACKING,
                name="order_awaiting_tracking_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="order_value_not_negative"),
            models.CheckConstraint(condition=~Q(status=""), name="order_status_not_empty"),
        ]

    def __str__(self) -> str:
        return self.vtex_order_id

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def status_colour(self) -> str:
        return status_colour(self.status)

    @property
    def at_marketplace(self) -> bool:
        """Placed by a marketplace on the seller endpoints (see ``AT_MARKETPLACE``)."""
        return (
            bool(self.marketplace_services_endpoint) and self.seller_order_id == self.vtex_order_id
        )

    @property
    def customer_name(self) -> str:
        return f"{self.customer_first_name} {self.customer_last_name}".strip()


class OrderItem(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="items", verbose_name=_("order")
    )
    # Position in VTEX's items[]: invoices (packages[].items[].itemIndex) point at it.
    position = models.PositiveIntegerField(_("position"))
    sku_id = models.CharField(_("SKU id"), max_length=64, db_index=True)
    product_id = models.CharField(_("product id"), max_length=64, blank=True)
    ref_id = models.CharField(_("reference"), max_length=100, blank=True)
    ean = models.CharField(_("EAN"), max_length=32, blank=True)
    name = models.CharField(_("name"), max_length=500)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.BigIntegerField(_("unit price (cents)"))
    list_price = models.BigIntegerField(_("list price (cents)"), default=0)
    selling_price = models.BigIntegerField(_("selling price (cents)"), default=0)
    measurement_unit = models.CharField(_("measurement unit"), max_length=20, blank=True)
    unit_multiplier = models.DecimalField(
        _("unit multiplier"), max_digits=12, decimal_places=4, default=1
    )
    seller = models.CharField(_("seller"), max_length=64, blank=True)
    image_url = models.CharField(_("image"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["order_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["order", "position"], name="orderitem_unique_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderitem_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0, list_price__gte=0, selling_price__gte=0),
                name="orderitem_prices_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.name}"

    @property
    def total(self) -> int:
        return self.selling_price * self.quantity

    @property
    def invoice_unit_price(self) -> int:
        """The price of one unit on an invoice (and in an order change): the selling price,
        or the unit price when VTEX sent no selling price."""
        return self.selling_price or self.unit_price
