"""What an admin request that queues commands tells the operator: one message for what was
queued, one for what was already queued (nothing new is sent), one per refusal. Shared by
every app's buttons and list actions (orders, catalog)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _


def queued_report(
    request: HttpRequest,
    *,
    what: str,
    queued: Sequence[str],
    repeated: Sequence[str],
    refused: Iterable[tuple[str, str]] = (),
) -> None:
    """``what`` names the request ("Invoice NF1", "Change notification"); ``queued`` and
    ``repeated`` the subjects (order ids, SKU ids); ``refused`` (subject, reason) pairs."""
    if queued:
        messages.success(
            request,
            _("%(what)s queued for: %(names)s.") % {"what": what, "names": ", ".join(queued)},
        )
    if repeated:
        messages.info(
            request,
            _("Already queued earlier, nothing new sent for: %(names)s.")
            % {"names": ", ".join(repeated)},
        )
    for name, reason in refused:
        # A reason that already names its subject ("Order 1500-01 is invoiced...") is said
        # alone: the subject once per message.
        if name and name in reason:
            messages.warning(request, reason)
        else:
            messages.warning(
                request, _("%(name)s refused: %(reason)s") % {"name": name, "reason": reason}
            )
