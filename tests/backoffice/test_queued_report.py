"""What a request that queued commands tells the operator: each subject once per message."""

from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.utils import translation

from outbox.reports import queued_report


def reported(**kwargs) -> list[str]:
    request = RequestFactory().post("/admin/")
    request.session = {}
    request._messages = FallbackStorage(request)
    with translation.override("en"):
        queued_report(request, what="Invoice NF1", queued=[], repeated=[], **kwargs)
    return [str(message) for message in get_messages(request)]


def test_a_refusal_that_names_its_order_names_it_once():
    shown = reported(refused=[("1500000001-01", "Order 1500000001-01 is canceled.")])
    assert shown == ["Order 1500000001-01 is canceled."]


def test_a_refusal_that_does_not_name_its_subject_is_prefixed_with_it():
    shown = reported(refused=[("7002", "Not sent to the marketplace: missing Brand.")])
    assert shown == ["7002 refused: Not sent to the marketplace: missing Brand."]
