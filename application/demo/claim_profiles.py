"""How claims come in the demo, per product: yearly frequency, covered causes, amounts (frequent small
claims, rare large ones), a cause the product does not cover, an exclusion investigation may find, and
the usual investigation; and the paths a claim may take, with their weights."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from application.demo.world import World

K = 1000


@dataclass(frozen=True)
class Profile:
    """How claims on a product come: yearly frequency, causes, amounts, and what is not covered."""

    rate: float
    causes: dict[str, int]  # covered cause → weight
    amount: Callable[[World, Decimal, bool], int]  # (world, sum insured, large) → amount claimed
    uncovered: str  # a cause the product does not cover
    exclusion: str  # an exclusion found by investigation
    activity: str  # the usual investigation (7.2 (1))


def _range(low: int, high: int, large: tuple[int, int]) -> Callable[[World, Decimal, bool], int]:
    """An amount in yuan (a large one for the large paths), never above 85 % of the sum insured left."""
    return lambda w, si, big: min(w.days(*(large if big else (low, high))), int(si * Decimal("0.85")))


def _share(low: float, high: float, large: tuple[float, float]) -> Callable[[World, Decimal, bool], int]:
    """A share of the sum insured (commercial cover: the loss grows with what is insured)."""
    return lambda w, si, big: int(si * Decimal(str(round(w.rng.uniform(*(large if big else (low, high))), 4))))


def _lump(w: World, si: Decimal, big: bool) -> int:  # the sum insured, as critical illness and disability pay
    return int(si)


def _illness(w: World, si: Decimal, big: bool) -> int:  # a mild critical illness pays 30 %
    return int(si) if big else int(si * Decimal("0.3"))


def _accident(w: World, si: Decimal, big: bool) -> int:
    return int(si * Decimal(str(round(w.rng.uniform(0.03, 0.1), 3)))) if big else w.days(800, 2500)


#: Frequent small claims and rare large ones, giving loss ratios near what such lines run at (0.4–0.7).
PROFILES: dict[str, Profile] = {
    "medical": Profile(
        0.12,
        {
            "illness_hospitalisation": 55,
            "accident_hospitalisation": 15,
            "special_outpatient": 20,
            "outpatient_surgery": 10,
        },
        _range(11 * K, 17 * K, (80 * K, 200 * K)),
        "dental_care",
        "pre_existing_condition",
        "records_review",
    ),
    "critical_illness": Profile(
        0.012,
        {"critical_illness": 30, "mild_critical_illness": 70},
        _illness,
        "general_illness",
        "pre_existing_condition",
        "records_review",
    ),
    "term_life": Profile(
        0.0005,
        {"total_permanent_disability": 1},
        _lump,
        "partial_disability",
        "drunk_or_unlicensed_driving",
        "interview",
    ),
    "personal_accident": Profile(
        0.05,
        {"accidental_medical": 97, "accidental_disability": 3},
        _accident,
        "illness",
        "dangerous_sports",
        "interview",
    ),
    "home_property": Profile(
        0.15,
        {"burst_pipe": 30, "theft": 20, "fire": 15, "storm": 15, "flood": 10, "falling_objects": 10},
        _range(1 * K, 8 * K, (60 * K, 300 * K)),
        "mechanical_breakdown",
        "wear_and_tear",
        "site_survey",
    ),
    "enterprise_property": Profile(
        0.25,
        {"fire": 30, "storm": 25, "flood": 20, "explosion": 10, "lightning": 10, "hail": 5},
        _share(0.0005, 0.005, (0.02, 0.06)),
        "mechanical_breakdown",
        "wear_and_tear",
        "site_survey",
    ),
    "public_liability": Profile(
        0.25,
        {"third_party_injury": 55, "third_party_property_damage": 35, "legal_costs": 10},
        _share(0.001, 0.008, (0.03, 0.1)),
        "employee_injury",
        "contractual_liability",
        "cause_and_liability",
    ),
    "trade_credit": Profile(
        0.2,
        {"buyer_insolvency": 40, "protracted_default": 50, "buyer_repudiation": 10},
        _share(0.002, 0.012, (0.04, 0.12)),
        "quality_dispute",
        "related_party_buyer",
        "records_review",
    ),
}
#: Paths and their weights; the first claims of a book take each path once, in this order. A claim
#: on life or health cover formed less than two years before may turn out "rescinded" instead of "paid".
PATHS = (
    "paid",
    "not-covered",
    "missing-documents",
    "disputed",
    "large",
    "excluded",
    "reopened",
    "late-decision",
    "advance",
    "late-rejection-notice",
)
WEIGHTS = (54, 8, 14, 7, 3, 4, 3, 3, 2, 2)
