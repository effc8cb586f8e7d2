"""The outbox in the admin: what was asked of VTEX, every attempt, and the two things an
operator can do about a command (retry it now, or mark it resolved with a note)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_display import badge, short_datetime, truncated
from core.admin_permissions import ReadOnlyAdminMixin, admin_user
from outbox.enqueue import command_superseded_key
from outbox.forms import ResolveForm
from outbox.models import CommandAttempt, CommandState, VtexCommand
from outbox.operator import command_mark_resolved, command_retry_now
from outbox.records import EMBEDDED_XML_FIELDS, Outcome
from outbox.refusals import refusal_explanation, vtex_answer, vtex_answer_text
from outbox.selectors import commands_needing_attention

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# Read by the stored value (a state this code no longer knows gets the default).
STATE_COLOURS: dict[str, str] = {
    CommandState.PENDING: "#6b7280",
    CommandState.SENDING: "#2563eb",
    CommandState.SUCCEEDED: "#16a34a",
    CommandState.REJECTED: "#dc2626",
    CommandState.RETRYING: "#d97706",
    CommandState.DEAD: "#7f1d1d",
}


# What an attempt did, in the operator's language (the attempt stores the value).
OUTCOME_LABELS: dict[str, StrPromise] = {
    Outcome.SUCCEEDED: gettext_lazy("Succeeded"),
    Outcome.ALREADY_APPLIED: gettext_lazy("Already applied (seen when VTEX was read again)"),
    Outcome.REJECTED: gettext_lazy("Rejected by VTEX"),
    Outcome.FAILED: gettext_lazy("Failed (VTEX may have received it)"),
    Outcome.NOT_SENT: gettext_lazy("Not sent (VTEX could not be reached)"),
    Outcome.RATE_LIMITED: gettext_lazy("Paused: VTEX asked to slow down"),
}


def state_badge(command: VtexCommand) -> str:
    return badge(
        "command-state",
        command.state,
        command.get_state_display(),
        STATE_COLOURS.get(command.state, "#6b7280"),
    )


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = gettext_lazy("needs attention")
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", gettext_lazy("Rejected or given up, not resolved"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(commands_needing_attention())
        return queryset


class CommandAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CommandAttempt
    extra = 0
    can_delete = False
    fields = (
        "attempted_at",
        "method",
        "path",
        "response_status",
        "outcome_display",
        "error_display",
        "duration_ms",
        "task_id",
        "request_display",
        "response_body",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("outcome"))
    def outcome_display(self, attempt: CommandAttempt) -> str:
        return str(OUTCOME_LABELS.get(attempt.outcome, attempt.outcome))

    @admin.display(description=gettext_lazy("error code"))
    def error_display(self, attempt: CommandAttempt) -> str:
        if not attempt.error_code:
            return "—"
        explanation = refusal_explanation(attempt.error_code)
        if not explanation:
            return attempt.error_code
        return format_html(
            '{}<br><small style="display:block;min-width:14em">{}</small>',
            attempt.error_code,
            explanation,
        )

    @admin.display(description=gettext_lazy("request body"))
    def request_display(self, attempt: CommandAttempt) -> str:
        if attempt.request_body is None:
            return "—"
        return format_html(
            "<pre style='white-space:pre-wrap;max-width:40em'>{}</pre>",
            json.dumps(attempt.request_body, indent=1, ensure_ascii=False),
        )


@admin.register(VtexCommand)
class VtexCommandAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # What an operator reads on one screen (issue 19): the state with its attempts and next
    # try in one column, VTEX's answer and the long key cut to their columns (whole on hover
    # and on the command's page, with every other field).
    list_display = (
        "key_display",
        "kind",
        "subject_link",
        "state_summary",
        "answer_summary",
        "requested_by_display",
        "created_display",
    )
    list_filter = ("state", "kind", NeedsAttentionFilter, "target", "source")
    # A subject's page (an order's) links to its commands with these filters.
    extra_lookups = ("subject_type__id__exact", "subject_id__exact")
    # Keys start with the subject's id at VTEX ({order id}:invoice:{number}...).
    search_fields = ("key",)
    search_help_text = gettext_lazy("Command key or VTEX order id.")
    list_select_related = ("requested_by",)
    list_per_page = 100
    show_full_result_count = False
    ordering = ("-pk",)
    inlines = [CommandAttemptInline]
    actions = ["retry_now", "mark_resolved"]
    fields = (
        "key",
        "kind",
        "subject_link",
        "target",
        "target_endpoint",
        "state_display",
        "attempts",
        "failures",
        "next_attempt_at",
        "needs_verification",
        "error_display",
        "receipt",
        "source",
        "requested_by",
        "created_at",
        "finished_at",
        "resolved_by",
        "resolved_at",
        "resolution_note",
        "payload_display",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[VtexCommand]:
        return super().get_queryset(request).prefetch_related("subject")

    @admin.display(description=gettext_lazy("subject"))
    def subject_link(self, command: VtexCommand) -> str:
        subject = command.subject
        if subject is None:
            return "—"
        opts = subject._meta
        return format_html(
            '<a href="{}">{}</a>',
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[subject.pk]),
            subject,
        )

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_display(self, command: VtexCommand) -> str:
        return state_badge(command)

    @admin.display(description=gettext_lazy("key"), ordering="key")
    def key_display(self, command: VtexCommand) -> str:
        return truncated(command.key, 9, lines=2)

    @admin.display(description=gettext_lazy("state"), ordering="state")
    def state_summary(self, command: VtexCommand) -> str:
        """The state's badge; under it the attempts so far and, while the command waits for
        another, when it is."""
        attempts = ngettext("%(count)d attempt", "%(count)d attempts", command.attempts) % {
            "count": command.attempts
        }
        waiting = command.state in (CommandState.PENDING, CommandState.RETRYING)
        if not (waiting and command.next_attempt_at):
            return format_html(
                '{}<small class="bo-under">{}</small>', state_badge(command), attempts
            )
        return format_html(
            '{}<small class="bo-under">{}</small><small class="bo-under">{}</small>',
            state_badge(command),
            attempts,
            _("next: %(when)s") % {"when": short_datetime(command.next_attempt_at)},
        )

    @admin.display(description=gettext_lazy("VTEX's answer"))
    def answer_summary(self, command: VtexCommand) -> str:
        return truncated(
            vtex_answer_text(command.last_error_code, command.last_error_message), 13, lines=3
        )

    @admin.display(description=gettext_lazy("requested by"), ordering="requested_by")
    def requested_by_display(self, command: VtexCommand) -> str:
        return truncated(command.requested_by, 8)

    @admin.display(description=gettext_lazy("created at"), ordering="created_at")
    def created_display(self, command: VtexCommand) -> str:
        return short_datetime(command.created_at)

    @admin.display(description=gettext_lazy("VTEX's answer"))
    def error_display(self, command: VtexCommand) -> str:
        return vtex_answer(command.last_error_code, command.last_error_message)

    @admin.display(description=gettext_lazy("payload"))
    def payload_display(self, command: VtexCommand) -> str:
        payload = {k: v for k, v in command.payload.items() if k.lower() not in EMBEDDED_XML_FIELDS}
        return format_html(
            "<pre style='white-space:pre-wrap'>{}</pre>",
            json.dumps(payload, indent=2, ensure_ascii=False),
        )

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("outbox.retry_vtexcommand")

    def has_resolve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("outbox.resolve_vtexcommand")

    @admin.action(description=gettext_lazy("Retry now"), permissions=["retry"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[VtexCommand]) -> None:
        retried: list[str] = []
        skipped: list[str] = []
        for command in queryset.order_by("pk"):
            done = command_retry_now(command=command, user=admin_user(request))
            (retried if done else skipped).append(command.key)
        if retried:
            messages.success(request, _("Queued again: %(keys)s.") % {"keys": ", ".join(retried)})
        for key in skipped:
            if command_superseded_key(key):
                messages.warning(
                    request,
                    _(
                        "%(key)s was replaced by a newer request (%(current)s); retry that one "
                        "instead, this one is never sent again."
                    )
                    % {"key": key, "current": key.split("~", 1)[0]},
                )
                continue
            messages.warning(
                request, _("%(key)s is succeeded or being sent; nothing to retry.") % {"key": key}
            )

    @admin.action(description=gettext_lazy("Mark resolved"), permissions=["resolve"])
    def mark_resolved(
        self, request: HttpRequest, queryset: QuerySet[VtexCommand]
    ) -> HttpResponse | None:
        form = ResolveForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            resolved: list[str] = []
            skipped: list[str] = []
            for command in queryset.order_by("pk"):
                done = command_mark_resolved(
                    command=command, user=admin_user(request), note=form.cleaned_data["note"]
                )
                (resolved if done else skipped).append(command.key)
            if resolved:
                messages.success(
                    request, _("Marked resolved: %(keys)s.") % {"keys": ", ".join(resolved)}
                )
            for key in skipped:
                messages.warning(
                    request,
                    _("%(key)s is succeeded or being sent; nothing to resolve.") % {"key": key},
                )
            return None
        return TemplateResponse(
            request,
            "admin/action_with_form.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Mark commands resolved"),
                "opts": self.model._meta,
                "objects": queryset,
                "form": form,
                "action": "mark_resolved",
                "submit_label": _("Mark resolved"),
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "select_across": request.POST.get("select_across", "0"),
            },
        )
