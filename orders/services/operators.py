"""Operators: the users of the operator groups (created by ``orders/migrations/0003``).

Django's admin lets in only staff users, and its login page then blames the password; so a
user added to an operator group becomes staff at once, however the group was given (the
user's page in the admin, the group's, the shell). Leaving a group takes nothing away: a user
kept out of the admin is made so by unticking "staff" (or "active") on the user's page.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

OPERATOR_GROUPS = ("Operations", "Finance", "Viewer")


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
        if not Group.objects.filter(pk__in=pk_set, name__in=OPERATOR_GROUPS).exists():
            return
        users = users.filter(pk=instance.pk)
        instance.is_staff = True
    users.update(is_staff=True)
