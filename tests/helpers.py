"""Readers the tests share: a page's text, tables and SVGs; the security headers and inline
code a content security policy would block; what a browser submits from an admin form; how
many model instances a request builds."""

import re
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from html.parser import HTMLParser

from django.db.models.signals import post_init
from django.urls import reverse

# --- pages -------------------------------------------------------------------------------


class Cell:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.parts: list[str] = []

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    @property
    def classes(self) -> list[str]:
        return self.attrs.get("class", "").split()

    def __repr__(self) -> str:
        return f"<{self.tag} {self.text!r}>"


class Table:
    def __init__(self, attrs: dict[str, str]) -> None:
        self.attrs = attrs
        self.rows: list[list[Cell]] = []
        self.row_attrs: list[dict[str, str]] = []

    @property
    def texts(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.rows]

    def row(self, first_cell_text: str) -> list[Cell]:
        return next(row for row in self.rows if row and row[0].text.startswith(first_cell_text))


class _TableParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.stack: list[Table] = []
        self.cell: Cell | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: value or "" for key, value in attrs}
        if tag == "table":
            self.stack.append(Table(attributes))
            self.tables.append(self.stack[-1])
        elif self.stack and tag == "tr":
            self.stack[-1].rows.append([])
            self.stack[-1].row_attrs.append(attributes)
        elif self.stack and tag in ("td", "th") and self.stack[-1].rows:
            self.cell = Cell(tag, attributes)
            self.stack[-1].rows[-1].append(self.cell)
        elif self.cell is not None and tag in ("br", "div", "li"):
            self.cell.parts.append(" ")

    def handle_endtag(self, tag):
        if tag == "table" and self.stack:
            self.stack.pop()
        elif tag in ("td", "th"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.parts.append(data)


def tables(html: str) -> list[Table]:
    parser = _TableParser()
    parser.feed(html)
    return parser.tables


def page_text(html: str) -> str:
    """The visible words of `<main>`, whitespace collapsed (markup and entities gone)."""
    main = html[html.index("<main") : html.index("</main>")]
    parts: list[str] = []

    class _Text(HTMLParser):
        def handle_data(self, data):
            parts.append(data)

        def handle_starttag(self, tag, attrs):
            parts.append(" ")

    _Text(convert_charrefs=True).feed(main)
    return " ".join("".join(parts).split())


def svgs(html: str) -> list[ET.Element]:
    """Every inline SVG of the page, parsed as XML (fails if one is not well-formed)."""
    return [
        ET.fromstring(match)  # noqa: S314 - our own output, parsed to prove it is well-formed
        for match in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL)
    ]


# --- content security policy ------------------------------------------------------------

# Data blocks a browser never runs, so the policy does not apply to them.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


class InlineCode(HTMLParser):
    """Everything in a page that a no-inline policy would block."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            kind = (attributes.get("type") or "").lower()
            if kind not in DATA_SCRIPT_TYPES:
                self._script = ""
        if tag == "style":
            self.found.append("a <style> element")
        for name, value in attrs:
            runs_code = name.startswith("on") or (
                name in {"href", "src", "action", "formaction"}
                and (value or "").strip().lower().startswith("javascript:")
            )
            if name == "style" or runs_code:
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.found.append(f"an inline <script>: {self._script.strip()[:80]!r}")
            self._script = None


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    parser.close()
    return parser.found


def header_problems(response) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy")
    if not policy:
        return ["no Content-Security-Policy header"]
    parsed = directives(policy)
    for directive in ("script-src", "style-src"):
        sources = parsed.get(directive, parsed.get("default-src", []))
        if not sources:
            problems.append(f"{directive}: no sources at all (nor default-src)")
        for source in sources:
            if source.strip("'") in {"unsafe-inline", "unsafe-eval", "unsafe-hashes", "*"}:
                problems.append(f"{directive} allows {source}")
    if parsed.get("object-src") != ["'none'"]:
        problems.append(f"object-src is {parsed.get('object-src')}, not 'none'")
    if parsed.get("frame-ancestors") != ["'none'"]:
        problems.append(f"frame-ancestors is {parsed.get('frame-ancestors')}, not 'none'")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options is {response.get('X-Frame-Options')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options is {response.get('X-Content-Type-Options')!r}")
    if response.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy is {response.get('Referrer-Policy')!r}")
    return problems


# --- the admin ---------------------------------------------------------------------------


def admin_url(model, view, *args):
    return reverse(f"admin:escalation_{model._meta.model_name}_{view}", args=args)


class _FormData(HTMLParser):
    """What a browser would submit from the admin's change form, read from the page's HTML."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self.select: dict | None = None
        self.textarea: str | None = None
        self.text = ""

    def add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"submit", "button", "image", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.add(name, attributes.get("value", default))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attributes, "options": []}
        elif tag == "option" and self.select is not None:
            self.select["options"].append((attributes.get("value", ""), "selected" in attributes))
        elif tag == "textarea" and name:
            self.textarea, self.text = name, ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            chosen = [value for value, selected in self.select["options"] if selected]
            if not chosen and not self.select["multiple"] and self.select["options"]:
                chosen = [self.select["options"][0][0]]
            for value in chosen:
                self.add(self.select["name"], value)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.add(self.textarea, self.text.removeprefix("\n"))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.text += data


def form_data(response, model):
    parser = _FormData(f"{model._meta.model_name}_form")
    parser.feed(response.content.decode())
    assert parser.data, "the change form was not found on the page"
    return parser.data


def post_change(client, obj, **changes):
    """Open the object's change form, change some fields, submit it as a browser would."""
    url = admin_url(type(obj), "change", obj.pk)
    data = form_data(client.get(url), type(obj))
    data.update({name: [value] for name, value in changes.items()})
    return client.post(url, data)


# --- rows built ------------------------------------------------------------------------


class InstanceCounter:
    """How many model instances were built (from the database or not) while counting."""

    def __init__(self) -> None:
        self.count = 0
        self.by_model: dict[str, int] = {}

    def __call__(self, sender, **kwargs) -> None:
        self.count += 1
        self.by_model[sender.__name__] = self.by_model.get(sender.__name__, 0) + 1


@contextmanager
def instances_built():
    """Count the model instances built inside the block (Django's `post_init` signal), e.g. to
    pin how many rows a page reads besides how many queries it runs:

        with instances_built() as built:
            client.get(url)
        assert built.count <= budget, built.by_model
    """
    counter = InstanceCounter()
    post_init.connect(counter, weak=False, dispatch_uid=id(counter))
    try:
        yield counter
    finally:
        post_init.disconnect(dispatch_uid=id(counter))
