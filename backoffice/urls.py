from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from backoffice.views import dashboard, healthz

admin.site.site_header = _("VTEX back office")
admin.site.site_title = _("VTEX back office")
admin.site.index_title = _("Operations")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # The admin's home is the operators' dashboard (backoffice/dashboard.py), not the model list.
    path("admin/", admin.site.admin_view(dashboard), name="dashboard"),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    # The admin header's language switch posts to set_language (templates/admin/base_site.html).
    path("i18n/", include("django.conf.urls.i18n")),
    # VTEX pushes order status changes here (orders/views.py).
    path("vtex/", include("orders.urls")),
    # The fulfillment endpoint a VTEX marketplace calls, the back office being its seller.
    path("seller/", include("catalog.seller.urls")),
]

# Django's own error pages, but VTEX's error envelope under /seller (backoffice/errors.py).
handler400 = "backoffice.errors.bad_request"
handler403 = "backoffice.errors.permission_denied"
handler404 = "backoffice.errors.page_not_found"
handler500 = "backoffice.errors.server_error"
