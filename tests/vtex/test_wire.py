"""Pure pieces of the client: formats VTEX expects, parsing of what it answers."""

import pickle
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import format_datetime
from zoneinfo import ZoneInfo

import pytest
import requests
from hypothesis import given, settings

from tests.fixtures.brazil_time import aware_instants
from vtex import VtexClient, VtexConfig, VtexRateLimited, VtexRejected
from vtex.wire import (
    DEFAULT_RETRY_AFTER,
    date_range,
    feed_filter,
    invoice_body,
    iso,
    join_services_endpoint,
    parse_error_body,
    parse_retry_after,
    tracking_events,
    utc_minutes,
)

BRT = timezone(timedelta(hours=-3))


def test_date_range_is_utc_with_milliseconds_like_vtex_examples():
    start = datetime(2022, 1, 1, 0, 0, tzinfo=BRT)
    end = datetime(2022, 1, 1, 23, 59, 59, 999999, tzinfo=BRT)
    assert date_range("creationDate", start, end) == (
        "creationDate:[2022-01-01T03:00:00.000Z TO 2022-01-02T02:59:59.999Z]"
    )


def test_date_range_open_ends_use_solr_wildcard():
    start = datetime(2022, 1, 1, 2, tzinfo=UTC)
    assert date_range("creationDate", start, None) == (
        "creationDate:[2022-01-01T02:00:00.000Z TO *]"
    )


def test_date_range_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="aware"):
        date_range("creationDate", datetime(2022, 1, 1), None)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        (
            "http://oms.vtexinternal.com.br/api/oms?an=luxstore",
            "http://oms.vtexinternal.com.br/api/oms/pvt/orders/X-01/invoice?an=luxstore",
        ),
        (
            "https://marketplaceservicesendpoint.myvtex.com/",
            "https://marketplaceservicesendpoint.myvtex.com/pvt/orders/X-01/invoice",
        ),
        (
            "mkp.vtexcommercestable.com.br/api/oms",
            "https://mkp.vtexcommercestable.com.br/api/oms/pvt/orders/X-01/invoice",
        ),
    ],
)
def test_services_endpoint_gets_the_path_before_its_query(endpoint, expected):
    assert join_services_endpoint(endpoint, "/pvt/orders/X-01/invoice") == expected


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("0.25") == 0.25
    in_ten = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    assert 8 < parse_retry_after(in_ten) <= 10
    assert parse_retry_after(None) == DEFAULT_RETRY_AFTER
    assert parse_retry_after("soon") == DEFAULT_RETRY_AFTER


def _response(status: int, body: bytes, content_type: str) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers["Content-Type"] = content_type
    return response


def test_error_envelope_gives_code_and_message():
    body = b'{"error":{"code":"OMS003","message":"Order status should be ready","exception":null}}'
    assert parse_error_body(_response(409, body, "application/json")) == (
        "OMS003",
        "Order status should be ready",
    )


def test_error_without_envelope_gives_the_text():
    body = b"Seller StockKeepingUnit `9` not found for this seller id `s1`"
    assert parse_error_body(_response(404, body, "text/plain")) == (None, body.decode())
    assert parse_error_body(_response(500, b"<html>" + b"x" * 1000, "text/html"))[1] == (
        "<html>" + "x" * 294
    )


def test_feed_filter_builds_workflow_or_orders_filters():
    assert feed_filter(["handling"], None, False) == {
        "type": "FromWorkflow",
        "status": ["handling"],
    }
    assert feed_filter(None, None, False) == {"type": "FromWorkflow"}
    assert feed_filter(None, 'status = "invoiced"', True) == {
        "type": "FromOrders",
        "expression": 'status = "invoiced"',
        "disableSingleFire": True,
    }
    with pytest.raises(ValueError, match="statuses"):
        feed_filter(["handling"], 'status = "invoiced"', False)


