"""Deterministic, realistic Brazilian orders.

Faker (pt_BR) is slow per call, so it only fills small pools of names, streets
and neighbourhoods once per seed; each order then draws from the pools with its
own `random.Random`, which keeps 5,000 orders well under a second and makes the
same seed give the same store.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sandbox.clock import vtex_datetime
from sandbox.model import Invoice, Item, Logistics, Order

# (city, state, first and last CEP prefix of the city, phone area code)
CITIES = [
    ("São Paulo", "SP", 1000, 5999, "11"),
    ("Campinas", "SP", 13000, 13139, "19"),
    ("Santos", "SP", 11000, 11249, "13"),
    ("Rio de Janeiro", "RJ", 20000, 23799, "21"),
    ("Niterói", "RJ", 24000, 24399, "21"),
    ("Belo Horizonte", "MG", 30000, 31999, "31"),
    ("Uberlândia", "MG", 38400, 38415, "34"),
    ("Curitiba", "PR", 80000, 82999, "41"),
    ("Londrina", "PR", 86000, 86099, "43"),
    ("Porto Alegre", "RS", 90000, 91999, "51"),
    ("Florianópolis", "SC", 88000, 88099, "48"),
    ("Joinville", "SC", 89200, 89239, "47"),
    ("Salvador", "BA", 40000, 42599, "71"),
    ("Recife", "PE", 50000, 52999, "81"),
    ("Fortaleza", "CE", 60000, 61599, "85"),
    ("Brasília", "DF", 70000, 72799, "61"),
    ("Goiânia", "GO", 74000, 74899, "62"),
    ("Manaus", "AM", 69000, 69099, "92"),
    ("Belém", "PA", 66000, 66999, "91"),
    ("Vitória", "ES", 29000, 29099, "27"),
    ("Natal", "RN", 59000, 59139, "84"),
    ("João Pessoa", "PB", 58000, 58099, "83"),
    ("Campo Grande", "MS", 79000, 79129, "67"),
    ("Cuiabá", "MT", 78000, 78109, "65"),
    ("Maceió", "AL", 57000, 57099, "82"),
]

# (product name, brand, category ids, base price in cents, weight in grams, variants)
PRODUCTS = [
    ("Camiseta Básica Algodão", "Hering", "/1/10/", 4990, 200, ["P", "M", "G", "GG"]),
    ("Calça Jeans Slim", "Levi's", "/1/11/", 18990, 600, ["38", "40", "42", "44"]),
    ("Tênis Corrida Velox", "Olympikus", "/2/20/", 29990, 900, ["38", "39", "40", "41", "42"]),
    ("Chinelo Slim", "Havaianas", "/2/21/", 5490, 250, ["35/36", "37/38", "39/40"]),
    ("Fone de Ouvido Bluetooth", "JBL", "/3/30/", 34990, 300, ["Preto", "Azul"]),
    ("Smartphone Galaxy A15 128GB", "Samsung", "/3/31/", 119900, 450, ["Preto", "Azul Claro"]),
    ("Carregador Turbo USB-C 25W", "Samsung", "/3/32/", 12990, 150, ["Branco"]),
    ("Cafeteira Expresso", "Oster", "/4/40/", 49990, 4200, ["110V", "220V"]),
    ("Liquidificador Turbo 1000W", "Mondial", "/4/41/", 17990, 3000, ["110V", "220V"]),
    ("Jogo de Panelas Antiaderente 5 peças", "Tramontina", "/4/42/", 39990, 5500, ["Vermelho"]),
    ("Jogo de Cama Casal 200 fios", "Santista", "/5/50/", 15990, 1400, ["Branco", "Cinza"]),
    ("Travesseiro Nasa", "Fibrasca", "/5/51/", 8990, 900, ["Padrão"]),
    ("Protetor Solar FPS 50 200ml", "Nivea", "/6/60/", 6990, 250, ["Único"]),
    ("Perfume Malbec 100ml", "O Boticário", "/6/61/", 21990, 400, ["Único"]),
    ("Shampoo Reconstrução 400ml", "Elseve", "/6/62/", 2990, 450, ["Único"]),
    ("Livro Dom Casmurro", "Penguin-Companhia", "/7/70/", 3990, 350, ["Brochura"]),
    ("Mochila Executiva Notebook 15", "Samsonite", "/8/80/", 45990, 1100, ["Preta", "Cinza"]),
    ("Garrafa Térmica 1L", "Stanley", "/8/81/", 24990, 700, ["Verde", "Preta"]),
    ("Bola de Futebol Campo", "Penalty", "/9/90/", 14990, 450, ["Branca"]),
    ("Kit Halteres 10kg", "Kikos", "/9/91/", 19990, 10000, ["Preto"]),
]

SLAS = [  # (name, courier, estimate, price in cents)
    ("Normal", "Correios PAC", "7bd", 1590),
    ("Expressa", "Loggi", "3bd", 2490),
    ("SEDEX", "Correios SEDEX", "2bd", 3190),
    ("Econômica", "Jadlog", "9bd", 1290),
]

CARD_SYSTEMS = [("2", "Visa"), ("4", "Mastercard"), ("9", "Elo"), ("1", "American Express")]

# Share of generated orders per status (the store's statuses on a normal day).
STATUS_WEIGHTS = {
    "payment-pending": 5,
    "payment-approved": 3,
    "window-to-cancel": 2,
    "ready-for-handling": 35,
    "handling": 20,
    "invoiced": 25,
    "canceled": 10,
}

STORE_CNPJ = "12345678000195"
CANCEL_REASONS = [
    "Cliente desistiu da compra",
    "Pagamento não aprovado",
    "Produto sem estoque",
    "Endereço de entrega não atendido",
]
TRACKING_EVENTS = [  # (description, city, state)
    ("Objeto postado", "São Paulo", "SP"),
    ("Objeto em trânsito - por favor aguarde", "Cajamar", "SP"),
    ("Objeto saiu para entrega ao destinatário", None, None),
]


class Weighted:
    """A weighted choice with precomputed cumulative weights (`random.choices` redoes them)."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1])]


