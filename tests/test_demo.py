"""The demo book (`inscribe demo`, issue #7) on SQLite and PostgreSQL: a small book builds through the
real commands on simulated time, the same seed builds the same book (also across the two databases),
it goes through the paths it claims, and its read side is what a rebuild gives.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from application.demo.book import DEMO_AGGREGATE_CACHE
from application.infrastructure.settings import Settings
from domain.product.catalogue import shipped_files
from interface.bootstrap import Services, bootstrap
from interface.demo_cli import demo, run_demo
from projections.audit_log import audit_log
from projections.reinsurance_tables import reinsurance_entries
from tests.builders.environment import JWT_SECRET
from tests.builders.registers import every_row

#: Small, and busier than a real book, so that one year of 25 customers shows every path.
SMALL = {"customers": 25, "years": 1, "seed": 4, "activity": 8.0}


@pytest.fixture
def twin(tmp_path: Path) -> Iterator[Services]:
    """A second fresh database, on SQLite, whose process keeps aggregates in memory as `inscribe demo`
    does: the same seed must build the same book on either database, with the cache or without."""
    built = bootstrap(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'twin.db'}",
            jwt_secret=JWT_SECRET,
            aggregate_cache=DEMO_AGGREGATE_CACHE,
        ),
        run_projections=False,
    )
    try:
        yield built
    finally:
        built.close()


def event_types(services: Services) -> Counter[str]:
    """How many events of each aggregate type and event type the audit log holds."""
    with services.read_side.engine.connect() as conn:
        rows = conn.execute(
            select(audit_log.c.aggregate_type, audit_log.c.event_type, func.count()).group_by(
                audit_log.c.aggregate_type, audit_log.c.event_type
            )
        ).all()
    return Counter({f"{kind}.{event}": n for kind, event, n in rows})


def test_a_small_book_is_reproducible_goes_through_every_path_and_is_what_a_rebuild_gives(
    services: Services, twin: Services
) -> None:
    summary = run_demo(services, **SMALL)
    again = run_demo(twin, **SMALL)
    types = event_types(services)
    live = every_row(services.read_side)

    services.read_side.rebuild()

    # the same seed, the same book (the ids differ), on SQLite as on PostgreSQL, with the cache or not
    assert summary.shape() == again.shape() and types == event_types(twin)
    shipped = (
        services.app.products.shipped_events()
    )  # the catalogue's events, recorded before the book (application.products)
    assert summary.events == services.read_side.head() - shipped > 300 and summary.customers >= SMALL["customers"]
    # the paths: lapse, manual underwriting, claims paid and rejected, complaints resolved, service, surveys
    assert types["policy.Lapsed"] >= 1
    assert types["policy.Referred"] >= 1 and types["policy.UnderwritingDecided"] >= 1
    assert types["policy.ExaminationOrdered"] >= 1 and types["policy.ExaminationReported"] >= 1  # 6.1.2 (2)
    assert types["claim.Paid"] >= 1 and types["claim.Closed"] >= 1
    # 3.2: term life v2 drafted, failing its check, revised, checked, approved, launched; critical illness v1 withdrawn
    assert (types["product.VersionDrafted"], types["product.VersionChecked"], types["product.VersionLaunched"]) == (
        1,
        2,
        1,
    )
    assert types["product.VersionWithdrawn"] == 1 and types["product.VersionShipped"] == len(shipped_files())
    assert types["bundle.Proposed"] >= 1  # 3.3: a customer's own covers proposed together
    assert types["claim.Rejected"] >= 1 and types["claim.RejectionNoticeSent"] >= 1
    assert types["complaint.Resolved"] >= 1 and types["complaint.Archived"] >= 1
    assert types["customer.SatisfactionSurveyed"] >= 1 and types["service_request.Completed"] >= 1
    # 8.3.2: a plan raised from the quarter's weakest dimension, its actions done, followed up and closed
    assert types["improvement.Raised"] >= 1 and types["improvement.ActionDone"] >= 1
    assert types["improvement.FollowUpMeasured"] >= 1 and types["improvement.Closed"] >= 1
    # ch. 9: risks entered and reviewed; indicators measured monthly by the nightly tick, alerts acknowledged
    assert types["risk.Identified"] >= 1 and types["risk.Reviewed"] >= 1
    assert types["risk_indicator.Measured"] >= 11 and types["risk_indicator.AlertAcknowledged"] >= 1
    # 2.1 (5): campaigns planned quarterly, consenting customers of their segments contacted, closed
    assert types["campaign.Planned"] >= 3 and types["campaign.CustomerContacted"] >= 1
    assert types["campaign.Closed"] >= 2 and summary.paths["campaign-contact:interested"] >= 1
    # 6.1.1 (6): a year's treaties concluded; policies ceded under them, premium ceded, claims recovered
    assert types["reinsurance.TreatyConcluded"] >= 3
    with services.read_side.engine.connect() as conn:
        moved: dict[str, int] = dict(
            conn.execute(select(reinsurance_entries.c.kind, func.count()).group_by(reinsurance_entries.c.kind)).all()
        )
    assert moved["premium"] >= types["policy.Issued"] // 2 and moved["premium_ceded"] >= 1 and moved["recovery"] >= 1
    assert types["policy.PremiumPaid"] > types["policy.Issued"] >= SMALL["customers"] // 2
    assert summary.paths["underwriting:accept"] >= 1 and summary.paths["claim-path:missing-documents"] >= 1
    # a rider claim: an accidental death on term life with the rider pays both covers and ends the policy
    assert summary.paths["claim-path:accidental-death"] >= 1
    assert types["policy.EndedByClaim"] >= 1 and types["policy.CoverEnded"] >= 2
    # every event by the batch channel or the scheduler, each with an actor
    with services.read_side.engine.connect() as conn:
        channels = {row[0] for row in conn.execute(select(audit_log.c.channel).distinct())}
        anonymous = conn.execute(select(func.count()).where(audit_log.c.actor_id.is_(None))).scalar()
    assert channels == {"batch", "system"} and anonymous == 0
    # the read side the live projections wrote is what a rebuild gives
    assert every_row(services.read_side) == live


def test_the_command_refuses_a_database_that_holds_events_unless_told_to_append(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(demo, ["--customers", "2", "--years", "1", "--database-url", url])

    again = runner.invoke(demo, ["--customers", "2", "--years", "1", "--database-url", url])

    assert first.exit_code == 0, first.output
    assert "customers         2" in first.output and "events written" in first.output
    assert again.exit_code != 0 and "already holds" in again.output and "--append" in again.output
