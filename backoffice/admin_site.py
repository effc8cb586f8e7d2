"""The back office's admin site: every list filters only through what it declares.

Django's ``ModelAdmin.lookup_allowed`` accepts any lookup on a model's own fields straight
from the URL (``?customer_document__startswith=529``, ``?raw_document__icontains=...``,
``?customer_email__regex=(``). Whoever may open a list could then probe values the list masks
for them, one character at a time, and a malformed regex or an impossible year reached the
database and answered 500. On this site a URL parameter filters a list only when one of the
list's declared filters, its date hierarchy or its ``extra_lookups`` expects it; anything else
answers 400 Bad Request. The rule is applied to every registered admin, Django's and other
packages' included, so no list can forget it. Searching stays what ``get_search_fields``
allows the user.

No admin view sees a request holding a control character (NUL above all: PostgreSQL refuses it
in text, and a ``%00`` in a list filter, a search, the export or the autocomplete answered 500):
the site answers 400 with its own page and message (``BackofficeAdminSite.admin_view``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import update_wrapper
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib import admin
from django.contrib.admin import SimpleListFilter
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.admin.widgets import url_params_from_lookup_dict
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.text import has_control_characters

# The URL parameters Django's field list filters read, by the kind of field filtered.
DATE_FILTER_SUFFIXES = ("__gte", "__lt", "__isnull")
FIELD_FILTER_SUFFIXES = ("", "__exact", "__isnull", "__isempty")
# The date hierarchy's drill-down: small positive integers only (a 20-digit year overflowed).
DATE_HIERARCHY_PARTS = {"year": 4, "month": 2, "day": 2}

_View = TypeVar("_View", bound=Callable[..., Any])

if TYPE_CHECKING:
    # The mixin is only ever placed before a ModelAdmin (``BackofficeAdminSite.register``).
    _MixinBase = admin.ModelAdmin[Any]
else:
    _MixinBase = object


class DeclaredLookupsOnly(_MixinBase):
    """ModelAdmin mixin: a list is filtered only by the parameters its filters declare.

    An admin whose own links filter by something else names it in ``extra_lookups``
    (read with getattr: the mixin comes first in the MRO and must not shadow it).
    """

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        if self._is_popup_lookup(lookup, value):
            return True
        date_hierarchy = getattr(self, "date_hierarchy", None)
        if date_hierarchy:
            field, _, part = lookup.rpartition("__")
            if field == date_hierarchy and part in DATE_HIERARCHY_PARTS:
                return (
                    value.isascii()
                    and value.isdigit()
                    and len(value) <= (DATE_HIERARCHY_PARTS[part])
                )
        return lookup in self.declared_lookups(request)

    def declared_lookups(self, request: HttpRequest | None) -> set[str]:
        lookups = set(getattr(self, "extra_lookups", ()))
        list_filter = self.get_list_filter(request) if request is not None else self.list_filter
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                lookups.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, list | tuple) else item
            if isinstance(path, models.Field):
                path = path.name
            elif not isinstance(path, str):
                # Only a SimpleListFilter declares its parameter here (handled above).
                continue
            try:
                field = get_fields_from_path(self.model, path)[-1]
            except FieldDoesNotExist:
                continue
            if field.is_relation:
                target = getattr(field, "target_field", None)
                related = f"{path}__{target.name if target else 'pk'}__exact"
                lookups.update((related, f"{path}__isnull"))
            else:
                suffixes = (
                    DATE_FILTER_SUFFIXES
                    if isinstance(field, models.DateField)
                    else FIELD_FILTER_SUFFIXES
                )
                lookups.update(path + suffix for suffix in suffixes)
        return lookups

    def _is_popup_lookup(self, lookup: str, value: str) -> bool:
        # Django's raw-id popups filter by a ForeignKey's limit_choices_to: still allowed.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            if (lookup, value) in url_params_from_lookup_dict(fk_lookup).items():
                return True
        return False


def request_has_control_characters(request: HttpRequest, url_arguments: Iterable[Any]) -> bool:
    """Whether the path, the URL's parameters (names and values), the posted form's fields or
    the URL's captured arguments hold a control character (``has_control_characters``)."""
    texts = [request.path_info, *(a for a in url_arguments if isinstance(a, str))]
    for query in (request.GET, request.POST) if request.method == "POST" else (request.GET,):
        for name, values in query.lists():
            texts.append(name)
            texts.extend(values)
    return any(has_control_characters(text) for text in texts)


class BackofficeAdminSite(admin.AdminSite):
    """``admin.site`` of the back office (set as the admin app's default site)."""

    def admin_view(self, view: _View, cacheable: bool = False) -> _View:
        """Every admin view (lists, forms, export, autocomplete, the dashboard) refuses a
        request holding a control character before it runs: 400, the admin's page."""
        guarded = super().admin_view(view, cacheable)

        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request_has_control_characters(request, [*args, *kwargs.values()]):
                return self.control_characters_refused(request)
            return guarded(request, *args, **kwargs)

        # Called as the view was (with the request first), and wrapped to carry its attributes.
        return cast(_View, update_wrapper(inner, guarded))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request_has_control_characters(request, ()):
            return self.control_characters_refused(request)
        return super().login(request, extra_context)

    def control_characters_refused(self, request: HttpRequest) -> HttpResponse:
        context = {
            **self.each_context(request),
            "title": _("Bad request"),
            "home_label": _("Home"),
            "message": _(
                "The address or the form holds a control character (such as NUL), which "
                "nothing typed in the back office contains. Remove it and try again."
            ),
        }
        return TemplateResponse(request, "admin/bad_request.html", context, status=400)

    @property
    def login_form(self) -> type:  # type: ignore[override]
        # Imported when the login page is served: this module is read before the apps are
        # ready (BackofficeAdminConfig), and Django's auth forms need the user model.
        from backoffice.login import OperatorAuthenticationForm

        return OperatorAuthenticationForm

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, DeclaredLookupsOnly):
            admin_class = type(admin_class)(
                admin_class.__name__,
                (DeclaredLookupsOnly, admin_class),
                {"__module__": admin_class.__module__},
            )
        super().register(model_or_iterable, admin_class, **options)


class BackofficeAdminConfig(AdminConfig):
    """``django.contrib.admin`` in INSTALLED_APPS, with :class:`BackofficeAdminSite` as its site."""

    default_site = "backoffice.admin_site.BackofficeAdminSite"
