"""The error pages Django answers itself (``handler400``... in ``backoffice.urls``): its own
pages, but VTEX's JSON error envelope under the seller endpoints, where a marketplace reads
JSON and never an HTML page (a request refused before the view, or a failure inside one)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from catalog.seller import views as seller


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if seller.is_seller_path(request):
        return seller.failure(400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if seller.is_seller_path(request):
        return seller.failure(403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if seller.is_seller_path(request):
        return seller.failure(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if seller.is_seller_path(request):
        return seller.failure(500)
    return defaults.server_error(request)
