"""The design check a product version passes before it is approved (guide 3.2 保险产品设计原则; SPEC §13).

A version's definition is the JSON of a catalogue file. The check reads it field by field (`parse_product`: types,
ranges, cooling-off of at least 15 days for a term over a year, a cancellation fee of at most 10 yuan, a rate for
every insurable age, the documents a claim needs) and then asks what the contract of 5.2 (3) needs of a product:

- b. 保险标的、保险责任、保险期间和保险金额: the line, covered causes, terms and sum insured bounds (required fields);
- c. 保险费及其支付方式: the rates and the premium modes (required fields);
- d. 保险金的赔偿或者给付办法: the payout ratio, deductible and claim documents (required fields);
- e. 违约责任和争议处理: `dispute_resolution`, litigation or arbitration (checked here);
- f. 其他事项: the exclusions (a required field);
- a. 当事人: the parties are named on each policy, not on the product.

A rider must attach to main products the catalogue holds. `parse_product` stops at its first failure, so a
definition that does not read gives one finding; one that reads gives every rule of this module it breaks.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.product.model import DISPUTE_RESOLUTIONS, Product
from domain.product.rules import CatalogueError, parse_product


@dataclass(frozen=True)
class Finding:
    """One rule a definition breaks: the field's path and the rule."""

    field: str
    rule: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "rule": self.rule}


def read_definition(text: str) -> Any:
    """The definition's JSON, decimals exact."""
    return json.loads(text, parse_float=Decimal)


def design_findings(text: str, source: str, *, mains: Collection[str] | None) -> tuple[Product | None, list[Finding]]:
    """The product the definition describes (None if it does not read) and the rules it breaks; `mains`, the
    main products a rider may attach to (None: not asked here, as when a whole folder is read)."""
    try:
        product = parse_product(read_definition(text), source)
    except CatalogueError as failure:
        return None, [Finding(failure.path or "definition", failure.reason)]
    except ValueError as failure:
        return None, [Finding("definition", f"is not valid JSON ({failure})")]
    findings: list[Finding] = []
    if product.dispute_resolution is None:
        findings.append(
            Finding(
                "dispute_resolution",
                f"5.2 (3) e: the contract must say how disputes are resolved ({' or '.join(DISPUTE_RESOLUTIONS)})",
            )
        )
    for i, target in enumerate(product.attaches_to):
        if mains is not None and target not in mains:
            findings.append(Finding(f"attaches_to[{i}]", f"{target!r} is not a main product of the catalogue"))
    return product, findings
