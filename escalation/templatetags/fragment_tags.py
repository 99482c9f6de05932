"""`{% fragment fragment ["name"] %}…{% endfragment %}`: a part of a page served from the cache.

`fragment` is an `escalation.cache.Fragment` from the view. When it was found in the cache, the
part is not rendered at all (the view computed nothing for it either): the tag leaves a
placeholder that the view's `Fragment.render` replaces with the stored bytes. Otherwise it is
rendered and stored. Without a fragment (None), the part is rendered as usual. A page with more than one
cached part (its title, its body) names them; the default name is "body".

Inside the block, `{% countdown %}` leaves a marker that is filled in at every request
(`oncall_tags.fill_countdowns`): a cached page still counts down to the second.
"""

from django import template
from django.template.base import FilterExpression, Node, NodeList, Parser, Token
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

from .oncall_tags import DEFERRED_COUNTDOWNS, fill_countdowns, stored_html

register = template.Library()


class FragmentNode(Node):
    def __init__(self, fragment: FilterExpression, name: str, nodelist: NodeList) -> None:
        self.fragment = fragment
        self.name = name
        self.nodelist = nodelist

    def render(self, context: Context) -> SafeString:
        fragment = self.fragment.resolve(context)
        if fragment is None:
            return self.nodelist.render(context)
        if fragment.found:
            # The stored bytes go into the response as they are (`Fragment.render`).
            return fragment.placeholder(self.name)
        with context.push({DEFERRED_COUNTDOWNS: True}):
            html = stored_html(self.nodelist.render(context))
        fragment.store(self.name, html)
        # The HTML was escaped when it was rendered; filling markers adds only plain text.
        return mark_safe(fill_countdowns(html, fragment.at).decode())  # noqa: S308


@register.tag("fragment")
def do_fragment(parser: Parser, token: Token) -> FragmentNode:
    bits = token.split_contents()
    if len(bits) not in (2, 3):
        raise template.TemplateSyntaxError(
            '{% fragment %} takes the fragment and, optionally, the name of the part: "title".'
        )
    name = "body"
    if len(bits) == 3:
        if bits[2][0] not in "\"'" or bits[2][0] != bits[2][-1]:
            raise template.TemplateSyntaxError(
                "{% fragment %}: the part's name is a quoted string."
            )
        name = bits[2][1:-1]
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    return FragmentNode(parser.compile_filter(bits[1]), name, nodelist)
