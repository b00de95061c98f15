"""`{% related_publications ecosystem="slug" %}` / `{% related_publications country="DE" %}` on the
profile pages: published items tagged with that ecosystem or country. The publications issue
implements it; until then it renders nothing.
"""

from django import template

register = template.Library()


@register.inclusion_tag("observatory/publications/_related.html")
def related_publications(ecosystem: str = "", country: str = "", limit: int = 5):
    return {"publications": [], "ecosystem": ecosystem, "country": country, "enabled": False}
