"""Streaming XML reading that refuses DTDs and entities, for files downloaded from the internet.

defusedxml blocks entity-expansion bombs and external entities; the official lists use neither,
so any DTD at all is refused. Elements are streamed so the 100+ MB OFAC file never needs a whole
tree in memory; parsers clear each record element once they have read it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from analysis.errors import InputError
from analysis.paths import display_path


def local_name(tag: str) -> str:
    """An element name without its namespace: OFAC and the EU have changed namespaces before."""
    return tag.rsplit("}", 1)[-1]


def iter_closed_elements(path: Path) -> Iterator[tuple[str, Element]]:
    """Yield ``(local name, element)`` as each element closes, turning every XML fault into
    InputError naming the file and the line and column where parsing stopped."""
    shown = display_path(path)
    try:
        with open(path, "rb") as handle:
            for _, element in iterparse(handle, events=("end",), forbid_dtd=True):
                yield local_name(element.tag), element
    except DefusedXmlException as error:
        raise InputError(
            shown,
            "XML without a DTD, entity declarations or external references",
            row="document type declaration",
            value=type(error).__name__,
        ) from None
    except ParseError as error:
        line, column = error.position
        reason = str(error).split(":", 1)[0]
        raise InputError(shown, "well-formed, complete XML", row=line,
                         value=f"{reason} at column {column}") from None


def child(element: Element, name: str) -> Element | None:
    """The first child with this local name."""
    for item in element:
        if local_name(item.tag) == name:
            return item
    return None


def children(element: Element, name: str) -> list[Element]:
    """All children with this local name."""
    return [item for item in element if local_name(item.tag) == name]


def text_of(element: Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""