def test_invoice_body_leaves_out_unset_fields_and_formats_dates():
    body = invoice_body(
        invoice_type="Output",
        number="NF1",
        value="1000",
        issued_at=date(2024, 5, 1),
        items=[{"id": 12, "price": 500, "quantity": 2}],
        key=None,
        url=None,
        embedded_xml=None,
        courier=None,
        tracking_number=None,
        tracking_url=None,
        dispatched_date=datetime(2024, 5, 2, 10, tzinfo=UTC),
    )
    assert body == {
        "type": "Output",
        "invoiceNumber": "NF1",
        "invoiceValue": "1000",
        "issuanceDate": "2024-05-01",
        "items": [{"id": "12", "price": 500, "quantity": 2}],
        "dispatchedDate": "2024-05-02T10:00:00+00:00",
    }
    with pytest.raises(ValueError, match="Output"):
        invoice_body(**{**_invoice_args(), "invoice_type": "Return"})


def _invoice_args() -> dict:
    return dict(
        invoice_type="Output",
        number="NF1",
        value=1,
        issued_at=date(2024, 5, 1),
        items=[],
        key=None,
        url=None,
        embedded_xml=None,
        courier=None,
        tracking_number=None,
        tracking_url=None,
        dispatched_date=None,
    )


def test_tracking_events_format_dates_and_keep_strings():
    events = tracking_events(
        [
            {"city": "Rio", "state": "RJ", "description": "Coletado", "date": date(2024, 5, 2)},
            {"city": "SP", "state": "SP", "description": "Em rota", "date": "2024-05-03"},
        ]
    )
    assert [event["date"] for event in events] == ["2024-05-02", "2024-05-03"]


def test_config_and_client_repr_hide_credentials():
    config = VtexConfig(account_name="acme", app_key="vtexappkey-acme-X", app_token="T0K3N")
    for text in (repr(config), str(config), repr(VtexClient(config))):
        assert "vtexappkey-acme-X" not in text
        assert "T0K3N" not in text


def test_real_hosts_follow_the_specs_servers():
    config = VtexConfig(account_name="acme", app_key="k", app_token="t")
    assert config.store_url == "https://acme.vtexcommercestable.com.br"
    assert config.suggestions_url == "https://api.vtex.com/acme"
    assert config.payments_url == "https://acme.vtexpayments.com.br"
    sandbox = VtexConfig(account_name="acme", app_key="k", app_token="t", base_url="http://h:1/")
    assert {sandbox.store_url, sandbox.suggestions_url, sandbox.payments_url} == {"http://h:1"}


def test_errors_survive_pickling_for_celery():
    error = VtexRateLimited("POST /x: 429", retry_after=3.0, status=429, method="POST", path="/x")
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes
    assert (type(copy), copy.retry_after, copy.status, copy.path, str(copy)) == (
        VtexRateLimited,
        3.0,
        429,
        "/x",
        "POST /x: 429",
    )
    rejected = pickle.loads(pickle.dumps(VtexRejected("no", status=400, code="OMS003")))  # noqa: S301
    assert rejected.code == "OMS003"


# --- Dates leave in UTC (issue 16 §3) ----------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(aware_instants())
def test_an_instant_leaves_as_its_utc_time(moment):
    sent = iso(moment)
    assert sent.endswith("+00:00")
    # (Compared in UTC: Python never finds a repeated wall time equal to another zone's.)
    assert datetime.fromisoformat(sent) == moment.astimezone(UTC)


@settings(max_examples=200, deadline=None)
@given(aware_instants())
def test_the_delivered_date_is_the_utc_minute(moment):
    sent = utc_minutes(moment)
    assert len(sent) == len("2026-12-06 21:20")
    # VTEX reads a date without an offset as UTC.
    assert datetime.fromisoformat(sent).replace(tzinfo=UTC) == moment.astimezone(UTC).replace(
        second=0, microsecond=0
    )


def test_a_delivery_at_18_20_in_sao_paulo_is_21_20_utc():
    typed = datetime(2026, 12, 6, 18, 20, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert utc_minutes(typed) == "2026-12-06 21:20"
    assert iso(typed) == "2026-12-06T21:20:00+00:00"


def test_dates_without_a_zone_are_refused():
    for send in (iso, utc_minutes):
        with pytest.raises(ValueError, match="aware"):
            send(datetime(2026, 12, 6, 18, 20))
    assert iso(date(2026, 12, 6)) == "2026-12-06"
    assert iso(None) is None and utc_minutes(None) is None
