from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    # VTEX pushes order status changes here (orders/views.py).
    path("vtex/", include("orders.urls")),
]
