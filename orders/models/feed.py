"""How the orders feed's drains went: one row, rewritten by every drain.

The dashboard and ``/healthz`` read it to tell operators whether the import keeps up (the last
successful drain) and why it does not (the last failure, with VTEX's error). One row whatever
the number of drains: reading it costs the same after a year as after a minute.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The FeedHealth row of VTEX's orders feed (v3).
ORDERS_FEED = "orders"


class FeedOutcome(models.TextChoices):
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    # 401/403: the AppKey/AppToken are wrong or lack the feed's License Manager resource.
    CREDENTIALS_REFUSED = "credentials-refused", _("VTEX refused the credentials")


class FeedHealth(models.Model):
    # The feed's name: one row per feed (the orders feed v3 is the only one today).
    name = models.CharField(_("name"), max_length=64, unique=True)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_outcome = models.CharField(
        _("last outcome"), max_length=24, choices=FeedOutcome.choices, blank=True
    )
    last_success_at = models.DateTimeField(_("last successful drain"), null=True, blank=True)
    # VTEX's error of the last failed run (the client's message: never a credential).
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    failures_in_a_row = models.PositiveIntegerField(_("failures in a row"), default=0)
    # The last successful drain stopped at its time budget: the feed still held items.
    items_left = models.BooleanField(_("items left in the feed"), default=False)
    last_items = models.PositiveIntegerField(_("items in the last drain"), default=0)

    class Meta:
        verbose_name = _("feed health")
        verbose_name_plural = _("feed health")

    def __str__(self) -> str:
        return self.name
