"""Who or what made a change when no user did (or through which door a user came): the
source every app's audit rows and the outbox's commands record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Actor(models.TextChoices):
    """Where a change came from when no user made it (or through which door a user came)."""

    FEED = "feed", _("VTEX feed")
    HOOK = "hook", _("VTEX hook")
    BACKFILL = "backfill", _("Backfill")
    RECONCILE = "reconcile", _("Reconciliation")
    ADMIN = "admin", _("Admin")
    CSV = "csv", _("CSV import")
    SELLER_API = "seller-api", _("Seller API")
    OUTBOX = "outbox", _("VTEX command delivery")
