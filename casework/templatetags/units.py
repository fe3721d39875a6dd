"""The unit badge as a tag: list rows render it 25 times, and an include per row costs ~0.6 ms a page."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def unit_badge(unit, shared_with=None):
    """The unit's coloured badge, and for a joint consultation a blue one naming the partner unit."""
    badge = format_html('<span class="unit-badge unit-{}">{}</span>', unit.code, unit.short_name)
    if not shared_with:
        return badge
    return format_html(
        '{} <span class="unit-badge unit-joint" title="{}">{} {}</span>',
        badge,
        _("gemeinsame Beratung"),
        _("gemeinsam mit"),
        shared_with.short_name,
    )
