"""Personal data under PIPL (SPEC §9), on SQLite and PostgreSQL: sealed in the events with a key per
customer, restricted while retention runs, crypto-shredded when none does, and the chain still verifies."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from application.commands import privacy as privacy
from application.commands.complaints import receive
from application.commands.customers import DuplicateCustomer, register_individual
from application.infrastructure.audit import verify_log
from application.infrastructure.export import Selection, write_package
from application.retention import Contract, add_years
from domain.customer.aggregate import ERASED, Customer
from domain.errors import DomainError
from domain.identifiers import china_today
from projections.complaints import complaints
from projections.customers import customers
from tests.builders.common import ctx, individual
from tests.builders.customers import act

NAME, PHONE, NEW_PHONE = "欧阳娜娜", "13812345678", "13987654321"


def stored_bytes(services: Any) -> bytes:
    """Every stored event's state, as it is on disk."""
    return b"".join(bytes(row[4]) for row in services.app.recorder.select_stored(1, 10_000))


def read_side_dump(services: Any) -> str:
    """Every row of the customers and complaints registers, every version, as text."""
    with services.read_side.engine.connect() as conn:
        rows = [*conn.execute(select(customers)).all(), *conn.execute(select(complaints)).all()]
    return repr(rows)


def prospect(services: Any) -> tuple[UUID, str, int]:
    """A registered individual whose contacts changed once, with a complaint: (id, ID number, position)."""
    fields = individual(71, name=NAME, contacts={"phone": PHONE})
    customer = register_individual(services.app, ctx(), **fields)
    cid = UUID(customer.id)
    changed = act(services.app, ctx(), cid, "contacts", contacts={"phone": NEW_PHONE})
    receive(
        services.app,
        ctx(role="complaints_officer"),
        channel="phone",
        category="service",
        content="slow service",
        complainant={"customer_id": str(cid), "name": NAME, "contact": PHONE},
        recording_ref="REC-71",
        received_at=datetime.now(UTC),
    )
    services.read_side.catch_up()
    return cid, fields["id_number"], changed.position


def no_policies(_customer_id: str) -> list[Contract]:
    return []


def running_contract(customer_id: str) -> list[Contract]:
    today = china_today()
    return [
        Contract(
            "policy-1", "applicant", "in_force", 12, today - timedelta(days=30), today + timedelta(days=335), today
        )
    ]


def test_personal_fields_are_not_stored_in_plaintext(services: Any) -> None:
    cid, id_number, _ = prospect(services)
    act(
        services.app,
        ctx(),
        cid,
        "interactions",
        kind="care_call",
        summary="asked about her divorce settlement",
        staff_id="alice",
        occurred_at=datetime.now(UTC),
    )

    stored = stored_bytes(services)

    for secret in (NAME, id_number, PHONE, NEW_PHONE, "slow service", "divorce"):
        assert secret.encode() not in stored and secret.encode("unicode_escape") not in stored
    package = io.BytesIO()  # an audit export carries the events as stored: sealed
    write_package(services.app.recorder, package, Selection(1, services.read_side.head()), source="test")
    with zipfile.ZipFile(package) as unzipped:
        exported = unzipped.read("events.jsonl")
    assert exported.count(b"\n") == services.read_side.head()
    for secret in (NAME, id_number, PHONE, "divorce"):
        assert secret.encode() not in exported and secret.encode("unicode_escape") not in exported
    assert services.app.load(Customer, cid).name == NAME  # read back through the customer's key


def test_after_shredding_no_trace_remains_and_the_chain_verifies(services: Any) -> None:
    cid, id_number, contacts_changed = prospect(services)
    services.app.contracts_of = no_policies
    head_before = services.read_side.head()

    privacy.erase(services.app, ctx(role="admin"), cid, "the customer asked for deletion")
    services.read_side.catch_up()

    customer = services.app.load(Customer, cid)
    assert (customer.name, customer.id_number, customer.birth_date, customer.contacts) == (ERASED, ERASED, None, {})
    assert customer.gender is None  # derived from the ID number: erased with it, in the events too
    registered = next(iter(services.app.events.get(cid)))
    assert isinstance(registered, Customer.IndividualRegistered) and registered.gender is None
    assert customer.personal_data == "erased"
    dump = read_side_dump(services)
    for secret in (NAME, id_number, PHONE, NEW_PHONE):
        assert secret not in dump
    with services.read_side.engine.connect() as conn:
        earlier = conn.execute(
            select(customers.c.name, customers.c.identity_number).where(
                customers.c.customer_id == str(cid), customers.c.valid_from <= contacts_changed
            )
        ).all()
    assert earlier and all(row == (ERASED, ERASED) for row in earlier)
    services.read_side.rebuild()
    for secret in (NAME, id_number, PHONE, NEW_PHONE):
        assert secret not in read_side_dump(services)
    assert verify_log(services.app.recorder).ok
    assert services.read_side.head() > head_before  # the events stay; one more says what happened


