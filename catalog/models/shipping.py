from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

cep = RegexValidator(r"^\d{8}$", _("Enter the CEP as 8 digits, without the hyphen."))


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
    # VTEX's estimate format: a number and a unit, "3bd" (business days), "2d", "4h".
    shipping_estimate = models.CharField(
        _("estimate"),
        max_length=10,
        validators=[RegexValidator(r"^\d{1,3}(bd|d|h|m)$", _("Use VTEX's form: 3bd, 2d, 4h."))],
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
