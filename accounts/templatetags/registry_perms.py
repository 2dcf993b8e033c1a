"""``{% if user|may:"scenario.simulate" %}``: whether to show a link to a page the user may
use (accounts.permissions, the same answer as the page's own check)."""

from django import template

from accounts import permissions

register = template.Library()


@register.filter
def may(user, action: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return permissions.can(user, action)
