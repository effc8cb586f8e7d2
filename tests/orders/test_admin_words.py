"""The admin's own pages in the operator's language where the words are data: the operator
groups, the permissions in the user form, the declared periodic tasks (issue 12, point 4)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def portuguese(admin_client, settings):
    settings.LANGUAGE_CODE = "pt-br"
    return admin_client


def test_the_groups_are_named_in_portuguese(portuguese, admin_user):
    admin_user.groups.add(Group.objects.get(name="Viewer"))

    groups = portuguese.get(reverse("admin:auth_group_changelist")).content.decode()
    users = portuguese.get(reverse("admin:auth_user_changelist")).content.decode()
    user = portuguese.get(reverse("admin:auth_user_change", args=[admin_user.pk])).content.decode()

    for name in ("Operações", "Financeiro", "Consulta"):
        assert f">{name}<" in groups
    assert ">Consulta<" in users  # the filter by group
    assert ">Consulta</option>" in user
    assert ">Viewer<" not in user
    # Permissions the models declare, named in Portuguese in the user form.
    assert "Pedidos | pedido | Pode reler pedidos da VTEX" in user


def test_the_periodic_tasks_are_named_in_portuguese(portuguese):
    page = portuguese.get(
        reverse("admin:django_celery_beat_periodictask_changelist")
    ).content.decode()

    assert ">pedidos: esvaziar o feed de pedidos da VTEX</a>" in page
    assert ">orders: drain the VTEX orders feed</a>" not in page
    assert "a cada 60 segundos" in page
    assert "Tarefas periódicas" in page