def test_an_erased_identity_may_be_registered_again(services: Any) -> None:
    cid, id_number, _ = prospect(services)
    services.app.contracts_of = no_policies
    with pytest.raises(DuplicateCustomer):
        register_individual(services.app, ctx(), **individual(72, id_number=id_number))

    privacy.request_erasure(services.app, ctx(), cid, "deletion request")
    again = register_individual(services.app, ctx(), **individual(72, id_number=id_number))

    assert services.app.load(Customer, UUID(again.id)).id_number == id_number


def test_a_deletion_request_during_retention_restricts_and_withdraws_consents(services: Any) -> None:
    cid, _, _ = prospect(services)
    act(services.app, ctx(), cid, "consents", purpose="marketing")
    services.app.contracts_of = running_contract

    privacy.request_erasure(services.app, ctx(), cid, "deletion request")

    customer = services.app.load(Customer, cid)
    assert (customer.personal_data, customer.consents, customer.name) == ("restricted", set(), NAME)
    assert customer.retention_until == add_years(china_today() + timedelta(days=335), 5)  # a one-year contract
    with pytest.raises(DomainError) as refused:
        act(services.app, ctx(), cid, "consents", purpose="marketing")
    assert refused.value.code == "processing-restricted"
    services.read_side.catch_up()
    with services.read_side.engine.connect() as conn:
        status = conn.execute(
            select(customers.c.personal_data).where(customers.c.customer_id == str(cid), customers.c.valid_to.is_(None))
        ).scalar_one()
    assert status == "restricted"


def test_shredding_is_refused_while_a_retention_period_runs_and_records_nothing(services: Any) -> None:
    cid, _, _ = prospect(services)
    services.app.contracts_of = running_contract
    head = services.read_side.head()

    with pytest.raises(privacy.RetentionPeriodRunning) as refused:
        privacy.erase(services.app, ctx(role="admin"), cid, "too early")

    assert refused.value.code == "retention-period-running"
    assert services.read_side.head() == head
    assert not services.app.keys.is_shredded(str(cid))
    assert services.app.load(Customer, cid).name == NAME


def test_the_identity_claim_id_is_an_hmac_not_a_plain_hash_of_the_number(services: Any) -> None:
    from domain.identity.aggregate import IdentityClaim

    _, id_number, _ = prospect(services)
    key = f"resident-id:{id_number}"

    assert not services.app.exists(IdentityClaim.legacy_id_for(key))
    assert services.app.exists(IdentityClaim.id_for(key, services.app.identity_secret))


def test_the_key_table_holds_one_key_per_customer_and_null_once_shredded(services: Any) -> None:
    cid, _, _ = prospect(services)
    services.app.contracts_of = no_policies

    privacy.erase(services.app, ctx(role="admin"), cid, "deletion")

    assert services.app.recorder.select_key(str(cid)) == (True, None)
    assert services.app.keys.cipher(str(cid)) is None


def test_a_real_policy_sets_the_retention_and_a_restricted_customer_cannot_apply_again(services: Any) -> None:
    from datetime import date

    from application.commands import policies as policies
    from domain import clock
    from tests.builders.claims import ClaimDesk, agent

    with clock.using(clock.SimulatedClock(datetime(2026, 11, 20, 2, tzinfo=UTC))):
        desk = ClaimDesk(services)
        policy = desk.home_policy(81)  # a one-year home policy: 2026-01-05 to 2027-01-04
        holder = UUID(str(policy.applicant_id))
        services.read_side.catch_up()
        before = services.read_side.head()
        with pytest.raises(privacy.RetentionPeriodRunning):
            privacy.erase(services.app, ctx(role="admin"), holder, "asked to be forgotten")
        assert services.read_side.head() == before

        privacy.request_erasure(services.app, ctx(), holder, "deletion request")
        customer = services.app.load(Customer, holder)
        assert policy.end_date == date(2027, 1, 4)
        assert (customer.personal_data, customer.retention_until) == ("restricted", date(2032, 1, 4))
        before = services.read_side.head()
        with pytest.raises(DomainError) as refused:
            policies.apply_for_policy(
                services.app,
                agent(),
                applicant_id=holder,
                insured_id=holder,
                relationship="owner",
                product_code="home_property",
                sum_insured="100000",
                term_months=12,
                premium_mode="annual",
                declared_property_value="1000000",
                applied_on=date(2026, 11, 20),
                disclosures={
                    q.id: not q.adverse for q in services.app.catalogue.get("home_property").disclosure_questions
                },
            )
        assert refused.value.code == "processing-restricted"
        assert services.read_side.head() == before


