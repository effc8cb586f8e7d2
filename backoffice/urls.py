from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

admin.site.site_header = _("VTEX back office")
admin.site.site_title = _("VTEX back office")
admin.site.index_title = _("Operations")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    # VTEX pushes order status changes here (orders/views.py).
    path("vtex/", include("orders.urls")),
    # The fulfillment endpoint a VTEX marketplace calls, the back office being its seller.
    path("seller/", include("catalog.seller.urls")),
]
