"""The DPV namespaces our documents use, and a check of them with no network.

DPV publishes its vocabulary as JSON-LD files but no ``@context`` document,
so every document carries the inline context below, binding the published
namespaces. The vendored release (``vocab/``, README there) is served to
pyld by :func:`load_vendored` for its published URLs only: any other URL is
refused, so expanding a document never fetches anything.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

__all__ = [
    "CONTEXT",
    "NAMESPACES",
    "PUBLISHED",
    "VERSION",
    "VocabularyError",
    "expand",
    "iri",
    "load_vendored",
    "terms",
    "unknown_terms",
]

VERSION = "2.3"
NAMESPACES: dict[str, str] = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "loc": "https://w3id.org/dpv/loc#",
}
CONTEXT: dict[str, Any] = {
    **NAMESPACES,
    "dct": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_HERE = Path(__file__).parent / "vocab"
_SITE = f"https://w3c.github.io/dpv/{VERSION}"
PUBLISHED: dict[str, Path] = {
    f"{_SITE}/dpv/dpv.jsonld": _HERE / "dpv.jsonld",
    f"{_SITE}/pd/pd.jsonld": _HERE / "pd.jsonld",
    f"{_SITE}/legal/eu/gdpr/eu-gdpr.jsonld": _HERE / "eu-gdpr.jsonld",
}
# The namespaces whose every term must exist in the vendored files (loc is
# not vendored: see vocab/README.md).
_CHECKED = ("dpv", "pd", "eu-gdpr")


class VocabularyError(ValueError):
    """A URL not vendored, or a term the vocabulary does not have."""


def iri(term: str) -> str:
    """A prefixed term (``eu-gdpr:A6-1-a``) as its full IRI."""
    prefix, _, local = term.partition(":")
    if prefix not in NAMESPACES or not local:
        raise VocabularyError(f"{term}: not a term of {', '.join(NAMESPACES)}")
    return NAMESPACES[prefix] + local


def load_vendored(url: str, options: Any = None) -> dict[str, Any]:
    """pyld's document loader: the vendored files by published URL, else no."""
    path = PUBLISHED.get(url)
    if path is None:
        raise VocabularyError(f"{url}: not a vendored document; nothing is fetched")
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _document(path),
    }


@cache
def _document(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def terms() -> frozenset[str]:
    """Every IRI the vendored vocabulary defines, read through the loader."""
    found: set[str] = set()
    for url in PUBLISHED:
        for node in load_vendored(url)["document"]:
            found.add(node["@id"])
    return frozenset(found)


def expand(document: Any) -> list[dict[str, Any]]:
    """JSON-LD expansion with the vendored loader (no network)."""
    expanded: list[dict[str, Any]] = jsonld.expand(
        document, {"documentLoader": load_vendored}
    )
    return expanded


def _iris(value: Any, found: set[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _iris(item, found)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("@id", "@type"):
                found.update([item] if isinstance(item, str) else item)
            elif key != "@value":
                found.add(key)
                _iris(item, found)


def unknown_terms(document: Any) -> list[str]:
    """The IRIs of dpv:, pd: and eu-gdpr: an expanded document uses that the
    vendored vocabulary does not define (a typo, a retired term)."""
    found: set[str] = set()
    _iris(expand(document), found)
    checked = tuple(NAMESPACES[p] for p in _CHECKED)
    known = terms()
    return sorted(i for i in found if i.startswith(checked) and i not in known)