def test_erasure_after_retention_shreds_the_policies_beneficiaries_too(services: Any) -> None:
    from datetime import date

    from domain import clock
    from domain.policy.aggregate import Policy
    from tests.builders.claims import ClaimDesk

    simulated = clock.SimulatedClock(datetime(2026, 11, 20, 2, tzinfo=UTC))
    with clock.using(simulated):
        desk = ClaimDesk(services)
        policy = desk.home_policy(
            82,
            product_code="medical",
            relationship="self",
            sum_insured="1000000",
            declared_property_value=None,
            beneficiaries=[{"name": "慕容雪", "share": "100"}],
        )
        assert "慕容雪".encode() not in stored_bytes(services) and "慕容雪" not in repr(stored_bytes(services))
        assert policy.beneficiaries[0]["name"] == "慕容雪"
        simulated.set(datetime(2032, 1, 6, 2, tzinfo=UTC))  # 5 years after the one-year contract ended
        services.read_side.catch_up()
        holder = UUID(str(policy.applicant_id))
        assert privacy.retention_of(services.app, holder).retention_end == date(2032, 1, 4)

        privacy.request_erasure(services.app, ctx(), holder, "deletion request")

        services.app.keys.forget(f"policy:{policy.id}")
        after = services.app.load(Policy, policy.id)
        assert after.beneficiaries == [] and after.sum_insured == policy.sum_insured
        assert services.app.load(Customer, holder).name == ERASED
        assert verify_log(services.app.recorder).ok


def test_erasure_scrubs_what_the_id_number_gave_from_every_register_version_and_a_rebuild_agrees(services: Any) -> None:
    """Gender, birth date and age (derived from the ID number) leave every row version of the customers and
    underwriting registers; the beneficiaries named by id of the policies the customer applied for (their
    key shredded too) leave the policies register's parties; a rebuild gives exactly the same rows."""
    from datetime import date

    from application.commands import policies as policies
    from projections.policies import policy_parties
    from projections.underwriting import underwriting_decisions
    from tests.builders import registers as registers
    from tests.builders.common import resident_id

    older = register_individual(services.app, ctx(), **individual(73, id_number=resident_id(73, "19500101", "female")))
    heir = register_individual(services.app, ctx(), **individual(74))
    product = services.app.catalogue.get("term_life")
    declined = policies.apply_for_policy(  # 18–60: declined, so no contract and no retention
        services.app,
        ctx(),
        applicant_id=older.id,
        insured_id=older.id,
        relationship="self",
        product_code="term_life",
        sum_insured="500000",
        term_months=120,
        premium_mode="annual",
        beneficiaries=[{"customer_id": heir.id, "name": "继承人", "share": "100"}],
        applied_on=date(2025, 6, 1),
        disclosures={q.id: not q.adverse for q in product.disclosure_questions},
    )
    services.read_side.catch_up()
    tables = (customers, underwriting_decisions, policy_parties)
    with services.read_side.engine.connect() as conn:
        before = conn.execute(select(policy_parties.c.customer_id, policy_parties.c.named)).all()
        findings = conn.execute(select(underwriting_decisions.c.findings)).scalars().all()
        assert conn.execute(select(customers.c.gender).where(customers.c.customer_id == older.id)).scalars().all() == [
            "female"
        ]
    assert before == [(heir.id, True)]
    assert [f["data"].get("insured_age") for f in findings[-1] if f["check"] == "6.2.2-subject"] == [75]

    services.app.contracts_of = no_policies
    privacy.request_erasure(services.app, ctx(), UUID(older.id), "deletion request")
    services.read_side.catch_up()
    live = registers.snapshot(services, tables)
    services.read_side.rebuild()

    assert registers.snapshot(services, tables) == live
    mine = [r for r in live["customers"] if r["customer_id"] == older.id]
    assert len(mine) == 2 and all((r["gender"], r["birth_date"]) == (None, None) for r in mine)  # registered, erased
    assert all(r["gender"] is not None for r in live["customers"] if r["customer_id"] == heir.id)  # not erased
    decisions = [r for r in live["underwriting_decisions"] if r["policy_id"] == declined.id]
    assert len(decisions) >= 2
    for row in decisions:
        for finding in row["findings"]:
            assert finding["data"].get("insured_age") is None and finding["data"].get("applicant_age") is None
            assert finding["code"] != "age-out-of-range" or finding["detail"] == ERASED
    assert live["policy_parties"] == []


def test_with_a_key_encryption_key_the_stored_keys_are_wrapped(test_settings: Any) -> None:
    import base64
    import os

    from application.infrastructure.settings import SettingsError
    from tests.builders.app import application

    kek = base64.b64encode(os.urandom(32)).decode()
    app = application(test_settings.model_copy(update={"key_encryption_key": kek}))
    try:
        cid = UUID(register_individual(app, ctx(), **individual(91, name=NAME)).id)
        exists, stored = app.recorder.select_key(str(cid))  # type: ignore[attr-defined]
        assert exists and stored is not None and len(stored) > 32  # nonce + wrapped key + tag
        assert app.load(Customer, cid).name == NAME
    finally:
        app.close()
    with pytest.raises(RuntimeError, match="INSCRIBE_KEY_ENCRYPTION_KEY"):
        application(test_settings)  # without the key-encryption key it does not start
    with pytest.raises(SettingsError):
        test_settings.model_copy(update={"key_encryption_key": "c2hvcnQ="}).wrapping_key()
