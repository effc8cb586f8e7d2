from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.validators import SkuId

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The seller's SKU id, typed on the SKU page or in a file, checked by both.
SELLER_SKU_ID = SkuId(_("The seller SKU id"), 64)


class Binding(models.TextChoices):
    """Whether the marketplace knows the SKU: a change notification answered 200 (bound) or
    404 (not bound: a suggestion is needed); the marketplace approves or denies suggestions."""

    UNKNOWN = "unknown", _("Not notified yet")
    NOT_BOUND = "not-bound", _("Not bound")
    SUGGESTED = "suggested", _("Suggestion sent")
    BOUND = "bound", _("Bound")
    DENIED = "denied", _("Suggestion denied")


# GTIN-8, UPC-A (12), EAN-13 and GTIN-14: the lengths a barcode number has.
EAN_LENGTHS = (8, 12, 13, 14)


def ean_validate(value: str) -> None:
    """An EAN (GTIN) is 8, 12, 13 or 14 digits whose last one checks the others (GS1's
    weights 3 and 1 from the right): a wrong check digit is a typo."""
    if not (value.isascii() and value.isdigit() and len(value) in EAN_LENGTHS):
        raise ValidationError(
            _("An EAN has 8, 12, 13 or 14 digits and nothing else; “%(value)s” does not."),
            code="ean_digits",
            params={"value": value[:20]},
        )
    body = [int(digit) for digit in reversed(value[:-1])]
    total = sum(digit * (3 if index % 2 == 0 else 1) for index, digit in enumerate(body))
    if (10 - total % 10) % 10 != int(value[-1]):
        raise ValidationError(
            _("The EAN %(value)s has a wrong check digit; check it for a typo."),
            code="ean_check_digit",
            params={"value": value},
        )


def _measure(
    label: StrOrPromise, *, max_digits: int = 8, decimal_places: int = 2
) -> models.DecimalField:
    """A package measure: optional, never negative."""
    return models.DecimalField(
        label,
        max_digits=max_digits,
        decimal_places=decimal_places,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )


class Sku(models.Model):
    sku_id = models.CharField(
        _("seller SKU id"), max_length=64, unique=True, validators=[SELLER_SKU_ID]
    )
    name = models.CharField(_("SKU name"), max_length=200)
    product_name = models.CharField(_("product name"), max_length=200)
    # The seller's product id, shared by the SKUs of one product; empty: the SKU is its own
    # product (the suggestion's ProductId is then the SKU id).
    product_id = models.CharField(_("product id"), max_length=64, blank=True)
    description = models.TextField(_("description"), blank=True)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    # The marketplace's category path, levels separated by "/" ("Esporte/Corrida/Tênis").
    category_path = models.CharField(_("category"), max_length=255, blank=True)
    ean = models.CharField(_("EAN"), max_length=14, blank=True, validators=[ean_validate])
    ref_id = models.CharField(_("reference id"), max_length=64, blank=True)
    weight_kg = _measure(_("weight (kg)"), max_digits=9, decimal_places=3)
    height_cm = _measure(_("height (cm)"))
    width_cm = _measure(_("width (cm)"))
    length_cm = _measure(_("length (cm)"))
    # Image URLs, in the order the marketplace should show them.
    images = models.JSONField(_("images"), default=list, blank=True)
    # Specification name -> value(s), as the Suggestions API takes them.
    specifications = models.JSONField(_("specifications"), default=dict, blank=True)

    price = models.PositiveBigIntegerField(_("price (cents)"), default=0)
    list_price = models.PositiveBigIntegerField(_("list price (cents)"), default=0)
    # Units on hand; what placed orders hold is in StockReservation.
    # The column's limit on PostgreSQL, checked on every database (SQLite has none).
    stock = models.PositiveIntegerField(
        _("stock"), default=0, validators=[MaxValueValidator(2_147_483_647)]
    )
    active = models.BooleanField(_("active"), default=True)

    binding = models.CharField(
        _("binding at the marketplace"),
        max_length=16,
        choices=Binding.choices,
        default=Binding.UNKNOWN,
    )
    binding_checked_at = models.DateTimeField(_("binding checked at"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")
        ordering = ["sku_id"]
        permissions = [
            ("notify_sku_change", _("Can notify the marketplace of SKU changes")),
            ("send_sku_suggestion", _("Can send SKU suggestions to the marketplace")),
            ("import_sku", _("Can import SKUs, prices and stock from files")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price=0) | Q(list_price__gte=F("price")),
                name="sku_list_price_not_below_price",
                violation_error_message=_(
                    "The list price cannot be below the price (0: no list price)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku_id} · {self.name}"


class SuggestionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    BOUND = "bound", _("Approved and bound")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class SkuSuggestion(models.Model):
    """One suggestion of a SKU to the marketplace (PUT on the Suggestions API): the payload
    as built from the SKU when it was asked for, and where it stands."""

    sku = models.ForeignKey(
        Sku, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("SKU")
    )
    payload = models.JSONField(_("payload sent"), default=dict)
    state = models.CharField(
        _("state"),
        max_length=10,
        choices=SuggestionState.choices,
        default=SuggestionState.DRAFT,
        db_index=True,
    )
    last_error = models.TextField(_("last error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SKU suggestion")
        verbose_name_plural = _("SKU suggestions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sku.sku_id} · {self.get_state_display()}"


class NotificationKind(models.TextChoices):
    CHANGE = "change", _("SKU change")
    PRICE = "price", _("Price")
    INVENTORY = "inventory", _("Inventory")


class NotificationOutcome(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    BOUND = "bound", _("Bound: the marketplace will read the SKU again")
    NOT_BOUND = "not-bound", _("Not bound: a suggestion is needed")
    ACCEPTED = "accepted", _("Accepted")
    FAILED = "failed", _("Failed")


class SkuChangeNotification(models.Model):
    """The log of notifications sent to the marketplace about a SKU and what it answered."""

    sku = models.ForeignKey(
        Sku, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("SKU")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=NotificationKind.choices)
    # What changed, for the operator ("price 3990 → 3490", "stock 4 → 0", "import of file X").
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    outcome = models.CharField(
        _("outcome"),
        max_length=10,
        choices=NotificationOutcome.choices,
        default=NotificationOutcome.PENDING,
    )
    detail = models.TextField(_("marketplace's answer"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SKU change notification")
        verbose_name_plural = _("SKU change notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sku.sku_id} · {self.get_kind_display()} · {self.get_outcome_display()}"


class StockReservation(models.Model):
    """Units of a SKU held by a marketplace order from its placement until it is invoiced
    (the units leave the stock) or canceled (they go back)."""

    sku = models.ForeignKey(
        Sku, on_delete=models.PROTECT, related_name="reservations", verbose_name=_("SKU")
    )
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.CASCADE,
        related_name="stock_reservations",
        verbose_name=_("order"),
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock reservation")
        verbose_name_plural = _("stock reservations")
        constraints = [
            models.UniqueConstraint(fields=["order", "sku"], name="reservation_one_per_order_sku"),
        ]
        indexes = [
            models.Index(
                fields=["sku"],
                condition=Q(released_at__isnull=True),
                name="reservation_held_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku.sku_id} x {self.quantity}"