ITEM_COUNT = Weighted({1: 50, 2: 30, 3: 15, 4: 5})
QUANTITY = Weighted({1: 80, 2: 15, 3: 5})
PAYMENT_GROUP = Weighted({"creditCard": 60, "bankInvoice": 15, "instantPayment": 25})
INSTALLMENTS = Weighted({1: 40, 2: 15, 3: 20, 6: 15, 10: 10})
STATUS = Weighted(STATUS_WEIGHTS)


def cpf_check_digits(first_nine: str) -> str:
    digits = [int(c) for c in first_nine]
    for _ in range(2):
        weight = len(digits) + 1
        total = sum(d * (weight - i) for i, d in enumerate(digits))
        rest = (total * 10) % 11
        digits.append(0 if rest == 10 else rest)
    return "".join(str(d) for d in digits[-2:])


def is_valid_cpf(cpf: str) -> bool:
    return (
        len(cpf) == 11
        and cpf.isdigit()
        and len(set(cpf)) > 1
        and cpf_check_digits(cpf[:9]) == cpf[9:]
    )


def ean13_check_digit(first_twelve: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(first_twelve))
    return str((10 - total % 10) % 10)


def nfe_check_digit(first_43: str) -> str:
    weights = [2, 3, 4, 5, 6, 7, 8, 9]
    total = sum(int(c) * weights[i % 8] for i, c in enumerate(reversed(first_43)))
    rest = total % 11
    return "0" if rest < 2 else str(11 - rest)


@functools.lru_cache(maxsize=8)
def _pools(seed: int) -> dict[str, list[str]]:
    # Imported here: Faker takes ~0.3 s to import and only the generator needs it.
    from faker import Faker

    fake = Faker("pt_BR")
    fake.seed_instance(seed)
    return {
        "first": [fake.first_name() for _ in range(300)],
        "last": [fake.last_name() for _ in range(300)],
        "street": [fake.street_name() for _ in range(400)],
        "neighborhood": [fake.bairro() for _ in range(300)],
    }


