"""URL reversing remembered per process (`escalation.links`) and the `{% url %}` builtin that
uses it: the same addresses as Django's `reverse`, the same errors, nothing stale."""

import pytest
from django import urls
from django.template import engines
from django.test import override_settings
from django.urls import NoReverseMatch
from django.utils.safestring import mark_safe

from escalation import links


@pytest.fixture(autouse=True)
def _forget():
    links.forget()
    yield
    links.forget()


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("escalation:dashboard", []),
        ("escalation:service_detail", ["payments-api"]),
        ("escalation:swap_detail", [12]),
        ("admin:escalation_person_change", [3]),
    ],
)
def test_an_address_is_djangos_own_and_the_second_is_remembered(name, args):
    first = links.reverse(name, args=args)
    before = links._remembered.cache_info().hits

    assert links.reverse(name, args=args) == first == urls.reverse(name, args=args)
    assert links._remembered.cache_info().hits == before + 1


def test_an_unknown_view_or_a_bad_argument_raises_as_django_does():
    with pytest.raises(NoReverseMatch):
        links.reverse("escalation:nothing-here")
    with pytest.raises(NoReverseMatch):
        links.reverse("escalation:service_detail", args=["not a slug"])


def test_arguments_that_are_not_plain_strings_or_numbers_are_reversed_each_time():
    assert links.reverse("escalation:service_detail", args=["x"]) == "/services/x/"
    assert links.reverse("escalation:service_detail", kwargs={"slug": "x"}) == "/services/x/"
    assert links._remembered.cache_info().currsize == 2

    # A safe string or a lazy one is not a key: Django reverses it, nothing is remembered.
    assert links.reverse("escalation:service_detail", args=[mark_safe("y")]) == "/services/y/"
    assert links.address_of("escalation:service_detail")(mark_safe("z")) == "/services/z/"
    assert links._remembered.cache_info().currsize == 2


def test_a_new_script_prefix_gives_new_addresses():
    assert links.reverse("escalation:paging") == "/paging/"
    urls.set_script_prefix("/portal/")
    try:
        assert links.reverse("escalation:paging") == "/portal/paging/"
        assert links.address_of("escalation:service_detail")("a") == "/portal/services/a/"
    finally:
        urls.set_script_prefix("/")
    assert links.reverse("escalation:paging") == "/paging/"


def test_changing_the_urlconf_forgets_every_address():
    links.reverse("escalation:paging")
    with override_settings(ROOT_URLCONF="tests.benchmarks.urls_bench"):
        assert links._remembered.cache_info().currsize == 0


def test_the_url_tag_is_the_remembered_one_everywhere():
    template = engines["django"].from_string(
        "{% url 'escalation:service_detail' slug %}|{% url 'escalation:paging' as p %}{{ p }}|"
        "{% url 'escalation:nothing-here' as missing %}[{{ missing }}]"
    )

    assert template.render({"slug": "a-b"}) == "/services/a-b/|/paging/|[]"
    assert links._remembered.cache_info().currsize == 2
    with pytest.raises(NoReverseMatch):
        engines["django"].from_string("{% url 'escalation:nothing-here' %}").render({})


def test_address_of_links_many_objects_to_one_view():
    address = links.address_of("escalation:service_detail")

    assert [address("a"), address("b"), address("a")] == ["/services/a/", "/services/b/"] + [
        "/services/a/"
    ]
    with pytest.raises(NoReverseMatch):
        address("not a slug")
