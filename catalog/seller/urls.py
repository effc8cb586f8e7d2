"""Under ``/seller``, the fulfillment endpoint registered at the marketplace: VTEX appends the
protocol's paths (``/pvt/orderForms/simulation``, ``/pvt/orders``...)."""

from django.urls import path

from catalog.seller import views

app_name = "seller"

urlpatterns = [
    path("pvt/orderForms/simulation", views.simulation, name="simulation"),
    path("pvt/orders", views.orders, name="orders"),
    path("pvt/orders/<str:order_id>/fulfill", views.fulfill, name="fulfill"),
    path("pvt/orders/<str:order_id>/cancel", views.cancel, name="cancel"),
]
