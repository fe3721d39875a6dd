"""Template helpers of the Sachbericht's narrative sections (reports/narrative.py)."""

from django import template

from reports import narrative

register = template.Library()


@register.filter
def report_blocks(figures: dict) -> list[dict]:
    """The figure sections with the narrative sections between them (narrative ones carry "narrative": True)."""
    return narrative.report_blocks(figures)


@register.filter
def is_item_list(block) -> bool:
    """Whether a frozen paragraph block is a list ({"list": [...]}) rather than a paragraph (str)."""
    return isinstance(block, dict)


@register.filter
def unit_hosts(units) -> list[str]:
    """The distinct Träger of the report's units, in order ("beramí e.V.", "LAGFA Hessen e.V.")."""
    return list(dict.fromkeys(unit.get("host") for unit in units or () if unit.get("host")))