def _catalog(rng: random.Random) -> list[dict]:
    skus = []
    sku_number = 2000 + rng.randrange(1000)
    for product_number, (name, brand, categories, base, weight, variants) in enumerate(PRODUCTS):
        product_id = str(100 + product_number)
        brand_id = str(2000000 + sum(map(ord, brand)))
        for variant in variants:
            sku_number += 1
            ean12 = "789" + f"{rng.randrange(10**9):09d}"
            skus.append(
                {
                    "sku_id": str(sku_number),
                    "product_id": product_id,
                    "name": f"{name} {variant}",
                    "ref_id": f"REF-{product_id}-{variant.replace('/', '-').replace(' ', '')}",
                    "ean": ean12 + ean13_check_digit(ean12),
                    "brand_name": brand,
                    "brand_id": brand_id,
                    "category_ids": categories,
                    "price": base,
                    "weight": weight,
                    "slug": name.lower().replace(" ", "-"),
                }
            )
    return skus


class OrderFactory:
    """Builds orders for one store; a seed fixes every id, name and amount."""

    def __init__(self, *, seed: int, account: str, stream: str = ""):
        # `stream` gives an independent sequence on the same seed (and the same name pools).
        self.rng = random.Random(f"{seed}:{stream}" if stream else seed)
        self.account = account
        self.pools = _pools(seed)
        self.catalog = _catalog(self.rng)
        self.next_sequence = 500000 + self.rng.randrange(400000)
        self.next_group = 1_100_000_000_000 + self.rng.randrange(10**11)

    def _hex(self, bits: int = 128) -> str:
        return f"{self.rng.getrandbits(bits):0{bits // 4}x}"

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def client_and_address(self) -> tuple[dict, dict]:
        rng = self.rng
        pools = self.pools
        first, last = rng.choice(pools["first"]), rng.choice(pools["last"])
        nine = f"{rng.randrange(10**9):09d}"
        city, state, cep_min, cep_max, ddd = rng.choice(CITIES)
        cep = f"{rng.randint(cep_min, cep_max):05d}-{rng.randrange(1000):03d}"
        client = {
            "id": "clientProfileData",
            "email": f"{self._hex()}@ct.vtex.com.br",
            "firstName": first,
            "lastName": last,
            "documentType": "cpf",
            "document": nine + cpf_check_digits(nine),
            "phone": f"+55{ddd}9{rng.randrange(10**8):08d}",
            "corporateName": None,
            "tradeName": None,
            "corporateDocument": None,
            "stateInscription": None,
            "corporatePhone": None,
            "isCorporate": False,
            "userProfileId": self._uuid(),
            "userProfileVersion": None,
            "customerClass": None,
            "customerCode": None,
        }
        address: dict[str, Any] = {
            "addressType": "residential",
            "receiverName": f"{first} {last}",
            "addressId": self._hex(64),
            "versionId": None,
            "entityId": None,
            "postalCode": cep,
            "city": city,
            "state": state,
            "country": "BRA",
            "street": rng.choice(pools["street"]),
            "number": str(rng.randint(1, 3999)),
            "neighborhood": rng.choice(pools["neighborhood"]),
            "complement": rng.choice(["", "", "Apto 12", "Casa 2", "Bloco B, apto 304", "Fundos"]),
            "reference": None,
            "geoCoordinates": [],
        }
        return client, address

    def _items(self) -> tuple[list[Item], bool]:
        rng = self.rng
        promotion = rng.random() < 0.3
        percent = rng.choice([5, 10, 15]) if promotion else 0
        promo_id = str(rng.randint(100, 999))
        items = []
        for sku in rng.sample(self.catalog, ITEM_COUNT.pick(rng)):
            quantity = QUANTITY.pick(rng)
            price = sku["price"]
            unit_discount = price * percent // 100
            tags = []
            if unit_discount:
                tags.append(
                    {
                        "name": f"discount@price-{promo_id}#{self._uuid()}",
                        "value": -unit_discount * quantity,
                        "rawValue": -unit_discount * quantity / 100,
                        "isPercentual": False,
                        "identifier": promo_id,
                    }
                )
            items.append(
                Item(
                    sku_id=sku["sku_id"],
                    product_id=sku["product_id"],
                    name=sku["name"],
                    ref_id=sku["ref_id"],
                    ean=sku["ean"],
                    brand_name=sku["brand_name"],
                    brand_id=sku["brand_id"],
                    category_ids=sku["category_ids"],
                    list_price=price * 12 // 10,
                    price=price,
                    selling_price=price - unit_discount,
                    quantity=quantity,
                    unique_id=self._hex().upper(),
                    image_url=(
                        f"https://{self.account}.vteximg.com.br/arquivos/ids/"
                        f"{sku['sku_id']}-55-55/{sku['slug']}.jpg"
                    ),
                    detail_url=f"/{sku['slug']}/p",
                    weight=sku["weight"],
                    height=10,
                    width=20,
                    length=30,
                    price_tags=tags,
                )
            )
        return items, promotion

    def _logistics(self, items: list[Item], items_total: int) -> tuple[list[Logistics], int]:
        sla, courier, estimate, price = self.rng.choice(SLAS)
        # Stores commonly give free shipping above R$ 299,00.
        shipping = 0 if items_total >= 29900 else price
        share, remainder = divmod(shipping, len(items))
        return [
            Logistics(
                sla=sla,
                courier=courier,
                price=share + (remainder if i == 0 else 0),
                estimate=estimate,
            )
            for i in range(len(items))
        ], shipping

    def _payment(self, value: int) -> dict:
        rng = self.rng
        kind = PAYMENT_GROUP.pick(rng)
        first_digits: str | None
        last_digits: str | None
        if kind == "creditCard":
            system, name = rng.choice(CARD_SYSTEMS)
            installments = INSTALLMENTS.pick(rng)
            first_digits = {"2": "411111", "4": "544828", "9": "636368", "1": "376449"}[system]
            last_digits = f"{rng.randrange(10000):04d}"
        elif kind == "bankInvoice":
            system, name, installments = "6", "Boleto Bancário", 1
            first_digits = last_digits = None
        else:
            system, name, installments = "125", "Pix", 1
            first_digits = last_digits = None
        return {
            "transactionId": self._hex().upper(),
            "paymentId": self._hex().upper(),
            "paymentSystem": system,
            "paymentSystemName": name,
            "group": kind,
            "installments": installments,
            "value": value,
            "tid": str(rng.randrange(10**12)),
            "nsu": str(rng.randrange(10**6)),
            "authId": str(rng.randrange(10**6)),
            "firstDigits": first_digits,
            "lastDigits": last_digits,
        }

    def make(self, *, created: datetime, status: str, now: datetime) -> Order:
        """An order created at `created`, already moved to `status` by `now`."""
        rng = self.rng
        self.next_sequence += 1
        self.next_group += rng.randint(3, 4000)
        group = str(self.next_group)
        order_id = f"{group}-01"
        client, address = self.client_and_address()
        items, promotion = self._items()
        items_total = sum(i.price * i.quantity for i in items)
        discounts = -sum((i.price - i.selling_price) * i.quantity for i in items)
        logistics, shipping = self._logistics(items, items_total)
        # A few states collect a tax (e.g. ICMS-ST) on top of the items.
        tax = items_total * 2 // 100 if rng.random() < 0.1 else 0
        totals = {"Items": items_total, "Discounts": discounts, "Shipping": shipping, "Tax": tax}
        value = sum(totals.values())
        marketing = None
        if promotion and rng.random() < 0.5:
            marketing = {"coupon": rng.choice(["BEMVINDO10", "FRETEGRATIS", "VOLTA15"])}
        order = Order(
            order_id=order_id,
            sequence=str(self.next_sequence),
            group=group,
            created=created,
            last_change=created,
            status=status,
            items=items,
            logistics=logistics,
            totals=totals,
            client=client,
            address=address,
            payment=self._payment(value),
            marketing=marketing,
            order_form_id=self._hex(),
            follow_up_email=f"{self._hex()}@ct.vtex.com.br",
            shipping_estimate_date=created + timedelta(days=int(logistics[0].estimate[:-2]) + 2),
        )
        self._advance_history(order, now)
        return order

    def _advance_history(self, order: Order, now: datetime) -> None:
        """Fill the dates, invoices and cancellation data `order.status` implies."""
        rng = self.rng

        def later(moment: datetime, low_minutes: int, high_minutes: int) -> datetime:
            return min(now, moment + timedelta(minutes=rng.randint(low_minutes, high_minutes)))

        status = order.status
        moment = order.created
        paid = status not in {"payment-pending", "waiting-for-sellers-confirmation"}
        if status == "canceled":
            paid = rng.random() < 0.6
        if paid:
            moment = order.authorized_date = later(moment, 1, 30)
        if status in {"ready-for-handling", "handling", "invoiced"}:
            moment = later(moment, 30, 40)  # the 30-minute window-to-cancel
        if status in {"handling", "invoiced"}:
            moment = later(moment, 10, 600)
        if status == "invoiced":
            moment = order.invoiced_date = later(moment, 60, 2880)
            self._full_invoice(order, moment, now)
        if status == "canceled":
            moment = later(moment, 5, 2000)
            reason = rng.choice(CANCEL_REASONS) if paid else "Pagamento não aprovado"
            order.cancellation = {
                "RequestedByUser": paid,
                "RequestedBySystem": False,
                "RequestedBySellerNotification": False,
                "RequestedByPaymentNotification": not paid,
                "Reason": reason,
                "CancellationDate": moment,
            }
        order.last_change = moment

    def invoice_number(self) -> str:
        return str(self.rng.randint(1000, 999999))

    def nfe_key(self, moment: datetime, number: str) -> str:
        head = f"35{moment:%y%m}{STORE_CNPJ}55001{int(number):09d}1{self.rng.randrange(10**8):08d}"
        return head + nfe_check_digit(head)

    def _full_invoice(self, order: Order, moment: datetime, now: datetime) -> None:
        rng = self.rng
        number = self.invoice_number()
        invoice = Invoice(
            number=number,
            type="Output",
            value=order.value,
            issuance_date=vtex_datetime(moment),
            items=[
                {
                    "id": i.sku_id,
                    "price": i.selling_price,
                    "quantity": i.quantity,
                    "description": i.name,
                }
                for i in order.items
            ],
            receipt=self._hex(),
            received_at=moment,
            key=self.nfe_key(moment, number),
            url=f"https://nfe.fazenda.sp.gov.br/danfe/{number}.pdf",
            embedded="",
            cfop="5102",
        )
        invoice.receipts.append(invoice.receipt)
        if rng.random() < 0.6:
            code = f"{''.join(rng.choices('ABCDEFGHIJKLMNOPQRSTUVWXYZ', k=2))}"
            tracking = f"{code}{rng.randrange(10**9):09d}BR"
            invoice.courier = order.logistics[0].courier
            invoice.tracking_number = tracking
            invoice.tracking_url = (
                f"https://rastreamento.correios.com.br/app/index.php?objeto={tracking}"
            )
            invoice.dispatched_date = vtex_datetime(moment)
            event_moment = moment
            for description, city, state in TRACKING_EVENTS[: rng.randint(0, 3)]:
                event_moment = min(now, event_moment + timedelta(hours=rng.randint(2, 30)))
                invoice.events.append(
                    {
                        "description": description,
                        "city": city or order.address["city"],
                        "state": state or order.address["state"],
                        "date": event_moment.strftime("%Y-%m-%d"),
                        "createDate": event_moment,
                    }
                )
        order.invoices[number] = invoice


def spread_creation_dates(rng: random.Random, count: int, start: datetime, end: datetime):
    """`count` sorted creation moments, uniformly spread over [start, end]."""
    span = max((end - start).total_seconds(), 0.0)
    return sorted(start + timedelta(seconds=rng.random() * span) for _ in range(count))


def pick_statuses(rng: random.Random, count: int) -> list[str]:
    return [STATUS.pick(rng) for _ in range(count)]


def generate_orders(
    factory: OrderFactory, *, count: int, days: float, now: datetime
) -> list[Order]:
    """The initial store: `count` orders created over the last `days` days, mixed statuses."""
    moments = spread_creation_dates(factory.rng, count, now - timedelta(days=days), now)
    statuses = pick_statuses(factory.rng, count)
    orders = []
    for created, status in zip(moments, statuses, strict=True):
        # Orders younger than the cancellation window cannot be past it yet.
        if now - created < timedelta(minutes=45) and status not in {"payment-pending", "canceled"}:
            status = "payment-approved"
        orders.append(factory.make(created=created, status=status, now=now))
    return orders
