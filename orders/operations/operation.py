"""One operator operation on orders, as the operations table (``orders.operations.table``)
declares it: what it is called, who may run it, what the operator fills in (its form; none
for a one-click operation), the service that does it, and the one rule that says whether the
order allows it now (``refusal(order, summary) -> str | None``, which the service applies
again under the lock)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.functional import Promise

from orders.forms import OperationForm
from orders.models import Order
from orders.operations.common import ActionResult, Refusal
from orders.services.changes import ChangePreview


@dataclass(frozen=True)
class Operation:
    name: str
    label: Promise
    # Every one of them is needed (app label included).
    permissions: tuple[str, ...]
    refusal: Refusal
    # Called with the order, the user and the form's ``arguments()``.
    service: Callable[..., ActionResult | tuple[ActionResult, ...]]
    # What the operator fills in; None: done with one click on the order page.
    form: type[OperationForm] | None = None
    # The request in "... queued for: <orders>." (the label when not given); may name the
    # service's arguments.
    queued: Promise | None = None
    # The form page's title (the label when not given) and its submit button.
    title: Promise | None = None
    submit_label: Promise | None = None
    # A read the operator waits for before confirming (VTEX's preview of an order change):
    # ``preview(order=, summary=, arguments=)``; the form's submit asks for it, its
    # ``confirm`` button (``confirm_label``) runs the service.
    preview: Callable[..., ChangePreview] | None = None
    confirm_label: Promise | None = None
    # Listed with why beside the order page's buttons when the order does not allow it; not
    # for the operations on one change, offered in the change's row of the history.
    listed_when_unavailable: bool = True

    @property
    def one_click(self) -> bool:
        return self.form is None

    @property
    def page_title(self) -> Promise:
        return self.title or self.label

    def allowed_to(self, user: User | AnonymousUser) -> bool:
        return user.has_perms(self.permissions)

    def run(
        self, *, order: Order, user: User | None, arguments: dict[str, Any]
    ) -> tuple[ActionResult, ...]:
        """The service for one order; raises ``ActionRefused`` with the operator's message."""
        outcome = self.service(order=order, user=user, **arguments)
        return outcome if isinstance(outcome, tuple) else (outcome,)

    def queued_message(self, arguments: dict[str, Any]) -> str:
        return str(self.queued or self.label) % arguments


START_HANDLING = ("orders.start_handling_order",)
INVOICE = ("orders.invoice_order",)
TRACK = ("orders.track_order",)
CANCEL = ("orders.cancel_order",)
CHANGE = ("orders.register_order_change",)
REFRESH = ("orders.refresh_order",)
