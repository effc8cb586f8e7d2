"""The admin toolkit's read-only admin: the pages of what the back office records (orders
mirrored from VTEX, invoices, audit rows, commands and their attempts, import batches,
what was sent about a SKU) are read, never edited by hand; every change goes through a
service."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """Mixed into a ``ModelAdmin`` or an inline (before it): nobody adds, changes or deletes,
    not even a superuser; the view permission still decides who reads."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def admin_user(request: HttpRequest) -> User:
    """The user an admin view acts for. ``admin_site.admin_view`` lets only an active staff
    user in, so ``request.user`` is a ``User``; a view reached some other way (an anonymous
    request) is refused rather than recorded as nobody's."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
