"""The admin toolkit's operations: what an operator does to one record (an order, a SKU) from
its page or from the list, declared once per app in a table of ``Operation`` entries.

An app declares its table (``orders/operations/table.py``, ``catalog/operations.py``); its
admin mixes in ``OperationsAdminMixin`` and gets from the table: one URL per operation, the
page's buttons (and, beside them, the operations the record does not allow now, with why), one
view for every operation (permission, refusal, form, preview, service, report) and the list's
actions.

Every operation checks its own permissions, in the view and in the list's actions, not only in
the buttons shown: a button once answered 403 for every user while the tests that did not click
it passed, and a hidden button is no protection against a crafted POST.

Nothing here knows an app: the record's name in the services' keywords, the refusal the
services raise, how a request's outcome is reported and the form page's template are the
admin's (``OperationsAdminMixin``'s attributes).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import Promise

from core.admin_permissions import admin_user

if TYPE_CHECKING:
    from django.contrib.admin import AdminSite
    from django_stubs_ext import StrPromise

# ``refusal(record, situation) -> str | None``: why the record does not allow the operation now
# (None: it does). ``situation`` is what the admin reads once per page for every rule (the
# order's invoicing summary; nothing for a SKU).
Refusal = Callable[[Any, Any], "str | None"]

# The admin's records (``Order``, ``Sku``): what its hooks below are given.
RecordT = TypeVar("RecordT", bound=Model)


@dataclass(frozen=True)
class Operation:
    name: str
    label: StrPromise
    # Every one of them is needed (app label included).
    permissions: tuple[str, ...]
    refusal: Refusal
    # Called with the record (by the admin's keyword: ``order=``, ``sku=``), ``user=`` and the
    # form's ``arguments()``; returns what it queued (each with ``created``: False when the same
    # request was queued before) or a tuple of them; raises the app's refusal with ``message``.
    service: Callable[..., Any]
    # What the operator fills in; None: done with one click on the record's page.
    form: type | None = None
    # The request in "... queued for: <records>." (the label when not given); may name the
    # service's arguments.
    queued: Promise | None = None
    # The form page's title (the label when not given) and its submit button.
    title: Promise | None = None
    submit_label: Promise | None = None
    # A read the operator waits for before confirming (VTEX's preview of an order change):
    # ``preview(<record and situation>, arguments=)``; the form's submit asks for it, its
    # ``confirm`` button (``confirm_label``) runs the service.
    preview: Callable[..., Any] | None = None
    confirm_label: Promise | None = None
    # Listed with why beside the page's buttons when the record does not allow it; not for an
    # operation offered elsewhere on the page (an order change's retry, in the change's row).
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
        self, *, user: User | None, arguments: dict[str, Any], **record: Any
    ) -> tuple:
        """The service for one record (``order=order``); raises the app's refusal with the
        operator's message."""
        outcome = self.service(user=user, **record, **arguments)
        return outcome if isinstance(outcome, tuple) else (outcome,)

    def queued_message(self, arguments: dict[str, Any]) -> str:
        return str(self.queued or self.label) % arguments


def operations_allowed(
    operations: Mapping[str, Operation], *, user: User | AnonymousUser
) -> list[Operation]:
    """The operations of a table ``user`` may run, in the table's order."""
    return [operation for operation in operations.values() if operation.allowed_to(user)]


def operation_action(operation: Operation) -> Callable[..., None]:
    """The list's action running a one-click operation on each selected record
    (``<name>_selected``), offered to the users its permissions allow."""

    def action(modeladmin: OperationsAdminMixin, request: HttpRequest, queryset: QuerySet) -> None:
        modeladmin.run_selected(request, queryset, operation)

    action.__name__ = operation.name.replace("-", "_") + "_selected"
    return operation_list_action(operation)(action)


def operation_list_action(operation: Operation) -> Callable[[Callable], Callable]:
    """Marks a list action (one with its own form page) as running ``operation``: described by
    its label, offered to the users its permissions allow."""

    def decorate(action: Callable) -> Callable:
        action.operation = operation  # type: ignore[attr-defined]
        return admin.action(description=operation.label)(action)

    return decorate


