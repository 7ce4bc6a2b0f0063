"""The product catalogue (GET /api/v1/products) and quotation (POST /api/v1/quotes) APIs.

Both answer from the launched product versions (application.products; the shipped files are the first);
a quote prices only a version on sale today and records nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from domain.errors import InvalidValue, NotFound
from domain.identifiers import china_today
from domain.policy.underwriting_case import age_on
from domain.product.catalogue import Catalogue, quote
from domain.product.model import Product
from interface.auth import requires
from interface.bootstrap import Services
from interface.http import read_position
from interface.product_schemas import ProductDetail, ProductList, ProductSummary, ProductVersions, QuoteIn, QuoteView
from interface.query_params import MAX_POSITION
from projections.customers import CUSTOMERS

After = Annotated[
    int | None,
    QueryParameter(
        ge=0,
        le=MAX_POSITION,
        description="wait until the read side has reached this log position (a customer registered just before)",
    ),
]
Line = Literal["life", "health", "accident", "property", "liability", "credit"]
#: Inputs that describe the insured: given directly, or read from a registered customer.
INSURED_FIELDS = ("age", "birth_date", "gender", "occupation_class")


def find_product(catalogue: Catalogue, code: str, version: int | None = None) -> Product:
    """The product version, or 404 coded unknown-product / unknown-product-version."""
    try:
        return catalogue.get(code, version)
    except InvalidValue as unknown:
        raise NotFound(unknown.message, code=unknown.code) from None


class ProductQueries(Controller):
    """The product catalogue (SPEC §3): every product's latest version, any version in full, version lists."""

    path = "/api/v1/products"
    tags = ["products"]

    @get("/", guards=[requires("products.read")], sync_to_thread=True)
    def list_products(
        self,
        services: NamedDependency[Services],
        line: FromQuery[Line | None] = None,
        kind: FromQuery[Literal["main", "rider"] | None] = None,
    ) -> ProductList:
        """The latest version of each product on sale today (China), by code; filter by line and kind."""
        items = [
            ProductSummary.of(p)
            for p in services.app.catalogue.selling(china_today())
            if (line is None or p.line == line) and (kind is None or p.kind == kind)
        ]
        return ProductList(items=items, total=len(items))

    @get("/{code:str}", guards=[requires("products.read")], sync_to_thread=True)
    def get_product(
        self,
        services: NamedDependency[Services],
        code: FromPath[str],
        version: Annotated[int | None, QueryParameter(ge=1, le=MAX_POSITION, description="default: the latest")] = None,
    ) -> ProductDetail:
        """One product version in full: rates, loadings, disclosure questions, claim documents, riders."""
        catalogue = services.app.catalogue
        return ProductDetail.detail(find_product(catalogue, code, version), catalogue)

    @get("/{code:str}/versions", guards=[requires("products.read")], sync_to_thread=True)
    def versions(self, services: NamedDependency[Services], code: FromPath[str]) -> ProductVersions:
        """Every version of a product, oldest first (policies keep the version they were sold under)."""
        catalogue = services.app.catalogue
        latest = find_product(catalogue, code)
        return ProductVersions(
            code=code,
            latest=latest.version,
            versions=[ProductSummary.of(catalogue.get(code, v)) for v in catalogue.versions(code)],
        )


class QuoteCommands(Controller):
    """Quotation (guide 6.2.4): the premium of a proposed cover. Records no event."""

    path = "/api/v1/quotes"
    tags = ["products"]

    @post("/", guards=[requires("quotes.create")], sync_to_thread=True, status_code=200)
    def quote_cover(
        self, services: NamedDependency[Services], data: JSONBody[QuoteIn], after: After = None
    ) -> QuoteView:
        """Price a cover with its riders for an insured (age or birth date, gender, occupation class) or a
        registered customer; adverse disclosure answers load the premium. Nothing is recorded."""
        catalogue = services.app.catalogue
        today = china_today()
        find_product(catalogue, data.product_code, data.product_version)  # 404 when unknown
        product = catalogue.on_sale(data.product_code, data.product_version, today)  # 409 when not on sale
        if data.customer_id is not None:
            age, gender, occupation_class = self._customer(services, data, product, today, after)
        else:
            age, gender, occupation_class = self._insured(data, product, today)
        health, adverse = self._disclosures(product, data.disclosures)
        riders = []
        for i, rider in enumerate(data.riders):
            try:
                riders.append((catalogue.on_sale(rider.product_code, rider.product_version, today), rider.sum_insured))
            except InvalidValue as unknown:
                raise InvalidValue(f"riders[{i}].{unknown.field}", unknown.message, code=unknown.code) from None
        priced = quote(
            product,
            age=age,
            gender=gender,
            sum_insured=data.sum_insured,
            term_months=data.term_months,
            premium_mode=data.premium_mode,
            occupation_class=occupation_class,
            health_loading_pct=health,
            riders=riders,
        )
        return QuoteView.of(
            priced,
            product,
            quote_date=today,
            age=age,
            gender=gender,
            occupation_class=occupation_class,
            health_loading_pct=health,
            adverse_disclosures=list(adverse),
        )

    @staticmethod
    def _insured(data: QuoteIn, product: Product, today: date) -> tuple[int | None, str | None, int]:
        age = data.age
        if data.birth_date is not None:
            if age is not None:
                raise InvalidValue("birth_date", "give age or birth_date, not both")
            if data.birth_date > today:
                raise InvalidValue("birth_date", "must not be in the future")
            age = age_on(data.birth_date, today)
        occupation_class = data.occupation_class
        if occupation_class is None:
            if product.is_personal:
                raise InvalidValue("occupation_class", f"is required for {product.code}")
            occupation_class = 1
        return age, data.gender, occupation_class

    @staticmethod
    def _customer(
        services: Services, data: QuoteIn, product: Product, today: date, after: int | None
    ) -> tuple[int | None, str | None, int]:
        for name in INSURED_FIELDS:
            if getattr(data, name) is not None:
                raise InvalidValue(name, "give either customer_id or the insured's age, gender and occupation class")
        read_position(services, ["customers"], after, None)
        row = CUSTOMERS.raw(services.read_side, str(data.customer_id), None)
        if row is None:
            raise NotFound(f"customer {data.customer_id} not found")
        if row["kind"] != "individual":
            if product.is_personal:
                raise InvalidValue("customer_id", f"{product.code} insures a person, not an enterprise")
            return None, None, 1
        born = row["birth_date"]
        return age_on(born, today) if born is not None else None, row["gender"], row["occupation_class"] or 1

    @staticmethod
    def _disclosures(product: Product, answers: dict[str, bool] | None) -> tuple[Decimal, tuple[str, ...]]:
        if answers is None:
            return Decimal(0), ()
        try:
            return product.health_loading_for(answers), product.check_disclosure_answers(answers)
        except InvalidValue as refusal:
            field = refusal.field.replace("disclosure_answers", "disclosures", 1)
            raise InvalidValue(field, refusal.message, code=refusal.code) from None
