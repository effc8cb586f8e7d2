"""A mirror of N orders over the two years VTEX keeps them, written by PostgreSQL itself
(``INSERT ... SELECT generate_series``): a million orders in minutes, where a backfill
through the sandbox would take hours. For ``python -m bench --only admin --orders N``.

The mix is a store's: orders older than ten days are mostly invoiced (an output invoice,
tracked and delivered) or canceled, a few stuck in a queue; the last ten days follow the
sandbox's status weights. Customers come back (one customer per three orders), names and
e-mails repeat as a real customer base does. Deterministic (``setseed``).
"""

from __future__ import annotations

from django.db import connection, transaction

from bench.harness import BenchFailure
from sandbox.generator import STATUS_WEIGHTS

DAYS = 730
# Orders older than this have left the queues, but for a few.
SETTLED_DAYS = 10
SETTLED_WEIGHTS = {
    "invoiced": 86.0,
    "canceled": 12.0,
    "handling": 0.6,
    "ready-for-handling": 0.4,
    "payment-pending": 1.0,
}
FIRST_NAMES = [
    "Ana",
    "Maria",
    "João",
    "José",
    "Antônio",
    "Francisco",
    "Carlos",
    "Paulo",
    "Pedro",
    "Lucas",
    "Luiz",
    "Marcos",
    "Luís",
    "Gabriel",
    "Rafael",
    "Daniel",
    "Marcelo",
    "Bruno",
    "Eduardo",
    "Felipe",
    "Raimundo",
    "Rodrigo",
    "Manoel",
    "Mateus",
    "André",
    "Fernando",
    "Fábio",
    "Leonardo",
    "Gustavo",
    "Guilherme",
    "Leandro",
    "Tiago",
    "Anderson",
    "Ricardo",
    "Márcio",
    "Jorge",
    "Sebastião",
    "Juliana",
    "Adriana",
    "Márcia",
    "Fernanda",
    "Patrícia",
    "Aline",
    "Sandra",
    "Camila",
    "Amanda",
    "Bruna",
    "Jéssica",
    "Letícia",
    "Júlia",
    "Luciana",
    "Vanessa",
    "Mariana",
    "Gabriela",
    "Vera",
    "Vitória",
    "Larissa",
    "Cláudia",
    "Beatriz",
    "Luana",
    "Rita",
]
LAST_NAMES = [
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Araújo",
    "Pinto",
    "Cavalcanti",
    "Monteiro",
    "Moura",
    "Correia",
    "Batista",
    "Campos",
    "Azevedo",
    "Castro",
]
DOMAINS = ("gmail.com", "hotmail.com", "outlook.com", "yahoo.com.br", "uol.com.br", "bol.com.br")


def _weights_case(weights: dict[str, float], draw: str) -> str:
    """A SQL CASE picking a status from ``weights`` by ``draw`` (uniform in [0, 1))."""
    total = sum(weights.values())
    cases, cumulative = [], 0.0
    for status, weight in weights.items():
        cumulative += weight / total
        cases.append(f"WHEN {draw} < {cumulative:.6f} THEN '{status}'")
    return "CASE " + " ".join(cases[:-1]) + f" ELSE '{list(weights)[-1]}' END"


def _array(values: tuple[str, ...] | list[str]) -> str:
    return "ARRAY[" + ",".join("'" + value.replace("'", "''") + "'" for value in values) + "]"


