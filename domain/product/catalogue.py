"""The product catalogue (SPEC §3; guide ch. 3): loads and validates domain/catalogue/<code>.v<version>.json.

Every file is checked field by field (domain.product.rules); a bad file stops the load with a
CatalogueError naming the file and the field path, e.g. "term_life.v1.json: rate_bands[2].male: must be a
positive decimal". Quotation lives in domain.product.quotation and is re-exported here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable

from domain.errors import InvalidValue
from domain.product.model import Product
from domain.product.quotation import Quote, quote
from domain.product.rules import CatalogueError, parse_product

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Quote",
    "build_catalogue",
    "default_catalogue",
    "load_catalogue",
    "parse_product",
    "quote",
]


class Catalogue:
    """Every version of every product, by code."""

    def __init__(self, products: Iterable[Product]) -> None:
        self._products: dict[str, dict[int, Product]] = {}
        for product in sorted(products, key=lambda p: (p.code, p.version)):
            self._products.setdefault(product.code, {})[product.version] = product

    def get(self, code: str, version: int | None = None) -> Product:
        """The product version (None → latest); InvalidValue coded unknown-product(-version) if absent."""
        versions = self._products.get(code) if isinstance(code, str) else None
        if not versions:
            raise InvalidValue("product_code", f"unknown product {code!r}", code="unknown-product")
        if version is None:
            return versions[max(versions)]
        if isinstance(version, bool) or version not in versions:
            raise InvalidValue("product_version", f"{code} has no version {version!r}", code="unknown-product-version")
        return versions[version]

    def versions(self, code: str) -> tuple[int, ...]:
        """The versions of a product, oldest first (empty when the code is unknown)."""
        return tuple(self._products.get(code, {}))

    def all(self) -> tuple[Product, ...]:
        """The latest version of each product, by code."""
        return tuple(self.get(code) for code in self._products)

    def riders_for(self, code: str) -> tuple[Product, ...]:
        """The riders (latest versions) that may attach to the main product `code`."""
        self.get(code)
        return tuple(p for p in self.all() if p.kind == "rider" and code in p.attaches_to)

    def __contains__(self, code: object) -> bool:
        return code in self._products

    def __len__(self) -> int:
        return len(self._products)


def load_catalogue(directory: Traversable | None = None) -> Catalogue:
    """Load and validate every *.json in `directory` (default: the shipped domain/catalogue/)."""
    folder = directory if directory is not None else resources.files("domain").joinpath("catalogue")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json") and f.is_file()), key=lambda f: f.name)
    if not files:
        raise CatalogueError(str(folder), "", "holds no product files (*.json)")
    return build_catalogue(_read_file(f) for f in files)


@functools.cache
def default_catalogue() -> Catalogue:
    """The shipped catalogue, loaded once."""
    return load_catalogue()


def build_catalogue(entries: Iterable[tuple[str, Product]]) -> Catalogue:
    """Check (source, product) pairs against each other: no duplicates, riders name main products."""
    seen: dict[tuple[str, int], str] = {}
    items = list(entries)
    for source, product in items:
        earlier = seen.setdefault((product.code, product.version), source)
        if earlier != source:
            raise CatalogueError(source, "version", f"{product.code} v{product.version} is also defined in {earlier}")
    mains = {p.code for _, p in items if p.kind == "main"}
    for source, product in items:
        for i, target in enumerate(product.attaches_to):
            if target not in mains:
                raise CatalogueError(source, f"attaches_to[{i}]", f"{target!r} is not a main product of the catalogue")
    return Catalogue(p for _, p in items)


def _read_file(file: Traversable) -> tuple[str, Product]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"), parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise CatalogueError(file.name, "", f"is not valid JSON ({error})") from None
    product = parse_product(data, file.name)
    expected = f"{product.code}.v{product.version}.json"
    if file.name != expected:
        field = "version" if file.name.startswith(f"{product.code}.v") else "code"
        raise CatalogueError(file.name, field, f"{product.code} v{product.version} must be in a file named {expected}")
    return file.name, product
