"""The operator groups and their permissions, declared in code and synced at ``migrate``.

Each app declares what each group may do with its own models, on its ``AppConfig``::

    group_permissions = {OPERATIONS: ("view_order", "invoice_order"), VIEWER: ("view_order",)}

(codenames of the app's own permissions). After every ``migrate`` (post_migrate, sent for
each app once its permissions exist) the groups are created and given every permission their
apps declare; a declared permission that does not exist stops the ``migrate`` with its name.
The sync only adds: a permission taken out of a declaration is taken from the groups by a
migration (or by hand), as are the rights an administrator gave a group in the admin.

Operators: Django's admin lets in only staff users, and its login page then blames the
password; so a user added to an operator group becomes staff at once, however the group was
given (the user's page in the admin, the group's, the shell). Leaving a group takes nothing
away: a user kept out of the admin is made so by unticking "staff" (or "active").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, router, transaction

OPERATIONS = "Operations"
FINANCE = "Finance"
VIEWER = "Viewer"
# Their names are their identity (stored in English, shown translated by orders.admin.groups).
OPERATOR_GROUPS = (OPERATIONS, FINANCE, VIEWER)

GroupPermissions = Mapping[str, Sequence[str]]


class PermissionMissing(RuntimeError):
    """A group is declared a permission its app does not have (a typo, a removed model)."""


def app_permission_codenames(app_config: AppConfig) -> set[str]:
    """Every permission the code of ``app_config``'s models defines (default and custom)."""
    codenames = set()
    for model in app_config.get_models():
        opts = model._meta
        codenames |= {f"{action}_{opts.model_name}" for action in opts.default_permissions}
        codenames |= {codename for codename, _name in opts.permissions}
    return codenames


def group_permissions_sync(
    *, app_label: str, grants: GroupPermissions, using: str = DEFAULT_DB_ALIAS, apps: Any = None
) -> None:
    """Give each group of ``grants`` the permissions of app ``app_label`` it lists (the group
    is created when missing). ``apps``: the migration state's registry, at post_migrate.

    A codename no model of the app defines raises ``PermissionMissing``; one whose model is
    not migrated yet (``migrate`` to an earlier migration) is left for the migrate that
    creates it."""
    defined = app_permission_codenames(global_apps.get_app_config(app_label))
    apps = apps or global_apps
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    with transaction.atomic(using=using):
        for name, codenames in grants.items():
            unknown = sorted(set(codenames) - defined)
            if unknown:
                raise PermissionMissing(
                    f"{app_label} declares for group {name} permissions it does not have: "
                    f"{', '.join(unknown)}"
                )
            permissions = list(
                permission_model.objects.using(using).filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
            group, _created = group_model.objects.using(using).get_or_create(name=name)
            group.permissions.add(*permissions)


def group_permissions_sync_after_migrate(
    *, app_config: AppConfig, using: str = DEFAULT_DB_ALIAS, apps: Any = None, **kwargs: Any
) -> None:
    """post_migrate, sent for each migrated app after Django created its permissions: give
    the groups what that app declares."""
    grants: GroupPermissions | None = getattr(app_config, "group_permissions", None)
    if not grants:
        return
    apps = apps or global_apps
    try:
        apps.get_model("auth", "Permission")
    except LookupError:
        return  # ``migrate <app>`` alone, before auth's tables exist.
    if not router.allow_migrate_model(using, apps.get_model("auth", "Permission")):
        return
    group_permissions_sync(app_label=app_config.label, grants=grants, using=using, apps=apps)


def operators_make_staff(
    *, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    """``m2m_changed`` of ``User.groups``: the users just added to an operator group become
    staff (in the transaction of the addition)."""
    if action != "post_add" or not pk_set:
        return
    users = get_user_model().objects.filter(is_staff=False)
    if reverse:
        # ``group.user_set.add(...)``: ``instance`` is the group, ``pk_set`` the users.
        if instance.name not in OPERATOR_GROUPS:
            return
        users = users.filter(pk__in=pk_set)
    else:
        groups = global_apps.get_model("auth", "Group").objects
        if not groups.filter(pk__in=pk_set, name__in=OPERATOR_GROUPS).exists():
            return
        users = users.filter(pk=instance.pk)
        instance.is_staff = True
    users.update(is_staff=True)
