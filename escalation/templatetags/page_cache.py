"""`{% cached_content %}…{% endcached_content %}`, around base.html's `content` block: a page's
content from the cache (`escalation.cache.render_cached`).

The view leaves a `CachedPage` in the context as `cached_page`. When it holds the content found
in the cache, that is the block's output and nothing inside is rendered (the view built no data
for it); otherwise the block is rendered and handed to it to store. Pages that are not cached
have no `cached_page`: the block is rendered as usual.
"""

from django import template
from django.template.base import NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


class CachedContentNode(template.Node):
    def __init__(self, nodelist: NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        page = context.get("cached_page")
        if page is None:
            return self.nodelist.render(context)
        if page.content is not None:
            # Stored as it was rendered, escaped then.
            return mark_safe(page.content)  # noqa: S308
        content = self.nodelist.render(context)
        page.store(str(content))
        return content


@register.tag("cached_content")
def do_cached_content(parser: Parser, token: Token) -> CachedContentNode:
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% cached_content %} takes no arguments.")
    nodelist = parser.parse(("endcached_content",))
    parser.delete_first_token()
    return CachedContentNode(nodelist)
