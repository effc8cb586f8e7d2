from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from imports.models import ImportPolicy


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
