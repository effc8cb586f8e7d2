"""``{% probed_date_hierarchy cl %}``: Django's date hierarchy without its scan of every row
(orders.admin.scale)."""

from django import template
from django.contrib.admin.templatetags.base import InclusionAdminNode

from orders.admin.scale import probed_date_hierarchy

register = template.Library()


@register.tag(name="probed_date_hierarchy")
def probed_date_hierarchy_tag(parser: template.base.Parser, token: template.base.Token):
    # django-stubs gives the node a leading ``name`` Django 5.2's __init__ does not take.
    return InclusionAdminNode(  # type: ignore[call-arg]
        parser,  # type: ignore[arg-type]
        token,  # type: ignore[arg-type]
        func=probed_date_hierarchy,
        template_name="date_hierarchy.html",
        takes_context=False,
    )
