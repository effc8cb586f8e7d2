from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("hooks/orders", views.order_hook, name="order-hook"),
]
