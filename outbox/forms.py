from django import forms
from django.utils.translation import gettext_lazy as _


class ResolveForm(forms.Form):
    note = forms.CharField(
        label=_("Resolution note"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done about it (for example, fixed by hand in VTEX's admin)."),
    )
