"""Safe Markdown for user and curator text (forum posts, publication bodies).

markdown-it-py's "js-default" preset is CommonMark with raw HTML disabled and dangerous link
schemes refused; nh3 (ammonia) then keeps only an allow-list of tags and attributes, so even a bug
in the renderer cannot let a script, an event handler or a `javascript:` URL through.
"""

from functools import cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


@cache
def _renderer() -> MarkdownIt:
    return MarkdownIt("js-default").enable("table").enable("strikethrough")


def render_markdown(text: str) -> SafeString:
    """Markdown source -> sanitised HTML, safe to insert into a page."""
    html = _renderer().render(text or "")
    # nh3's output contains only allow-listed tags and attributes: safe by construction.
    return mark_safe(  # noqa: S308
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="nofollow noopener noreferrer",
        )
    )


def plain_text(text: str) -> str:
    """Markdown source -> text without any markup (for snippets, emails, feeds)."""
    return nh3.clean(_renderer().render(text or ""), tags=set()).strip()
