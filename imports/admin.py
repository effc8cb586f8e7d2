"""Import batches in the admin: the upload page of each kind (with its format and a template
file), the batch page (the preview of every row, the progress of a large file, confirm or
discard), the refused rows as CSV, and the list of every batch.

Thin: parse the request, call ``imports.services``, show the outcome.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from core.admin_display import short_datetime, truncated
from core.admin_permissions import ReadOnlyAdminMixin, admin_user
from imports.files import IGNORED, MAPPED, UNKNOWN, FileRefused
from imports.forms import ColumnsForm, ConfirmForm, UploadForm
from imports.kinds import ImportKind, import_kind, import_kinds, kind_choices
from imports.models import (
    CONFIRMABLE_STATUSES,
    DISCARDABLE_STATUSES,
    BatchStatus,
    ImportBatch,
    RowStatus,
)
from imports.selectors import batches_needing_attention
from imports.services import (
    BatchRefused,
    batch_columns_of,
    batch_columns_set,
    batch_confirm,
    batch_create,
    batch_discard,
    refused_rows_csv,
    row_label,
)
from imports.spreadsheet import cell_safe

# The batch page lists this many refused rows and this many others (the CSV has every
# refused row).
REFUSED_SHOWN = 1000
OTHERS_SHOWN = 200


class KindFilter(admin.SimpleListFilter):
    title = gettext_lazy("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return kind_choices()

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        return queryset.filter(kind=self.value()) if self.value() else queryset


class NeedsAttentionFilter(admin.SimpleListFilter):
    title = gettext_lazy("needs attention")
    parameter_name = "attention"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", gettext_lazy("Refused rows to fix"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "yes":
            return queryset.filter(batches_needing_attention(now=timezone.now()))
        return queryset


# A list with its app's import buttons and django-import-export's Export: a ModelAdmin with
# ExportMixin sets it as ``import_export_change_list_template`` and puts ``import_links`` in
# its changelist's context.
LIST_WITH_IMPORTS_TEMPLATE = "admin/imports/change_list_with_imports.html"


def upload_url(kind_name: str) -> str:
    return reverse("admin:imports_importbatch_upload", args=[kind_name])


def in_sentence(label: object) -> str:
    """A kind's label inside a sentence ("Import tracking numbers"): lower case, except the
    acronyms, words of two capitals or more ("Import SKUs", "NF-e")."""
    return " ".join(
        word if sum(char.isupper() for char in word) >= 2 else word.lower()
        for word in str(label).split()
    )


def import_links(request: HttpRequest, app_label: str) -> list[tuple[str, str]]:
    """(label, URL) of each import of ``app_label``'s kinds that the user may run."""
    return [
        (_("Import %(kind)s") % {"kind": in_sentence(kind.label)}, upload_url(kind.name))
        for kind in import_kinds()
        if kind.permission.startswith(f"{app_label}.") and request.user.has_perm(kind.permission)
    ]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "file_name_display",
        "kind_display",
        "user_display",
        "created_display",
        "status",
        "rows_display",
    )
    list_filter = ("status", KindFilter, NeedsAttentionFilter)
    list_select_related = ("user",)
    date_hierarchy = "created_at"
    list_per_page = 50
    ordering = ("-created_at", "-pk")

    @admin.display(description=gettext_lazy("batch"), ordering="pk")
    def number(self, batch: ImportBatch) -> int:
        return batch.pk

    @admin.display(description=gettext_lazy("kind"), ordering="kind")
    def kind_display(self, batch: ImportBatch) -> str:
        return _kind_label(batch.kind)

    @admin.display(description=gettext_lazy("file name"), ordering="file_name")
    def file_name_display(self, batch: ImportBatch) -> str:
        return truncated(batch.file_name, 12, lines=2)

    @admin.display(description=gettext_lazy("user"), ordering="user")
    def user_display(self, batch: ImportBatch) -> str:
        return truncated(batch.user, 8)

    @admin.display(description=gettext_lazy("rows"), ordering="total_rows")
    def rows_display(self, batch: ImportBatch) -> str:
        """The file's rows; under them how many were refused and imported (one column: the
        list fits the screen; the batch page has each figure)."""
        return format_html(
            '{}<small class="bo-under">{}</small><small class="bo-under">{}</small>',
            number_format(batch.total_rows, force_grouping=True),
            ngettext("%(count)s refused", "%(count)s refused", batch.refused_rows)
            % {"count": number_format(batch.refused_rows, force_grouping=True)},
            ngettext("%(count)s imported", "%(count)s imported", batch.imported_rows)
            % {"count": number_format(batch.imported_rows, force_grouping=True)},
        )

    @admin.display(description=gettext_lazy("uploaded at"), ordering="created_at")
    def created_display(self, batch: ImportBatch) -> str:
        return short_datetime(batch.created_at)

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).defer("content")

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "upload/<str:kind_name>/", wrap(self.upload_view), name="imports_importbatch_upload"
            ),
            path(
                "template/<str:kind_name>/",
                wrap(self.template_view),
                name="imports_importbatch_template",
            ),
            path(
                "<path:object_id>/confirm/",
                wrap(self.confirm_view),
                name="imports_importbatch_confirm",
            ),
            path(
                "<path:object_id>/discard/",
                wrap(self.discard_view),
                name="imports_importbatch_discard",
            ),
            path(
                "<path:object_id>/columns/",
                wrap(self.columns_view),
                name="imports_importbatch_columns",
            ),
            path(
                "<path:object_id>/refused.csv",
                wrap(self.refused_view),
                name="imports_importbatch_refused",
            ),
            *super().get_urls(),
        ]

    # --- Upload -----------------------------------------------------------------------------

    def upload_view(self, request: HttpRequest, kind_name: str) -> HttpResponse:
        kind = self._kind_for(request, kind_name)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = batch_create(
                    kind_name=kind.name,
                    file_name=upload.name,
                    content=upload.read(),
                    user=admin_user(request),
                    policy=form.cleaned_data["policy"],
                )
            except FileRefused as refusal:
                form.add_error("file", refusal.message)
            else:
                _report(request, batch)
                return HttpResponseRedirect(self._batch_url(batch))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import %(kind)s") % {"kind": in_sentence(kind.label)},
            "kind": kind,
            "form": form,
            "columns": kind.columns,
            "template_url": reverse("admin:imports_importbatch_template", args=[kind.name]),
        }
        return TemplateResponse(request, "admin/imports/importbatch/upload.html", context)

    def template_view(self, request: HttpRequest, kind_name: str) -> HttpResponse:
        kind = self._kind_for(request, kind_name)
        output = io.StringIO()
        writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
        names = kind.column_names()
        writer.writerow(names)
        for example in kind.example_rows:
            writer.writerow([cell_safe(example.get(name, "")) for name in names])
        response = HttpResponse(
            "\ufeff" + output.getvalue(), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{kind.name}-template.csv"'
        return response

    # --- One batch --------------------------------------------------------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        batch = self._batch_for(request, object_id)
        rows = batch.rows.all()
        refused = list(rows.filter(status=RowStatus.REFUSED).order_by("number")[:REFUSED_SHOWN])
        others = list(rows.exclude(status=RowStatus.REFUSED).order_by("number")[:OTHERS_SHOWN])
        may_import = self._may_import(request, batch.kind)
        may_confirm = may_import and batch.status in CONFIRMABLE_STATUSES
        columns_form = self._columns_form(batch) if may_confirm else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import batch %(batch)s: %(file)s")
            % {"batch": batch.pk, "file": batch.file_name},
            "batch": batch,
            "kind_label": _kind_label(batch.kind),
            "refused": [(row, row_label(row.number, row.message)) for row in refused],
            "others": others,
            "more_refused": max(0, batch.refused_rows - len(refused)),
            "more_others": max(0, batch.total_rows - batch.refused_rows - len(others)),
            "confirm_form": ConfirmForm(initial={"policy": batch.policy}),
            "may_confirm": may_confirm,
            "may_discard": may_import and batch.status in DISCARDABLE_STATUSES,
            "file_columns": _file_columns(batch, columns_form),
            "columns_form": columns_form,
            "unknown_columns": batch_columns_of(batch, UNKNOWN),
            "missing_columns": _missing_columns(batch),
            "chosen_columns": batch_columns_of(batch, MAPPED) + batch_columns_of(batch, IGNORED),
            "running": batch.running,
            "all_or_nothing_blocked": batch.refused_rows > 0,
            "upload_url": upload_url(batch.kind) if may_import else "",
        }
        return TemplateResponse(request, "admin/imports/importbatch/batch.html", context)

    def confirm_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch_for(request, object_id)
        if not self._may_import(request, batch.kind):
            raise PermissionDenied
        form = ConfirmForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose what to do with refused rows."))
            return HttpResponseRedirect(self._batch_url(batch))
        try:
            batch = batch_confirm(
                batch=batch,
                user=admin_user(request),
                policy=form.cleaned_data["policy"],
                columns_checked=form.cleaned_data["columns_checked"],
            )
        except BatchRefused as refusal:
            messages.error(request, refusal.message)
            return HttpResponseRedirect(self._batch_url(batch))
        _report(request, batch)
        return HttpResponseRedirect(self._batch_url(batch))

    def discard_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch_for(request, object_id)
        if not self._may_import(request, batch.kind):
            raise PermissionDenied
        try:
            batch_discard(batch=batch)
        except BatchRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.info(
                request, _("Batch %(batch)s discarded: nothing imported.") % {"batch": batch.pk}
            )
        return HttpResponseRedirect(self._batch_url(batch))

    def columns_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = self._batch_for(request, object_id)
        if not self._may_import(request, batch.kind):
            raise PermissionDenied
        form = self._columns_form(batch, request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose, for each column of the file, what it is."))
            return HttpResponseRedirect(self._batch_url(batch))
        try:
            batch = batch_columns_set(batch=batch, choices=form.choices(), user=admin_user(request))
        except BatchRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.info(
                request,
                _(
                    "The file's columns are read as you chose (remembered for the next file "
                    "with the same columns) and every row was checked again."
                ),
            )
        return HttpResponseRedirect(self._batch_url(batch))

    def refused_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        batch = self._batch_for(request, object_id)
        response = HttpResponse(
            refused_rows_csv(batch=batch), content_type="text/csv; charset=utf-8"
        )
        stem = batch.file_name.rsplit(".", 1)[0] or "import"
        safe = "".join(char if char.isalnum() or char in "-_" else "_" for char in stem)[:80]
        response["Content-Disposition"] = f'attachment; filename="{safe}-refused.csv"'
        return response

    # --- Helpers ----------------------------------------------------------------------------

    def _kind_for(self, request: HttpRequest, kind_name: str) -> ImportKind:
        try:
            kind = import_kind(kind_name)
        except KeyError:
            raise Http404(_("There is no import of this kind.")) from None
        if not request.user.has_perm(kind.permission):
            raise PermissionDenied
        return kind

    def _batch_for(self, request: HttpRequest, object_id: str) -> ImportBatch:
        if not self.has_view_permission(request):
            raise PermissionDenied
        batch = self.get_object(request, unquote(object_id))
        if batch is None:
            raise Http404(_("There is no such import batch."))
        return batch

    def _columns_form(self, batch: ImportBatch, data: Any = None) -> ColumnsForm:
        try:
            names = import_kind(batch.kind).column_names()
        except KeyError:
            names = []
        return ColumnsForm(data, columns=list(batch.columns), names=names)

    def _may_import(self, request: HttpRequest, kind_name: str) -> bool:
        try:
            return request.user.has_perm(import_kind(kind_name).permission)
        except KeyError:
            return False

    def _batch_url(self, batch: ImportBatch) -> str:
        return reverse("admin:imports_importbatch_change", args=[batch.pk])


def _kind_label(name: str) -> str:
    try:
        return str(import_kind(name).label)
    except KeyError:
        return name


def _file_columns(
    batch: ImportBatch, form: ColumnsForm | None
) -> list[tuple[dict[str, str], str, Any]]:
    """Each column of the batch's file, how it is read in words, and its select (when the
    operator may change it)."""
    described = []
    for index, column in enumerate(batch.columns):
        how = column.get("how")
        if how == UNKNOWN:
            text = _("not read: choose the column it is, or ignore it")
        elif how == IGNORED:
            text = _("ignored: its cells are not read")
        elif how == MAPPED:
            text = _("read as %(column)s (your choice)") % {"column": column["field"]}
        elif column.get("field"):
            text = _("read as %(column)s") % {"column": column["field"]}
        else:
            text = _("the reasons of a refused-rows file: not read")
        name = ColumnsForm.field_name(index)
        select = form[name] if form is not None and name in form.fields else None
        described.append((column, text, select))
    return described


def _missing_columns(batch: ImportBatch) -> list[str]:
    """The kind's required columns no column of the batch's file is read as."""
    if not batch.columns:
        return []
    try:
        columns = import_kind(batch.kind).columns
    except KeyError:
        return []
    read = {column.get("field") for column in batch.columns}
    return [column.name for column in columns if column.required and column.name not in read]


def _report(request: HttpRequest, batch: ImportBatch) -> None:
    if batch.status == BatchStatus.FAILED:
        messages.error(request, batch.error)
    elif batch.status == BatchStatus.IMPORTING:
        messages.info(
            request, _("The import runs in the background; this page shows its progress.")
        )
    elif batch.status == BatchStatus.IMPORTED:
        messages.success(
            request,
            ngettext(
                "%(imported)s row imported, %(refused)s refused.",
                "%(imported)s rows imported, %(refused)s refused.",
                batch.imported_rows,
            )
            % {"imported": batch.imported_rows, "refused": batch.refused_rows},
        )
    elif batch.status == BatchStatus.NOTHING_IMPORTED:
        messages.warning(
            request,
            ngettext(
                "Nothing imported: %(refused)s row was refused and the policy is all or nothing.",
                "Nothing imported: %(refused)s rows were refused and the policy is all or nothing.",
                batch.refused_rows,
            )
            % {"refused": batch.refused_rows},
        )
