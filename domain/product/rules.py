"""The rules a product file must follow (SPEC §3): field types, enums, ranges and cross-field checks.

Every failure is a CatalogueError naming the file and the field path within it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any

from domain.product.model import (
    BASE_CLAIM_DOCUMENTS,
    DISPUTE_RESOLUTIONS,
    KINDS,
    LINES,
    OCCUPATION_CLASSES,
    PERSONAL_LINES,
    PREMIUM_MODES,
    RATINGS,
    ClaimDocument,
    DisclosureQuestion,
    Product,
    RateBand,
)

_CODE = re.compile(r"[a-z][a-z0-9_]{1,49}")
_REQUIRED: Any = object()
_FLAT_LINES = ("property", "liability", "credit")
#: Fields a product file may hold: the Product's fields.
_FIELDS = frozenset(Product.__dataclass_fields__)

Convert = Callable[[Any, str], Any]


class CatalogueError(ValueError):
    """A product file is malformed; `source` is the file, `path` the field within it."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}" if path else f"{source}: {message}")
        self.source = source
        self.path = path
        self.reason = message


def parse_product(data: Any, source: str) -> Product:
    """Build one Product from the JSON of one file, checking every field."""
    r = _Reader(source)
    doc = r.obj(data, "", _FIELDS)
    line = r.take(doc, "line", r.choice(LINES))
    personal = line in PERSONAL_LINES
    # outside personal lines the insured is often an enterprise: ages are optional (0–120)
    ages = (_REQUIRED, _REQUIRED) if personal else (0, 120)
    take = functools.partial(r.take, doc)
    product = Product(
        code=take("code", r.code),
        version=take("version", r.integer(1, 9999)),
        name_zh=take("name_zh", r.text),
        name_en=take("name_en", r.text),
        line=line,
        kind=take("kind", r.choice(KINDS)),
        terms_months=take("terms_months", r.listing(r.integer(1, 1200), non_empty=True)),
        premium_modes=take("premium_modes", r.listing(r.choice(PREMIUM_MODES), non_empty=True)),
        cooling_off_days=take("cooling_off_days", r.integer(0, 365)),
        cancellation_fee=take("cancellation_fee", r.decimal(Decimal(0), Decimal(10))),
        waiting_period_days=take("waiting_period_days", r.integer(0, 730)),
        grace_days=take("grace_days", r.integer(0, 365)),
        insured_age_min=take("insured_age_min", r.integer(0, 120), ages[0]),
        insured_age_max=take("insured_age_max", r.integer(0, 120), ages[1]),
        sum_insured_min=take("sum_insured_min", r.positive),
        sum_insured_max=take("sum_insured_max", r.positive),
        deductible=take("deductible", r.decimal(Decimal(0), Decimal("1e12"))),
        payout_ratio=take("payout_ratio", r.fraction),
        rating=take("rating", r.choice(RATINGS)),
        rate_bands=take("rate_bands", r.listing(r.rate_band), ()),
        flat_rate=take("flat_rate", r.positive, None),
        occupation_loadings=take("occupation_loadings", r.loadings),
        disclosure_questions=take("disclosure_questions", r.listing(r.question, non_empty=True)),
        claim_documents=take("claim_documents", r.listing(r.document, non_empty=True)),
        covered_causes=take("covered_causes", r.listing(r.code, non_empty=True)),
        exclusions=take("exclusions", r.listing(r.code, non_empty=True)),
        attaches_to=take("attaches_to", r.listing(r.code), ()),
        max_income_multiple=take("max_income_multiple", r.decimal(Decimal(1), Decimal(100)), None),
        cash_value_by_year=take("cash_value_by_year", r.listing(r.decimal(Decimal(0), Decimal(1))), ()),
        renewable=take("renewable", r.boolean, False),
        renewal_offer_days=take("renewal_offer_days", r.integer(1, 90), 30),
        # twelve monthly installments cost 1 to 1.2 times the annual premium
        monthly_factor=take("monthly_factor", r.decimal(Decimal(1) / 12, Decimal("0.1")), Decimal("0.09")),
        single_discount=take("single_discount", r.decimal(Decimal(0), Decimal("0.5")), Decimal(0)),
        max_expiry_age=take("max_expiry_age", r.integer(1, 120), None),
        ends_on_exhaustion=take("ends_on_exhaustion", r.boolean, False),
        waiting_period_restarts_on_reinstatement=take("waiting_period_restarts_on_reinstatement", r.boolean, False),
        dispute_resolution=take("dispute_resolution", r.choice(DISPUTE_RESOLUTIONS), None),
    )
    _check_rules(product, r)
    return product


