"""Mirror of an order's `packageAttachment.packages[]`: invoices, their items and tracking.

Filled by `orders.services.sync` from GetOrder; VTEX has one package per invoice.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.order import Order


class InvoiceType(models.TextChoices):
    OUTPUT = "Output", _("Sale (output)")
    INPUT = "Input", _("Return (input)")


class Invoice(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="invoices", verbose_name=_("order")
    )
    number = models.CharField(_("number"), max_length=64)
    type = models.CharField(
        _("type"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.OUTPUT
    )
    value = models.BigIntegerField(_("value (cents)"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    key = models.CharField(_("NF-e key"), max_length=64, blank=True)
    url = models.CharField(_("invoice URL"), max_length=1000, blank=True)
    courier = models.CharField(_("courier"), max_length=200, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=200, blank=True)
    tracking_url = models.CharField(_("tracking URL"), max_length=1000, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    delivered = models.BooleanField(_("delivered"), default=False)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["order_id", "issued_at", "pk"]
        indexes = [
            # The invoice list, newest first.
            models.Index(fields=["issued_at", "id"], name="invoice_issued_idx"),
            # Sales invoices still without tracking: a queue of the dashboard and the order
            # list's late flag (orders.selectors.ORDER_QUEUES), a few among a million.
            models.Index(
                fields=["order"],
                condition=Q(type="Output", tracking_number=""),
                name="invoice_untracked_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "type", "number"], name="invoice_unique_number_per_order"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="invoice_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.number}"


class InvoiceItem(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="items", verbose_name=_("invoice")
    )
    # VTEX's packages[].items[] point at the order's items[] by index; the SKU is resolved from it.
    item_index = models.PositiveIntegerField(_("item index"))
    sku_id = models.CharField(_("SKU id"), max_length=64, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.BigIntegerField(_("unit price (cents)"))

    class Meta:
        verbose_name = _("invoice item")
        verbose_name_plural = _("invoice items")
        ordering = ["invoice_id", "item_index", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="invoiceitem_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.sku_id or self.item_index}"


class TrackingEvent(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="tracking_events", verbose_name=_("invoice")
    )
    city = models.CharField(_("city"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # A day, not a moment: carriers and operators give events as YYYY-MM-DD (a time VTEX adds
    # is reduced to its day in the back office's time zone by the import).
    occurred_at = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        ordering = ["invoice_id", "occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.city}/{self.state}: {self.description}"
