"""A user added to an operator group becomes staff (core.groups), whichever
side the group is given from; another group makes nobody staff."""

import pytest
from django.contrib.auth.models import Group

from tests.fixtures.groups import operator_group

pytestmark = pytest.mark.django_db


def test_joining_an_operator_group_makes_staff_from_either_side(django_user_model):
    ana = django_user_model.objects.create_user("ana", password="x")
    bia = django_user_model.objects.create_user("bia", password="x")

    ana.groups.add(operator_group("Finance"))
    operator_group("Viewer").user_set.add(bia)

    assert ana.is_staff
    ana.refresh_from_db()
    bia.refresh_from_db()
    assert ana.is_staff and bia.is_staff and not ana.is_superuser


def test_another_group_makes_nobody_staff_and_leaving_takes_nothing(django_user_model):
    caio = django_user_model.objects.create_user("caio", password="x")
    caio.groups.add(Group.objects.create(name="Fornecedores"))
    caio.refresh_from_db()
    assert not caio.is_staff

    caio.groups.add(operator_group("Operations"))
    caio.groups.clear()
    caio.refresh_from_db()
    assert caio.is_staff