class OperationsAdminMixin(Generic[RecordT]):
    """Mixed into a ``ModelAdmin`` (before it) whose records have an operations table."""

    # The ``ModelAdmin``'s, declared for the type checker (no value here).
    model: type[RecordT]
    admin_site: AdminSite

    # The table, in the order of the page's buttons.
    operations: ClassVar[Mapping[str, Operation]]
    # The record's keyword in the services' calls ("order", "sku").
    operation_record: ClassVar[str]
    # What the services raise to refuse, with the operator's words in ``message``.
    operation_refused: ClassVar[type[Exception]]
    # ``report(request, *, what, queued, repeated, refused)``: how the outcome is told (a
    # ``staticmethod``).
    operation_report: ClassVar[Callable[..., None]]
    # The page of an operation with a form.
    operation_form_template: ClassVar[str] = ""
    # The 404's words for an id that names no record.
    operation_not_found: ClassVar[str | Promise] = ""

    # --- What the app says about its records -----------------------------------------------

    def operation_situation(self, record: RecordT) -> Any:
        """What every rule of the table reads besides the record, read once per page."""
        return None

    def operation_keywords(self, record: RecordT, situation: Any) -> dict[str, Any]:
        """What a form and a preview are built with."""
        return {self.operation_record: record}

    def operation_label(self, record: RecordT) -> str:
        """The record in the report of what was queued ("1500-01", "7001")."""
        return str(record)

    def operation_page_context(
        self,
        request: HttpRequest,
        record: RecordT,
        operation: Operation,
        *,
        situation: Any,
        form: Any,
        preview: Any,
    ) -> dict[str, Any]:
        """What the app's form page shows beside the form (totals, notes, a preview)."""
        return {}

    # --- URLs, buttons -----------------------------------------------------------------------

    def operation_url_name(self, operation: Operation) -> str:
        opts = self.model._meta
        return f"{opts.app_label}_{opts.model_name}_op_{operation.name.replace('-', '_')}"

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.operation_view)
        urls = [
            path(
                f"<path:object_id>/operations/{operation.name}/",
                view,
                {"name": operation.name},
                name=self.operation_url_name(operation),
            )
            for operation in self.operations.values()
        ]
        return urls + super().get_urls()  # type: ignore[misc]

    def operation_buttons(
        self, request: HttpRequest, record: RecordT, *, situation: Any
    ) -> dict[str, list[dict[str, Any]]]:
        """The page's operations (``admin/operations/buttons.html``): a button for each one the
        user may run and the record allows now; beside them, those the user may run but the
        record does not allow, each with why (the table's rule), so nobody opens a form or
        clicks to learn it."""
        buttons, unavailable = [], []
        for operation in operations_allowed(self.operations, user=request.user):
            refusal = operation.refusal(record, situation)
            if refusal is not None:
                if operation.listed_when_unavailable:
                    unavailable.append(
                        {"name": operation.name, "label": operation.label, "why": refusal}
                    )
                continue
            buttons.append(
                {
                    "name": operation.name,
                    "label": operation.label,
                    "url": reverse(f"admin:{self.operation_url_name(operation)}", args=[record.pk]),
                    "one_click": operation.one_click,
                }
            )
        return {"buttons": buttons, "unavailable": unavailable}

    # --- The list's actions ------------------------------------------------------------------

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {
            name: action
            for name, action in super().get_actions(request).items()  # type: ignore[misc]
            if not hasattr(action[0], "operation") or action[0].operation.allowed_to(request.user)
        }

    def run_selected(
        self,
        request: HttpRequest,
        queryset: QuerySet,
        operation: Operation,
        arguments: dict[str, Any] | None = None,
    ) -> None:
        """The operation on each selected record, each in its own transaction: one refusal
        stops no other."""
        if not operation.allowed_to(request.user):
            raise PermissionDenied
        arguments = arguments or {}
        outcomes: list[tuple[RecordT, tuple]] = []
        refusals: list[tuple[RecordT, str]] = []
        for record in queryset.order_by("pk"):
            try:
                outcomes.append((record, self._run_service(request, operation, record, arguments)))
            except self.operation_refused as refusal:
                refusals.append((record, refusal.message))  # type: ignore[attr-defined]
        self.report_operation(request, operation, arguments, outcomes=outcomes, refusals=refusals)

    def report_operation(
        self,
        request: HttpRequest,
        operation: Operation,
        arguments: dict[str, Any],
        *,
        outcomes: Iterable[tuple[RecordT, tuple]],
        refusals: Iterable[tuple[RecordT, str]] = (),
    ) -> None:
        """What was queued, what had been queued before, what was refused, by record."""
        queued: list[str] = []
        repeated: list[str] = []
        for record, results in outcomes:
            for result in results:
                (queued if result.created else repeated).append(self.operation_label(record))
        self.operation_report(
            request,
            what=operation.queued_message(arguments),
            queued=queued,
            repeated=repeated,
            refused=[(self.operation_label(record), reason) for record, reason in refusals],
        )

    # --- One view for every operation on one record ------------------------------------------

    def operation_view(self, request: HttpRequest, object_id: str, name: str) -> HttpResponse:
        """Any operation of the table on one record.

        One-click: a POST runs it and goes back to the record's page, with what was queued or
        why not. With a form: a GET shows the form, or, where the record does not allow the
        operation, why (nothing to submit); a valid POST runs it and goes back to the record's
        page, a refused one shows the form again with the refusal. With a preview: the valid
        form shows the preview first, and its confirm button runs the operation.
        """
        operation = self.operations[name]
        record = self._record_for(request, object_id, operation)
        if operation.one_click:
            if request.method != "POST":
                return HttpResponseNotAllowed(["POST"])
            self._run(request, operation, record, {})
            return self._back_to_record(record)
        situation = self.operation_situation(record)
        keywords = self.operation_keywords(record, situation)
        assert operation.form is not None
        if request.method != "POST":
            refusal = operation.refusal(record, situation)
            if refusal is not None:
                return self._operation_page(
                    request, record, operation, situation=situation, refusal=refusal
                )
            form = operation.form(**keywords)
        else:
            form = operation.form(request.POST, **keywords)
            if form.is_valid():
                if operation.preview is None:
                    if self._run(request, operation, record, form.arguments()):
                        return self._back_to_record(record)
                else:
                    confirmed = form.confirmed_preview() if "confirm" in request.POST else None
                    if confirmed is not None:
                        arguments = {**form.arguments(), "preview": confirmed}
                        if self._run(request, operation, record, arguments):
                            return self._back_to_record(record)
                    else:
                        return self._preview_page(request, record, operation, form, situation)
        return self._operation_page(request, record, operation, situation=situation, form=form)

    def _preview_page(
        self, request: HttpRequest, record: RecordT, operation: Operation, form: Any, situation: Any
    ) -> HttpResponse:
        """The preview of what the operator built (a read the request waits for: nothing
        changes), with the button that confirms it; a refused preview is an error above the
        form."""
        keywords = self.operation_keywords(record, situation)
        assert operation.preview is not None and operation.form is not None
        try:
            preview = operation.preview(**keywords, arguments=form.arguments())
        except self.operation_refused as refusal:
            form.add_error(None, refusal.message)  # type: ignore[attr-defined]
            return self._operation_page(request, record, operation, situation=situation, form=form)
        data = request.POST.copy()
        data["confirmation"] = form.confirmation_for(preview)
        form = operation.form(data, **keywords)
        form.is_valid()
        return self._operation_page(
            request, record, operation, situation=situation, form=form, preview=preview
        )

    def _record_for(self, request: HttpRequest, object_id: str, operation: Operation) -> RecordT:
        if not operation.allowed_to(request.user):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if record is None:
            raise Http404(self.operation_not_found)
        if not self.has_view_permission(request, record):  # type: ignore[attr-defined]
            raise PermissionDenied
        return record

    def _run_service(
        self, request: HttpRequest, operation: Operation, record: RecordT, arguments: dict[str, Any]
    ) -> tuple:
        return operation.run(
            user=admin_user(request), arguments=arguments, **{self.operation_record: record}
        )

    def _run(
        self, request: HttpRequest, operation: Operation, record: RecordT, arguments: dict[str, Any]
    ) -> bool:
        """Run the operation on one record and say what was queued; False, with the refusal
        in the page's messages, when the service refused."""
        try:
            results = self._run_service(request, operation, record, arguments)
        except self.operation_refused as refusal:
            messages.error(request, refusal.message)  # type: ignore[attr-defined]
            return False
        self.report_operation(request, operation, arguments, outcomes=[(record, results)])
        return True

    def record_url(self, record: RecordT) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])

    def _back_to_record(self, record: RecordT) -> HttpResponseRedirect:
        return HttpResponseRedirect(self.record_url(record))

    def _operation_page(
        self,
        request: HttpRequest,
        record: RecordT,
        operation: Operation,
        *,
        situation: Any,
        form: Any = None,
        refusal: str | None = None,
        preview: Any = None,
    ) -> HttpResponse:
        """The operation's form, or (``refusal``) why the record does not allow it."""
        return TemplateResponse(
            request,
            self.operation_form_template,
            {
                **self.admin_site.each_context(request),
                "title": operation.page_title,
                "subtitle": self.operation_label(record),
                "opts": self.model._meta,
                "form": form,
                "refusal": refusal,
                "submit_label": operation.submit_label,
                "confirm_label": operation.confirm_label,
                **self.operation_page_context(
                    request, record, operation, situation=situation, form=form, preview=preview
                ),
            },
        )
