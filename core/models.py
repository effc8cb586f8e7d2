"""A named lock row with an expiry, so runs of a periodic task never overlap.

Works the same on SQLite and PostgreSQL: acquiring is an INSERT (unique name)
or an UPDATE of an expired row, both atomic in either database. The expiry
frees the lock when a worker dies mid-run.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskLock(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    owner = models.CharField(_("owner"), max_length=100)
    acquired_at = models.DateTimeField(_("acquired at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        # The table the orders app created: the model moved here (core/0001, orders/0013), its
        # rows stayed where they were.
        db_table = "orders_tasklock"
        verbose_name = _("task lock")
        verbose_name_plural = _("task locks")

    def __str__(self) -> str:
        return self.name
