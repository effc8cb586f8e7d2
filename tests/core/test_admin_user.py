"""The user an admin view acts for: the logged-in operator, never an anonymous request."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from core.admin_permissions import admin_user

pytestmark = pytest.mark.django_db


def test_the_operator_is_the_user_the_services_get():
    request = RequestFactory().post("/admin/")
    request.user = User.objects.create_user("ana", is_staff=True)

    assert admin_user(request) == User.objects.get(username="ana")


def test_an_anonymous_request_is_refused():
    request = RequestFactory().post("/admin/")
    request.user = AnonymousUser()

    with pytest.raises(PermissionDenied):
        admin_user(request)
