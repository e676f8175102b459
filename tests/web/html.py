"""A small HTML tree for asserting on elements (ids, tags, text) without a browser."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Element:
    """An element with its attributes, children and text."""

    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All text inside, whitespace collapsed."""
        parts = list(self.texts)
        for child in self.children:
            parts.append(child.text)
        return " ".join(" ".join(parts).split())

    def iter(self) -> list[Element]:
        """This element and every descendant, in document order."""
        out = [self]
        for child in self.children:
            out.extend(child.iter())
        return out

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        """Descendants with this tag (any if None) whose attributes contain ``attrs``
        (``class_`` matches one class)."""
        found = []
        for el in self.iter()[1:]:
            if tag is not None and el.tag != tag:
                continue
            ok = True
            for key, value in attrs.items():
                if key == "class_":
                    ok = ok and value in el.attrs.get("class", "").split()
                else:
                    ok = ok and el.attrs.get(key.replace("_", "-")) == value
            if ok:
                found.append(el)
        return found

    def by_id(self, ident: str) -> Element:
        """The element with this id (AssertionError naming it when absent)."""
        for el in self.iter():
            if el.attrs.get("id") == ident:
                return el
        raise AssertionError(f"no element with id {ident!r}")

    def has_id(self, ident: str) -> bool:
        """Whether an element has this id."""
        return any(el.attrs.get("id") == ident for el in self.iter())

    def rows(self) -> list[list[str]]:
        """Texts of the cells of each body row of a table."""
        body = self.find_all("tbody")
        rows = body[0].find_all("tr") if body else self.find_all("tr")
        return [[c.text for c in r.children if c.tag in ("td", "th")] for r in rows]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(el)
        if tag not in VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.stack[-1].texts.append(data)


def parse(text: str) -> Element:
    """The document's element tree."""
    builder = _Builder()
    builder.feed(text)
    return builder.root
