"""The operator groups in the operator's language.

The groups Operations, Finance and Viewer are declared in code (``core.groups``, with what
each app's ``AppConfig.group_permissions`` gives them) and synced at every ``migrate``; their
names stay English in the database (code and tests find them by name), and every admin page
that lists groups (the group list, the user list's filter, the user form) shows them
translated; so are the permissions in the user and group forms.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission, User
from django.db.models import ManyToManyField
from django.forms import ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_display import truncated

GROUP_LABELS = {
    "Operations": _("Operations"),
    "Finance": _("Finance"),
    "Viewer": _("Viewer"),
}


def group_label(group: Group) -> str:
    return str(GROUP_LABELS.get(group.name, group.name))


def permission_label(permission: Permission) -> str:
    """``app | model | name`` as Django writes it, the name in the operator's language: the
    database keeps the names the models declare (English msgids of their catalogs)."""
    return f"{permission.content_type} | {gettext(permission.name)}"


class GroupChoiceField(ModelMultipleChoiceField):
    """A group picker that shows the groups translated."""

    def label_from_instance(self, obj: Group) -> str:
        return group_label(obj)


class PermissionChoiceField(ModelMultipleChoiceField):
    """A permission picker that shows the permissions translated."""

    def label_from_instance(self, obj: Permission) -> str:
        return permission_label(obj)


# The user's and the group's pickers, by the many-to-many field's name.
LABELLED_PICKERS: dict[str, type[ModelMultipleChoiceField]] = {
    "groups": GroupChoiceField,
    "permissions": PermissionChoiceField,
    "user_permissions": PermissionChoiceField,
}


def labelled(db_field: ManyToManyField, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The form field's arguments, with the picker that shows the choices translated."""
    picker = LABELLED_PICKERS.get(db_field.name)
    return kwargs if picker is None else {"form_class": picker, **kwargs}


class GroupNameFilter(admin.RelatedFieldListFilter):
    """The user list's filter by group, with the groups' translated names."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        return [
            (pk, str(GROUP_LABELS.get(str(name), name)))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class OperatorGroupAdmin(GroupAdmin):
    list_display = ("label",)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest | None = None, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        return super().formfield_for_manytomany(db_field, request, **labelled(db_field, kwargs))

    @admin.display(description=_("name"), ordering="name")
    def label(self, group: Group) -> str:
        return group_label(group)


@admin.register(User)
class OperatorUserAdmin(UserAdmin):
    list_display = ("username_display", "email_display", "first_name", "last_name", "is_staff")
    list_filter = ("is_staff", "is_superuser", "is_active", ("groups", GroupNameFilter))

    # A user name or an e-mail has no space to wrap at: cut to the column, whole on hover.
    @admin.display(description=_("username"), ordering="username")
    def username_display(self, user: User) -> str:
        return truncated(user.username, 12)

    @admin.display(description=_("email address"), ordering="email")
    def email_display(self, user: User) -> str:
        return truncated(user.email, 14)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        return super().formfield_for_manytomany(db_field, request, **labelled(db_field, kwargs))
