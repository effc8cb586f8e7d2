"""VTEX's refusal codes in words: the order page and the command page show what a code means
beside VTEX's raw message, in the operator's language (issue 12, point 3)."""

import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from orders.models import Order
from outbox.models import CommandState, VtexCommand
from outbox.refusals import REFUSAL_EXPLANATIONS
from tests.orders.operations import mirrored_orders, operation_url

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_every_code_vtex_and_the_sandbox_answer_has_an_explanation():
    sandbox_codes = set()
    for source in (ROOT / "sandbox").glob("*.py"):
        sandbox_codes |= set(re.findall(r"\"(SBX-[A-Z0-9-]+)\"", source.read_text()))
    # VTEX's documented codes (../shared/docs/vtex-contract.md, sandbox/errors.py).
    vtex_codes = {"1", "OMS003", "OMS007"}

    assert sandbox_codes, "no SBX- code found in sandbox/"
    assert sorted((sandbox_codes | vtex_codes) - set(REFUSAL_EXPLANATIONS)) == []


def test_a_refusal_by_vtex_is_explained_beside_its_code_on_the_order_page(
    vtex_store, login, client, settings, django_capture_on_commit_callbacks
):
    login("Operations")
    settings.LANGUAGE_CODE = "pt-br"
    [order] = mirrored_orders(vtex_store, 1, status="ready-for-handling")
    # Someone moved the order in VTEX since it was mirrored: VTEX refuses with OMS003.
    vtex_store.set_status(order.vtex_order_id, "handling")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(operation_url(order, "start-handling"))

    assert response.status_code == 302
    assert f"Iniciar manuseio na fila para: {order.vtex_order_id}." in [
        str(message) for message in get_messages(response.wsgi_request)
    ]
    command = VtexCommand.objects.get(kind="start-handling")
    assert (command.state, command.last_error_code) == (CommandState.REJECTED, "OMS003")
    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    explained = (
        "O pedido não está mais pronto para manuseio na VTEX: alguém ou algo já o moveu. "
        "Releia o pedido para ver o status."
    )
    raw = "OMS003: Order status should be ready-for-handling to perform this action"
    commands = page.split('id="order-commands"')[1].split("</table>")[0]
    assert explained in commands and raw in commands
    timeline = page.split('id="order-timeline"')[1]
    assert "A VTEX recusou: o início do manuseio." in timeline
    assert explained in timeline and raw in timeline

    command_page = client.get(
        reverse("admin:outbox_vtexcommand_change", args=[command.pk])
    ).content.decode()
    assert explained in command_page and raw in command_page
    assert Order.objects.get(pk=order.pk).status == "handling"
