from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imports.files import IGNORE, IGNORED, REASONS, UNKNOWN
from imports.models import ImportPolicy

# The select of a column nothing reads yet: the operator has not chosen.
UNDECIDED = "?"
# A select's value for "ignore this column" (a column's name is never "-").
IGNORE_CHOICE = "-"


class PolicyField(forms.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            label=_("If a row is refused"),
            choices=ImportPolicy.choices,
            initial=ImportPolicy.ALL_OR_NOTHING,
            widget=forms.RadioSelect,
            **kwargs,
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"), help_text=_("CSV (separated by , or ;) or XLSX, with a header row.")
    )
    policy = PolicyField()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORTS_MAX_FILE_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file has %(size)s MB; at most %(limit)s MB can be imported at once.")
                % {
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": settings.IMPORTS_MAX_FILE_MB,
                }
            )
        return upload


class ConfirmForm(forms.Form):
    policy = PolicyField()
    columns_checked = forms.BooleanField(
        label=_("I checked the file's columns: those read by my choice and those ignored"),
        required=False,
    )


class ColumnsForm(forms.Form):
    """One select per column of the file (its header as the file spells it): the kind's
    column it is read as, or "ignore this column". A column read by one of its accepted
    names may be changed too; the refused-rows CSV's reasons column has no select."""

    def __init__(
        self, *args: Any, columns: list[dict[str, str]], names: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers: dict[str, str] = {}
        for index, column in enumerate(columns):
            if column.get("how") == REASONS:
                continue
            choices = [(name, name) for name in names] + [
                (IGNORE_CHOICE, _("— ignore this column —"))
            ]
            if column.get("how") == UNKNOWN:
                choices.insert(0, (UNDECIDED, _("— not read: choose —")))
                initial = UNDECIDED
            elif column.get("how") == IGNORED:
                initial = IGNORE_CHOICE
            else:
                initial = column.get("field", "")
            field_name = self.field_name(index)
            self.fields[field_name] = forms.ChoiceField(
                label=column["header"], choices=choices, initial=initial, required=True
            )
            self.headers[field_name] = column["header"]

    @staticmethod
    def field_name(index: int) -> str:
        """The select of the file's column at ``index``."""
        return f"column_{index}"

    def choices(self) -> dict[str, str]:
        """Header -> the kind's column, or IGNORE; undecided columns left out."""
        chosen: dict[str, str] = {}
        for field_name, header in self.headers.items():
            value = self.cleaned_data[field_name]
            if value == UNDECIDED:
                continue
            chosen[header] = IGNORE if value == IGNORE_CHOICE else value
        return chosen