def fill_orders(orders: int) -> None:
    """Empty the mirror's orders and write ``orders`` of them (items and invoices too)."""
    if connection.vendor != "postgresql":
        raise BenchFailure("--orders needs PostgreSQL (DATABASE_URL=postgres://...)")
    customers = max(1, orders // 3)
    settled = _weights_case(SETTLED_WEIGHTS, "g.draw")
    recent = _weights_case({k: float(v) for k, v in STATUS_WEIGHTS.items()}, "g.draw")
    first, last, domains = _array(FIRST_NAMES), _array(LAST_NAMES), _array(DOMAINS)
    statements = [
        "SELECT setseed(0.42)",
        "TRUNCATE orders_trackingevent, orders_invoiceitem, orders_invoice, orders_orderitem, "
        "orders_orderevent, orders_order RESTART IDENTITY CASCADE",
        # Built from this module's constants and an int only: nothing typed reaches it.
        f"""
        INSERT INTO orders_order (
            vtex_order_id, sequence, order_group, marketplace_order_id,
            marketplace_services_endpoint, seller_order_id, origin, sales_channel, affiliate_id,
            status, value, items_total, discounts_total, shipping_total, tax_total,
            currency_code, created_at, authorized_at, invoiced_at, vtex_last_change,
            customer_first_name, customer_last_name, customer_email, customer_document_type,
            customer_document, customer_phone, customer_is_corporate, customer_corporate_name,
            customer_trade_name, customer_corporate_document, customer_state_inscription,
            customer_corporate_phone, shipping_receiver_name, shipping_postal_code,
            shipping_street, shipping_number, shipping_complement, shipping_neighborhood,
            shipping_city, shipping_state, shipping_country, selected_sla, carrier,
            estimated_delivery_at, payment_method, payment_group, payment_installments,
            payment_transaction_id, raw_document, imported_at, synced_at
        )
        SELECT
            (1400000000000 + s.n * 7)::text || '-01', (500000 + s.n)::text,
            (1400000000000 + s.n * 7)::text, '', '', '',
            CASE WHEN s.draw2 < 0.9 THEN 'Fulfillment' ELSE 'Marketplace' END,
            CASE WHEN s.draw2 < 0.85 THEN '1' ELSE '2' END, '',
            s.status, s.value, s.value - 1590, 0, 1590, 0, 'BRL',
            s.created, s.created + interval '20 minutes',
            CASE WHEN s.status = 'invoiced' THEN s.created + interval '1 day' END,
            CASE WHEN s.status IN ('invoiced', 'canceled') THEN s.created + interval '1 day'
                 ELSE s.created + interval '20 minutes' END,
            ({first})[1 + s.customer % {len(FIRST_NAMES)}],
            ({last})[1 + (s.customer / {len(FIRST_NAMES)}) % {len(LAST_NAMES)}],
            lower(translate(({first})[1 + s.customer % {len(FIRST_NAMES)}] || '.'
                  || ({last})[1 + (s.customer / {len(FIRST_NAMES)}) % {len(LAST_NAMES)}],
                  'áâãéêíóôõúçÁÂÃÉÊÍÓÔÕÚÇ', 'aaaeeiooouuaaaeeiooouc'))
                || s.customer::text || '@' || ({domains})[1 + s.customer % {len(DOMAINS)}],
            'cpf', lpad((10000000000 + s.customer * 7919)::text, 11, '0'),
            '+55119' || lpad((s.customer % 100000000)::text, 8, '0'),
            false, '', '', '', '', '',
            ({first})[1 + s.customer % {len(FIRST_NAMES)}], lpad((s.customer % 99999)::text, 5, '0')
                || '-000', 'Rua das Flores', (1 + s.customer % 2000)::text, '', 'Centro',
            'São Paulo', 'SP', 'BRA', 'Normal', 'Correios', s.created + interval '7 days',
            'Pix', 'instantPayment', 1, md5(s.n::text), '{{}}', now(), now()
        FROM (
            SELECT g.n, g.draw, g.draw2, g.created, g.customer,
                   CASE WHEN g.created < now() - interval '{SETTLED_DAYS} days'
                        THEN {settled}
                        ELSE {recent} END AS status,
                   (4990 + floor(g.draw2 * 60000))::bigint AS value
            FROM (
                SELECT n, random() AS draw, random() AS draw2,
                       now() - interval '{DAYS} days' * (1 - n::float / {orders})
                           - interval '1 minute' * floor(random() * 60) AS created,
                       floor(random() * {customers})::bigint AS customer
                FROM generate_series(1, {orders}) AS n
            ) AS g
        ) AS s
        """,  # noqa: S608
        """
        INSERT INTO orders_orderitem (order_id, position, sku_id, product_id, ref_id, ean, name,
            quantity, unit_price, list_price, selling_price, measurement_unit, unit_multiplier,
            seller, image_url)
        SELECT o.id, p.position, (1000 + (o.id * 13 + p.position) % 5000)::text, '', '', '',
               'Produto ' || ((o.id * 13 + p.position) % 5000)::text, 1,
               (o.value - 1590) / (1 + o.id % 3), (o.value - 1590) / (1 + o.id % 3),
               (o.value - 1590) / (1 + o.id % 3), 'un', 1, '1', ''
        FROM orders_order AS o
        JOIN generate_series(0, 2) AS p(position) ON p.position <= o.id % 3
        """,
        """
        INSERT INTO orders_invoice (order_id, number, type, value, issued_at, key, url, courier,
            tracking_number, tracking_url, dispatched_at, delivered, delivered_at)
        SELECT o.id, (100000 + o.id)::text, 'Output', o.value, o.invoiced_at,
               lpad(o.id::text, 44, '3'), '', 'Correios',
               CASE WHEN o.invoiced_at < now() - interval '3 days' AND o.id % 100 <> 0
                    THEN 'BR' || lpad(o.id::text, 9, '0') || 'BR' ELSE '' END,
               '', o.invoiced_at + interval '1 day',
               o.invoiced_at < now() - interval '8 days' AND o.id % 50 <> 0,
               CASE WHEN o.invoiced_at < now() - interval '8 days' AND o.id % 50 <> 0
                    THEN o.invoiced_at + interval '6 days' END
        FROM orders_order AS o WHERE o.status = 'invoiced'
        """,
        # What the sync writes from each document: a delivered sales invoice marks its order.
        """
        UPDATE orders_order AS o SET delivered = TRUE FROM orders_invoice AS i
        WHERE i.order_id = o.id AND i.type = 'Output' AND i.delivered
        """,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    # A two-year mirror has been vacuumed by autovacuum many times: its visibility map lets
    # index-only scans skip the table. A bulk load has none until then, so vacuum it here
    # (outside the transaction, as VACUUM must be) and gather the planner's statistics.
    with connection.cursor() as cursor:
        for table in ("orders_order", "orders_orderitem", "orders_invoice"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
