"""The admin's login form (``backoffice.admin_site.BackofficeAdminSite.login_form``)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class OperatorAuthenticationForm(AdminAuthenticationForm):
    """The login form: a right password of an account that is not staff hears that the
    account has no access yet, not that the password is wrong (Django's message). Only who
    typed the right password reads it: a wrong password, an unknown user or an inactive
    account still get Django's one message, which tells nobody whether the user exists."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "no_access": _(
            "This account has no access to the back office yet: an administrator adds it to "
            "a group (Operations, Finance or Viewer) on its user page."
        ),
    }

    def confirm_login_allowed(self, user: Any) -> None:
        if user.is_active and not user.is_staff:
            raise ValidationError(self.error_messages["no_access"], code="no_access")
        super().confirm_login_allowed(user)
