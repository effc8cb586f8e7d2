"""One refusal family: whatever app refuses, a caller at a boundary can catch ``Refused`` and
show its ``message``."""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from catalog.seller.placement import OrderNotFound
from catalog.seller.protocol import BadRequest
from core.refusals import ActionRefused, Refused
from imports.files import FileRefused
from imports.kinds import RowRefused
from imports.services import BatchRefused
from orders.services.marketplace import MarketplaceOrderRefused


@pytest.mark.parametrize(
    "refusal",
    [
        ActionRefused("The order is canceled."),
        BadRequest("The order is canceled."),
        OrderNotFound("The order is canceled."),
        FileRefused("The order is canceled."),
        BatchRefused("The order is canceled."),
        RowRefused("The order is canceled."),
        MarketplaceOrderRefused("CANCELED", "The order is canceled."),
    ],
    ids=type,
)
def test_every_refusal_is_caught_as_one_and_tells_its_message(refusal):
    with pytest.raises(Refused) as caught:
        raise refusal
    assert caught.value.message == str(caught.value) == "The order is canceled."


def test_a_refusal_keeps_the_words_of_the_language_it_was_raised_in():
    with translation.override("pt-br"):
        refusal = ActionRefused(gettext_lazy("The largest amount taken is %(largest)s."))
    assert refusal.message == "O maior valor aceito é %(largest)s."
    assert MarketplaceOrderRefused("CMD_NOT_FOUND", "no").code == "CMD_NOT_FOUND"


def test_a_row_refusal_tells_every_reason_with_its_column():
    refusal = RowRefused.of([RowRefused("not a date", column="Data"), RowRefused("too big")])
    assert isinstance(refusal, Refused)
    assert refusal.message == "Data: not a date; too big"
