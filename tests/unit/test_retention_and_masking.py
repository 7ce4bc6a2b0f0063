"""Retention ends under Art. 87 and the masks registers show (pure functions, no I/O)."""

from __future__ import annotations

from datetime import date

from application.retention import Contract, add_years, customer_retention, policy_retention
from interface.personal_data import mask_contacts, mask_id

D = date


def contract(
    status: str = "in_force",
    term: int = 12,
    start: date | None = D(2024, 1, 1),
    end: date | None = D(2024, 12, 31),
    last: date | None = D(2024, 6, 1),
) -> Contract:
    return Contract("p", "applicant", status, term, start, end, last)


def test_a_contract_of_one_year_or_less_is_kept_five_years_after_it_ends() -> None:
    assert policy_retention(contract(term=12)).retention_end == D(2029, 12, 31)


def test_a_longer_contract_is_kept_ten_years_after_it_ends() -> None:
    assert policy_retention(contract(term=13)).retention_end == D(2034, 12, 31)


def test_a_contract_closed_early_ends_on_the_day_it_closed() -> None:
    found = policy_retention(contract(status="surrendered", term=240, end=D(2030, 1, 1), last=D(2025, 3, 4)))

    assert (found.contract_end, found.retention_end) == (D(2025, 3, 4), D(2035, 3, 4))


def test_an_application_never_contracted_keeps_nothing_and_one_under_way_keeps_until_decided() -> None:
    declined = policy_retention(contract(status="declined", start=None, end=None))
    pending = policy_retention(contract(status="underwriting", start=None, end=None))

    assert (declined.basis, declined.running(D(2024, 1, 1))) == ("no-contract", False)
    assert (pending.basis, pending.running(D(2099, 1, 1))) == ("application-pending", True)


def test_a_customers_retention_is_the_latest_of_their_policies_and_runs_until_that_day() -> None:
    found = customer_retention("c", [contract(term=12), contract(term=24, end=D(2025, 6, 30))])

    assert found.retention_end == D(2035, 6, 30)
    assert found.running(D(2035, 6, 30)) and not found.running(D(2035, 7, 1))
    assert customer_retention("c", []).retention_end is None and not customer_retention("c", []).running(D(2024, 1, 1))


def test_the_29th_of_february_becomes_the_28th() -> None:
    assert add_years(D(2024, 2, 29), 5) == D(2029, 2, 28)


def test_masks_keep_the_first_three_and_last_four_of_an_id_and_the_ends_of_contacts() -> None:
    assert mask_id("11010519491231002X") == "110***********002X"
    assert mask_id("[erased]") == "[erased]"
    assert mask_contacts({"phone": "13812345678", "email": "wei@example.cn", "address": "福州市鼓楼区"}) == {
        "phone": "*******5678",
        "email": "w***@example.cn",
        "address": "福州市***",
    }
