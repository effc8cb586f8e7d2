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


def labelled(field: ModelMultipleChoiceField | None, name: str) -> ModelMultipleChoiceField | None:
    """A group or permission picker that shows the choices translated."""
    if field is not None and name == "groups":
        field.label_from_instance = group_label
    elif field is not None and name in ("permissions", "user_permissions"):
        field.label_from_instance = permission_label
    return field


class GroupNameFilter(admin.RelatedFieldListFilter):
    """The user list's filter by group, with the groups' translated names."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list:
        return [
            (pk, str(GROUP_LABELS.get(name, name)))
            for pk, name in super().field_choices(field, request, model_admin)
        ]


admin.site.unregister(Group)
admin.site.unregister(User)


@admin.register(Group)
class OperatorGroupAdmin(GroupAdmin):
    list_display = ("label",)

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return labelled(field, db_field.name)

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
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        return labelled(field, db_field.name)