def _check_rules(p: Product, r: _Reader) -> None:
    """The rules that relate fields to each other."""
    if p.insured_age_min > p.insured_age_max:
        raise r.fail("insured_age_max", f"must not be below insured_age_min ({p.insured_age_min})")
    if p.sum_insured_min > p.sum_insured_max:
        raise r.fail("sum_insured_max", f"must not be below sum_insured_min ({p.sum_insured_min})")
    if p.is_long_term and p.cooling_off_days < 15:
        raise r.fail("cooling_off_days", "must be at least 15 for a product with a term over one year")
    if p.line in ("life", "health") and p.grace_days < 60:
        raise r.fail("grace_days", "must be at least 60 for life and health products (Art. 36)")
    if "annual" in p.premium_modes:
        for i, term in enumerate(p.terms_months):
            if term % 12:
                raise r.fail(f"terms_months[{i}]", "must be whole years when annual premiums are offered")
    if p.renewable and p.is_long_term:
        raise r.fail("renewable", "only products of one year or less are renewed")
    if p.max_expiry_age is not None and p.insured_age_max + min(p.terms_months) // 12 > p.max_expiry_age:
        raise r.fail("max_expiry_age", "leaves no term for the oldest insurable age")
    if p.max_income_multiple is not None and p.line not in PERSONAL_LINES:
        raise r.fail("max_income_multiple", "applies to personal lines only")
    if p.is_long_term and p.kind == "main" and p.line in ("life", "health") and not p.cash_value_by_year:
        raise r.fail("cash_value_by_year", "is required for long-term life and health products")
    if p.waiting_period_restarts_on_reinstatement and not p.waiting_period_days:
        raise r.fail("waiting_period_restarts_on_reinstatement", "needs a waiting period (waiting_period_days)")
    if p.ends_on_exhaustion and p.line not in PERSONAL_LINES:
        raise r.fail("ends_on_exhaustion", "applies to life, health and accident cover only")
    _check_rating(p, r)
    _check_lists(p, r)


def _check_rating(p: Product, r: _Reader) -> None:
    if p.line in _FLAT_LINES and p.rating != "flat":
        raise r.fail("rating", f"must be flat for the {p.line} line")
    if p.rating == "flat":
        if p.flat_rate is None:
            raise r.fail("flat_rate", "is required for a flat-rated product")
        if p.rate_bands:
            raise r.fail("rate_bands", "must be empty for a flat-rated product")
        return
    if p.flat_rate is not None:
        raise r.fail("flat_rate", "must be absent for an age/gender-rated product")
    if not p.rate_bands:
        raise r.fail("rate_bands", "is required for an age/gender-rated product")
    if p.rate_bands[0].age_from != p.insured_age_min:
        raise r.fail("rate_bands[0].age_from", f"must start at insured_age_min ({p.insured_age_min})")
    for i in range(1, len(p.rate_bands)):
        expected = p.rate_bands[i - 1].age_to + 1
        if p.rate_bands[i].age_from < expected:
            raise r.fail(f"rate_bands[{i}].age_from", f"overlaps rate_bands[{i - 1}] (expected {expected})")
        if p.rate_bands[i].age_from > expected:
            gap = f"{expected}–{p.rate_bands[i].age_from - 1}" if p.rate_bands[i].age_from > expected + 1 else expected
            raise r.fail(f"rate_bands[{i}].age_from", f"leaves age {gap} unrated")
    last = len(p.rate_bands) - 1
    if p.rate_bands[last].age_to != p.insured_age_max:
        raise r.fail(f"rate_bands[{last}].age_to", f"must end at insured_age_max ({p.insured_age_max})")


def _check_lists(p: Product, r: _Reader) -> None:
    for name, suffix, values in (
        ("terms_months", "", p.terms_months),
        ("premium_modes", "", p.premium_modes),
        ("disclosure_questions", ".id", tuple(q.id for q in p.disclosure_questions)),
        ("claim_documents", ".code", p.claim_document_codes),
        ("covered_causes", "", p.covered_causes),
        ("exclusions", "", p.exclusions),
        ("attaches_to", "", p.attaches_to),
    ):
        for i, value in enumerate(values):
            if value in values[:i]:
                raise r.fail(f"{name}[{i}]{suffix}", f"repeats {value!r}")
    for doc in BASE_CLAIM_DOCUMENTS:
        if doc not in p.claim_document_codes:
            raise r.fail("claim_documents", f"must include {doc!r} (guide 7.1 (1))")
    for i, cause in enumerate(p.exclusions):
        if cause in p.covered_causes:
            raise r.fail(f"exclusions[{i}]", f"{cause!r} is also a covered cause")
    if p.kind == "rider" and not p.attaches_to:
        raise r.fail("attaches_to", "a rider must name the main products it attaches to")
    if p.kind == "main" and p.attaches_to:
        raise r.fail("attaches_to", "only riders attach to other products")
    insurable = sorted(p.occupation_loadings)
    if insurable != list(range(1, len(insurable) + 1)):
        raise r.fail("occupation_loadings", "insurable classes must run from class 1 without gaps")
    for cls in insurable[1:]:
        if p.occupation_loadings[cls] < p.occupation_loadings[cls - 1]:
            raise r.fail(f"occupation_loadings.{cls}", f"must not be below the loading of class {cls - 1}")


