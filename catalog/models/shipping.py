import re

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

cep = RegexValidator(r"^\d{8}$", _("Enter the CEP as 8 digits, without the hyphen."))

# VTEX's shipping estimate: a number and a unit, "3bd" (business days), "2d" (days), "4h"
# (hours), "30m" (minutes). Operators type business days; the other units may come from
# rules created before that, and are still answered to VTEX as they are.
SHIPPING_ESTIMATE = r"^\d{1,3}(bd|d|h|m)$"
BUSINESS_DAYS = "bd"
# A delivery estimate an operator types: 1 to 90 business days (about four months).
MAX_BUSINESS_DAYS = 90


def business_days_estimate(days: int) -> str:
    """VTEX's estimate of ``days`` business days: ``3`` -> ``"3bd"``."""
    return f"{days}{BUSINESS_DAYS}"


def _estimate_parts(estimate: str) -> tuple[int, str] | None:
    match = re.fullmatch(SHIPPING_ESTIMATE, estimate or "")
    if match is None:
        return None
    unit = match.group(1)
    return int(estimate[: -len(unit)]), unit


def business_days(estimate: str) -> int | None:
    """The business days of a VTEX estimate (``"3bd"`` -> 3); None for another unit."""
    parts = _estimate_parts(estimate)
    return parts[0] if parts and parts[1] == BUSINESS_DAYS else None


def business_days_display(estimate: str) -> str:
    """A VTEX estimate as people say it: ``"1bd"`` -> "1 dia útil", ``"3bd"`` -> "3 dias
    úteis" (in the current language); other units in their words, anything else as it is."""
    parts = _estimate_parts(estimate)
    if parts is None:
        return estimate
    count, unit = parts
    words = {
        BUSINESS_DAYS: ngettext("%(count)s business day", "%(count)s business days", count),
        "d": ngettext("%(count)s calendar day", "%(count)s calendar days", count),
        "h": ngettext("%(count)s hour", "%(count)s hours", count),
        "m": ngettext("%(count)s minute", "%(count)s minutes", count),
    }
    return words[unit] % {"count": count}


class DeliveryChannel(models.TextChoices):
    DELIVERY = "delivery", _("Delivery")
    PICKUP = "pickup-in-point", _("Pickup in point")


class ShippingRule(models.Model):
    """One SLA the fulfillment simulation offers for postal codes (CEPs) in a range, or for
    every postal code no range covers when it is the default."""

    name = models.CharField(_("SLA name"), max_length=50)
    delivery_channel = models.CharField(
        _("delivery channel"),
        max_length=20,
        choices=DeliveryChannel.choices,
        default=DeliveryChannel.DELIVERY,
    )
    postal_code_from = models.CharField(_("from CEP"), max_length=8, blank=True, validators=[cep])
    postal_code_to = models.CharField(_("to CEP"), max_length=8, blank=True, validators=[cep])
    is_default = models.BooleanField(
        _("default"),
        default=False,
        help_text=_("Offered for postal codes that no range of an SLA with this name covers."),
    )
    price = models.PositiveBigIntegerField(_("price (cents)"), default=0)
    # Stored as VTEX answers it (SHIPPING_ESTIMATE): "3bd".
    shipping_estimate = models.CharField(
        _("estimate"),
        max_length=10,
        validators=[RegexValidator(SHIPPING_ESTIMATE, _("Use VTEX's form: 3bd, 2d, 4h."))],
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping rule")
        verbose_name_plural = _("shipping rules")
        ordering = ["name", "postal_code_from"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(is_default=True, postal_code_from="", postal_code_to="")
                    | Q(
                        is_default=False,
                        postal_code_from__regex=r"^\d{8}$",
                        postal_code_to__regex=r"^\d{8}$",
                        postal_code_from__lte=F("postal_code_to"),
                    )
                ),
                name="shipping_rule_default_or_cep_range",
                violation_error_message=_(
                    "A default rule has no CEP range; any other rule needs both CEPs, "
                    "the first not above the last."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.is_default:
            return f"{self.name} ({_('default')})"
        return f"{self.name} ({self.postal_code_from} - {self.postal_code_to})"
