"""Under ``/seller``, the fulfillment endpoint registered at the marketplace: VTEX appends the
protocol's paths (``/pvt/orderForms/simulation``, ``/pvt/orders``...). A trailing slash is
tolerated; any other path answers VTEX's error envelope (404), as the endpoints do."""

from django.urls import re_path

from catalog.seller import views

app_name = "seller"

ORDER = r"(?P<order_id>[^/]+)"

urlpatterns = [
    re_path(r"^pvt/orderForms/simulation/?$", views.simulation, name="simulation"),
    re_path(r"^pvt/orders/?$", views.orders, name="orders"),
    re_path(rf"^pvt/orders/{ORDER}/fulfill/?$", views.fulfill, name="fulfill"),
    re_path(rf"^pvt/orders/{ORDER}/cancel/?$", views.cancel, name="cancel"),
    re_path(r"", views.unknown_route, name="unknown"),
]