class _Reader:
    """Typed access to one file's JSON; every failure is a CatalogueError naming the field path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, path: str, message: str) -> CatalogueError:
        return CatalogueError(self.source, path, message)

    def take(
        self, obj: Mapping[str, Any], key: str, convert: Convert, default: Any = _REQUIRED, *, prefix: str = ""
    ) -> Any:
        if obj.get(key) is None:
            if default is _REQUIRED:
                raise self.fail(prefix + key, "is required")
            return default
        return convert(obj[key], prefix + key)

    def obj(self, value: Any, path: str, allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, "must be an object")
        for key in value:
            if key not in allowed:
                raise self.fail(f"{path}.{key}" if path else key, "is not a known field")
        return value

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip() or len(value) > 500:
            raise self.fail(path, "must be a non-empty text of at most 500 characters")
        return value.strip()

    def code(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not _CODE.fullmatch(value):
            raise self.fail(path, "must be a code of lower-case letters, digits and underscores")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(path, "must be true or false")
        return value

    def choice(self, options: tuple[str, ...]) -> Convert:
        def convert(value: Any, path: str) -> str:
            if value not in options:
                raise self.fail(path, f"must be one of: {', '.join(options)}")
            return str(value)

        return convert

    def integer(self, low: int, high: int) -> Convert:
        def convert(value: Any, path: str) -> int:
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise self.fail(path, f"must be a whole number from {low} to {high}")
            return value

        return convert

    def number(self, value: Any, path: str, message: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
            raise self.fail(path, message)
        try:
            number = Decimal(value)
        except InvalidOperation:
            raise self.fail(path, message) from None
        if not number.is_finite():
            raise self.fail(path, message)
        return number

    def decimal(self, low: Decimal, high: Decimal) -> Convert:
        def convert(value: Any, path: str) -> Decimal:
            upper = f" to {high:.4g}" if high < 10**9 else " or more"
            message = f"must be a decimal from {low:.4g}{upper}"
            number = self.number(value, path, message)
            if not low <= number <= high:
                raise self.fail(path, message)
            return number

        return convert

    def positive(self, value: Any, path: str) -> Decimal:
        number = self.number(value, path, "must be a positive decimal")
        if number <= 0:
            raise self.fail(path, "must be a positive decimal")
        return number

    def fraction(self, value: Any, path: str) -> Decimal:
        number = self.number(value, path, "must be a decimal above 0 and at most 1")
        if not 0 < number <= 1:
            raise self.fail(path, "must be a decimal above 0 and at most 1")
        return number

    def listing(self, convert: Convert, *, non_empty: bool = False) -> Convert:
        def convert_all(value: Any, path: str) -> tuple[Any, ...]:
            if not isinstance(value, list) or (non_empty and not value):
                raise self.fail(path, "must be a non-empty list" if non_empty else "must be a list")
            return tuple(convert(item, f"{path}[{i}]") for i, item in enumerate(value))

        return convert_all

    def rate_band(self, value: Any, path: str) -> RateBand:
        band = self.obj(value, path, ("age_from", "age_to", "male", "female"))
        take = functools.partial(self.take, band, prefix=f"{path}.")
        age_from, age_to = take("age_from", self.integer(0, 120)), take("age_to", self.integer(0, 120))
        if age_from > age_to:
            raise self.fail(f"{path}.age_to", "must not be below age_from")
        return RateBand(age_from, age_to, take("male", self.positive), take("female", self.positive))

    def question(self, value: Any, path: str) -> DisclosureQuestion:
        q = self.obj(value, path, ("id", "text_zh", "text_en", "adverse", "health_loading_pct"))
        take = functools.partial(self.take, q, prefix=f"{path}.")
        loading = take("health_loading_pct", self.decimal(Decimal(0), Decimal(500)), Decimal(0))
        return DisclosureQuestion(
            take("id", self.code),
            take("text_zh", self.text),
            take("text_en", self.text),
            take("adverse", self.boolean),
            loading,
        )

    def document(self, value: Any, path: str) -> ClaimDocument:
        d = self.obj(value, path, ("code", "name_zh", "name_en"))
        take = functools.partial(self.take, d, prefix=f"{path}.")
        return ClaimDocument(take("code", self.code), take("name_zh", self.text), take("name_en", self.text))

    def loadings(self, value: Any, path: str) -> Mapping[int, Decimal]:
        """Classes "1"–"6", each a loading fraction or null (not insurable); all six must be stated."""
        table = self.obj(value, path, [str(c) for c in OCCUPATION_CLASSES])
        result: dict[int, Decimal] = {}
        for cls in OCCUPATION_CLASSES:
            if str(cls) not in table:
                raise self.fail(f"{path}.{cls}", "is required (null when the class is not insurable)")
            if table[str(cls)] is not None:
                result[cls] = self.decimal(Decimal(0), Decimal(10))(table[str(cls)], f"{path}.{cls}")
        return MappingProxyType(result)
