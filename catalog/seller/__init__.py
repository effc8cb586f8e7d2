"""The seller side of VTEX's marketplace protocol (External Seller Fulfillment): the endpoints a
VTEX marketplace calls under the fulfillment endpoint ``{back office URL}/seller``.

- ``auth``: the marketplace's credentials (``SELLER_APP_KEY``/``SELLER_APP_TOKEN``).
- ``protocol``: reading and checking the request bodies (no database).
- ``simulation``: the fulfillment simulation, a read of SKUs, reservations and shipping rules.
- ``placement``: placing, authorizing (fulfill) and canceling marketplace orders, through
  ``orders.services.marketplace``, with the stock they hold (``StockReservation``).
- ``stock``: what happens to the held stock when such an order is invoiced or canceled.
- ``views``, ``urls``: the HTTP entry points, answering VTEX's error envelope.
"""
