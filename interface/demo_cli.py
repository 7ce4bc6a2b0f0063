"""`inscribe demo`: build a demo book of business through the real commands (application.demo.book), with
the scheduler run each simulated night, a progress bar and a summary."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from application.demo.book import DEMO_AGGREGATE_CACHE
from application.infrastructure.settings import DEFAULT_URL, Settings, SettingsError
from interface.cli_progress import note, progress_bar, quiet_option

if TYPE_CHECKING:  # the command line imports the application only when a command runs
    from application.demo.book import DemoSummary
    from interface.bootstrap import Services


def nightly(services: Services) -> Callable[[date], None]:
    """Each simulated night: the read side catches up (the scheduler and underwriting read it), then
    the scheduler records what time has caused up to the day."""
    from interface.scheduler import tick

    def run(day: date) -> None:
        services.read_side.catch_up()
        report = tick(services, day)
        if report.failures:  # the demo's own book: a failure is a bug to see, not a night to skip
            raise RuntimeError(f"tick {day} failed for " + "; ".join(map(str, report.failures)))

    return run


def run_demo(services: Services, **options: Any) -> DemoSummary:
    """build_demo with the nightly scheduler; the read side caught up at the end."""
    from application.demo.book import build_demo

    summary = build_demo(services, tick=nightly(services), settle=services.read_side.catch_up, **options)
    services.read_side.catch_up()
    return summary


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{status} {n:,}" for status, n in sorted(counts.items(), key=lambda kv: -kv[1])) or "none"


def render(summary: DemoSummary) -> str:
    total = sum(summary.refused.values())
    plans, closed = summary.paths.get("improvement-plan", 0), summary.paths.get("improvement-closed", 0)
    contacts = sum(n for k, n in summary.paths.items() if k.startswith("campaign-contact:"))
    linked = summary.paths.get("campaign-application-linked", 0)
    lines = [
        f"demo book, seed {summary.seed}: {summary.start} to {summary.end}",
        f"  customers         {summary.customers:,}",
        f"  policies          {sum(summary.policies.values()):,}: {_counts(summary.policies)}",
        f"  claims            {sum(summary.claims.values()):,}: {_counts(summary.claims)}",
        f"  complaints        {sum(summary.complaints.values()):,}: {_counts(summary.complaints)}",
        f"  service requests  {sum(summary.service_requests.values()):,}: {_counts(summary.service_requests)}",
        f"  surveys           {summary.paths.get('survey', 0):,}",
        f"  improvement plans {plans:,} ({closed:,} closed)",
        f"  campaigns         {summary.paths.get('campaign-planned', 0):,} ({contacts:,} contacts, {linked:,} linked)",
        f"  events written    {summary.events:,} in {summary.seconds:,.0f} s ({summary.events_per_second:,.0f}/s)",
    ]
    if total:
        lines.append(f"  refused commands  {total:,} (the simulation tries, the rules refuse, nothing is recorded)")
    return "\n".join(lines)


@click.command()
@click.option("--customers", type=click.IntRange(1), default=300, show_default=True, help="customers to register")
@click.option(
    "--years",
    type=click.IntRange(1, 20),
    default=3,
    show_default=True,
    help="years of simulated business, ending today",
)
@click.option("--seed", type=int, default=1, show_default=True, help="the same seed builds the same book")
@click.option(
    "--activity",
    type=click.FloatRange(0.1, 20),
    default=1.0,
    show_default=True,
    help="scales how often claims, complaints and service requests come",
)
@click.option("--database-url", default=None, help="default: INSCRIBE_DATABASE_URL or the embedded SQLite file")
@click.option(
    "--append", "--force", "append", is_flag=True, help="add the book to a database that already holds events"
)
@quiet_option
def demo(
    customers: int, years: int, seed: int, activity: float, database_url: str | None, append: bool, quiet: bool
) -> None:
    """Build a realistic demo book of business through the real commands over simulated time."""
    from interface.bootstrap import bootstrap

    try:
        settings = Settings(database_url=database_url) if database_url else Settings()
        if not settings.aggregate_cache:  # one process, no erasures: keep the book's aggregates in memory
            settings = settings.model_copy(update={"aggregate_cache": DEMO_AGGREGATE_CACHE})
        settings.probe_database()  # a missing database: one line within seconds
        services = bootstrap(settings, run_projections=False)
    except SettingsError as e:
        raise click.ClickException(str(e)) from None
    try:
        # `inscribe serve` on an empty database records the shipped catalogue only (application.products)
        held = services.read_side.head() - services.app.products.shipped_events()
        if held and not append:
            way_out = (
                "`make clean-data` empties var/ (keeping var/jwt-secret and var/key-encryption-key)"
                if settings.database_url == DEFAULT_URL
                else "use an empty database"
            )
            raise click.ClickException(
                f"{settings.safe_url()} already holds {held:,} events; the demo builds on an empty database "
                f"(its events are dated in the past): {way_out}, pass another --database-url, or --append."
            )
        note(
            f"building the demo book in {settings.safe_url()}: {customers:,} customers over {years} "
            f"year(s), seed {seed}"
        )
        with progress_bar("demo", unit="day") as bar:

            def progress(done: int, days: int, events: int) -> None:
                bar.total = days
                bar.update(done - bar.n)
                bar.set_postfix(events=f"{events:,}", refresh=False)

            summary = run_demo(
                services, customers=customers, years=years, seed=seed, progress=progress, activity=activity
            )
        click.echo(render(summary))
        click.echo("next: make run (or inscribe serve) and ask the registers and reports, also ?as_of= a past date")
    finally:
        services.close()
