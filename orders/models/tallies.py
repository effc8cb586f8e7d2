"""How many orders each status holds, kept as the orders change (issue 20: a GROUP BY over a
million orders on every order list and dashboard took 250-580 ms).

On PostgreSQL, statement triggers on ``orders_order`` (migration orders.0015) append one
row per status a statement moved (``delta``: +n, -n), whatever wrote it (the sync's bulk
inserts, a service's ``save``, a ``QuerySet.update``, a TRUNCATE); a status's count is the
sum of its rows. Appending, never updating one row per status, so concurrent imports never
wait for each other's counter nor deadlock on them;
``orders.services.tallies.order_status_tally_compact`` folds the rows after each feed drain.
On SQLite (``make run``) the table stays empty and the counts are a GROUP BY.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatusTally(models.Model):
    status = models.CharField(_("status"), max_length=64)
    delta = models.BigIntegerField(_("change in the count"))

    class Meta:
        verbose_name = _("order status tally")
        verbose_name_plural = _("order status tallies")

    def __str__(self) -> str:
        return f"{self.status} {self.delta:+d}"
