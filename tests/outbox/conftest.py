"""Fixtures of the outbox engine's own tests: the test kind and subject of
``tests/outbox/support.py`` are registered for each test and taken out after it."""

import pytest
from django.contrib.auth.models import Group

from tests.outbox.support import RecordingSubject, outbox_test_kind_registered


@pytest.fixture(autouse=True)
def _test_kind():
    with outbox_test_kind_registered():
        yield


@pytest.fixture(autouse=True)
def _subject_log():
    RecordingSubject.log.clear()
    yield
    RecordingSubject.log.clear()


@pytest.fixture
def groups(db):
    """Two subjects (commands of one subject go out one at a time, oldest first)."""
    return Group.objects.create(name="alpha"), Group.objects.create(name="beta")


@pytest.fixture
def ready_orders(vtex_store):
    """``ready_orders(n)``: n sandbox orders ready for handling."""

    def make(count: int = 1) -> list[str]:
        return vtex_store.create_orders(count, status="ready-for-handling")

    return make
