"""The product catalogue (SPEC §3; guide ch. 3): loads and validates domain/catalogue/<code>.v<version>.json.

Every file is checked field by field (domain.product.rules); a bad file stops the load with a
CatalogueError naming the file and the field path, e.g. "term_life.v1.json: rate_bands[2].male: must be a
positive decimal". Quotation lives in domain.product.quotation and is re-exported here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from importlib import resources
from importlib.resources.abc import Traversable

from domain.errors import DomainError, InvalidValue
from domain.product.design import design_findings
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

    def __init__(
        self, products: Iterable[Product], sale: Mapping[tuple[str, int], tuple[date, date | None]] | None = None
    ) -> None:
        self._products: dict[str, dict[int, Product]] = {}
        for product in sorted(products, key=lambda p: (p.code, p.version)):
            self._products.setdefault(product.code, {})[product.version] = product
        #: (code, version) → (first day on sale, first day withdrawn); None: every version always on sale
        self._sale = dict(sale) if sale is not None else None

    def on_sale(self, code: str, version: int | None, day: date) -> Product:
        """The version to quote or sell on `day` (None → the latest on sale then). Unknown: InvalidValue as `get`;
        a version not on sale that day: DomainError coded product-not-on-sale (409)."""
        if version is not None:
            product = self.get(code, version)
            self._check_on_sale(product, day)
            return product
        self.get(code)
        for candidate in sorted(self._products[code], reverse=True):
            if self.sale_window(code, candidate) is None or self._is_on_sale(code, candidate, day):
                return self._products[code][candidate]
        raise DomainError(f"no version of {code} is on sale on {day}", code="product-not-on-sale")

    def sale_window(self, code: str, version: int) -> tuple[date, date | None] | None:
        """The first day the version is on sale and the first day it is withdrawn (None: always on sale)."""
        return None if self._sale is None else self._sale.get((code, version))

    def _is_on_sale(self, code: str, version: int, day: date) -> bool:
        window = self.sale_window(code, version)
        return window is None or (window[0] <= day and (window[1] is None or day < window[1]))

    def _check_on_sale(self, product: Product, day: date) -> None:
        window = self.sale_window(product.code, product.version)
        if window is None or self._is_on_sale(product.code, product.version, day):
            return
        first, withdrawn = window
        when = f"withdrawn from {withdrawn}" if withdrawn is not None and day >= withdrawn else f"on sale from {first}"
        raise DomainError(
            f"{product.code} v{product.version} is not on sale on {day} ({when})", code="product-not-on-sale"
        )

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

    def selling(self, day: date) -> tuple[Product, ...]:
        """The latest version of each product on sale on `day`, by code (a product with none is left out)."""
        found = []
        for code, versions in self._products.items():
            selling = [v for v in versions if self._is_on_sale(code, v, day)]
            if selling:
                found.append(versions[max(selling)])
        return tuple(found)

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
        text = file.read_text(encoding="utf-8")
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as error:
        raise CatalogueError(file.name, "", f"is not valid JSON ({error})") from None
    product = parse_product(data, file.name)
    for finding in design_findings(text, file.name, mains=None)[1]:  # the design rules a release passes
        raise CatalogueError(file.name, finding.field, finding.rule)
    expected = f"{product.code}.v{product.version}.json"
    if file.name != expected:
        field = "version" if file.name.startswith(f"{product.code}.v") else "code"
        raise CatalogueError(file.name, field, f"{product.code} v{product.version} must be in a file named {expected}")
    return file.name, product


def shipped_files() -> list[tuple[str, str]]:
    """The shipped catalogue files (name, text), by name: recorded as the catalogue's first versions."""
    folder = resources.files("domain").joinpath("catalogue")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json") and f.is_file()), key=lambda f: f.name)
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]
