"""factory-boy factories for the order mirror (admin and unit tests)."""

from datetime import UTC, timedelta

import factory
from django.utils import timezone

from core.actor import Actor
from orders.models import (
    EventType,
    Invoice,
    InvoiceItem,
    InvoiceType,
    Order,
    OrderEvent,
    OrderItem,
    TrackingEvent,
)
from orders.models.order import untracked_since


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    vtex_order_id = factory.Sequence(lambda n: f"{1300000000 + n}-01")
    sequence = factory.Sequence(lambda n: str(700000 + n))
    order_group = factory.LazyAttribute(lambda o: o.vtex_order_id.rsplit("-", 1)[0])
    origin = "Marketplace"
    sales_channel = "1"
    status = "ready-for-handling"
    value = 123456
    items_total = 120000
    discounts_total = -1000
    shipping_total = 4456
    tax_total = 0
    created_at = factory.Faker("date_time_between", start_date="-30d", end_date="-1d", tzinfo=UTC)
    authorized_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(minutes=5))
    vtex_last_change = factory.LazyAttribute(lambda o: o.created_at + timedelta(minutes=40))
    synced_at = factory.LazyFunction(timezone.now)
    customer_first_name = factory.Faker("first_name", locale="pt_BR")
    customer_last_name = factory.Faker("last_name", locale="pt_BR")
    customer_email = factory.Faker("email")
    customer_document_type = "cpf"
    customer_document = factory.Sequence(lambda n: f"{52998224725 + n:011d}")
    customer_phone = "+5511999998888"
    shipping_receiver_name = factory.LazyAttribute(
        lambda o: f"{o.customer_first_name} {o.customer_last_name}"
    )
    shipping_postal_code = "01310-100"
    shipping_street = "Avenida Paulista"
    shipping_number = "1000"
    shipping_neighborhood = "Bela Vista"
    shipping_city = "São Paulo"
    shipping_state = "SP"
    shipping_country = "BRA"
    selected_sla = "Normal"
    carrier = "Transportadora Exemplo"
    payment_method = "Visa"
    payment_group = "creditCard"
    payment_installments = 3
    payment_transaction_id = factory.Faker("hexify", text="^" * 32, upper=True)


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    position = factory.Sequence(int)
    sku_id = factory.Sequence(lambda n: str(2000 + n))
    product_id = factory.Sequence(lambda n: str(900 + n))
    ref_id = factory.Sequence(lambda n: f"REF-{n}")
    ean = "7891234567895"
    name = factory.Faker("sentence", nb_words=3)
    quantity = 2
    unit_price = 60000
    list_price = 70000
    selling_price = 59500
    measurement_unit = "un"
    seller = "1"


class OrderEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderEvent

    order = factory.SubFactory(OrderFactory)
    type = EventType.STATUS_CHANGED
    source = Actor.FEED
    from_status = "payment-approved"
    to_status = "ready-for-handling"


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice
        skip_postgeneration_save = True

    order = factory.SubFactory(OrderFactory)
    number = factory.Sequence(lambda n: str(10000 + n))
    type = InvoiceType.OUTPUT
    value = factory.LazyAttribute(lambda o: o.order.value)
    issued_at = factory.LazyFunction(timezone.now)
    key = "35240112345678000190550010000100001000100001"
    courier = "Correios"
    tracking_number = factory.Sequence(lambda n: f"BR{n:09d}")

    @factory.post_generation
    def order_columns(invoice: Invoice, create: bool, extracted: object, **kwargs: object):
        # What the sync writes from VTEX's document: a delivered sales invoice marks its order,
        # and the order's wait for a tracking number follows its invoices.
        if not create:
            return
        order = invoice.order
        if invoice.delivered and invoice.type == InvoiceType.OUTPUT:
            order.delivered = True
        order.untracked_since = untracked_since(
            order.invoices.values_list("type", "tracking_number", "issued_at"),
            invoiced_at=order.invoiced_at,
            created_at=order.created_at,
        )
        Order.objects.filter(pk=order.pk).update(
            delivered=order.delivered, untracked_since=order.untracked_since
        )


class InvoiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InvoiceItem

    invoice = factory.SubFactory(InvoiceFactory)
    item_index = 0
    sku_id = "2000"
    quantity = 1
    unit_price = 59500


class TrackingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrackingEvent

    invoice = factory.SubFactory(InvoiceFactory)
    city = "Campinas"
    state = "SP"
    description = "Objeto em trânsito"
    occurred_at = factory.LazyFunction(timezone.now)
