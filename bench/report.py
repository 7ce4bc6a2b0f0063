"""The printed table (metric, ours, baseline, ratio) and the saved JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def _ratio(ours: float, baseline: float) -> str:
    return f"{ours / baseline:.2f}" if baseline else "-"


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(metric, ours, baseline, ratio = ours / baseline) for each measured figure."""
    http, lib, rb = result.get("http"), result.get("library"), result.get("rebuild")
    table: list[tuple[str, str, str, str]] = []
    if http and lib:
        table += [
            (
                "register customer: per second (HTTP / library save)",
                f"{http['rps']:,.0f}",
                f"{lib['rps']:,.0f}",
                _ratio(http["rps"], lib["rps"]),
            ),
            (
                "register customer: p50 latency ms",
                f"{http['p50_ms']:.1f}",
                f"{lib['p50_ms']:.1f}",
                _ratio(http["p50_ms"], lib["p50_ms"]),
            ),
            (
                "register customer: p99 latency ms",
                f"{http['p99_ms']:.1f}",
                f"{lib['p99_ms']:.1f}",
                _ratio(http["p99_ms"], lib["p99_ms"]),
            ),
            ("register customer: outcomes", outcomes(http), f"{lib['requests']:,} saved, {lib['failures']} failed", ""),
        ]
    if rb:
        base = rb["read_log"]["events_per_s"]
        names = "+".join(rb["projections"])
        table.append(
            (
                f"rebuild() all ({names}): events/s",
                f"{rb['rebuild']['events_per_s']:,.0f}",
                f"{base:,.0f}",
                _ratio(rb["rebuild"]["events_per_s"], base),
            )
        )
        for name, one in rb["per_projection"].items():
            table.append(
                (
                    f"  of which {name}: events/s",
                    f"{one['events_per_s']:,.0f}",
                    f"{base:,.0f}",
                    _ratio(one["events_per_s"], base),
                )
            )
        caught = rb["catch_up"]
        if caught["applied"]:
            table.append(
                (
                    f"catch_up() live path, {caught['behind']:,} behind: events/s",
                    f"{caught['events_per_s']:,.0f}",
                    f"{base:,.0f}",
                    _ratio(caught["events_per_s"], base),
                )
            )
    if result.get("volume"):
        table += volume_rows(result["volume"])
    return table


def _latency(label: str, case: dict[str, Any]) -> tuple[str, str, str, str]:
    """A row of p50 / p99 milliseconds, ours beside the baseline, the ratio of the p50s."""
    ours, base = case["ours"], case["baseline"]
    return (
        label,
        f"{ours['p50_ms']:.1f} / {ours['p99_ms']:.1f}",
        f"{base['p50_ms']:.1f} / {base['p99_ms']:.1f}",
        _ratio(ours["p50_ms"], base["p50_ms"]),
    )


def volume_rows(volume: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The volume section: build, rebuild and its memory, query latencies (p50 / p99), time travel."""
    table: list[tuple[str, str, str, str]] = []
    build, rb = volume.get("build"), volume.get("rebuild")
    if "reused_events" in volume:
        table.append(
            ("volume: a kept demo book, measured again (no build)", f"{volume['reused_events']:,} events", "", "")
        )
    if build:
        table += [
            (
                (
                    f"volume: demo book built ({build['customers']:,} customers, {build['days']:,} days, "
                    f"{build['workers']} workers)"
                ),
                f"{build['events']:,} events",
                "",
                "",
            ),
            ("volume: build through the commands, events/s", f"{build['events_per_s']:,.0f}", "", ""),
            ("volume: build time, minutes", f"{build['seconds'] / 60:,.1f}", "", ""),
        ]
    if rb:
        table += [
            (
                f"volume: rebuild() all {len(rb['projections'])} projections, events/s",
                f"{rb['events_per_s']:,.0f}",
                f"{rb['read_log_events_per_s']:,.0f}",
                _ratio(rb["events_per_s"], rb["read_log_events_per_s"]),
            ),
            (
                "volume: rebuild peak RSS MB (baseline: before it)",
                f"{rb['rss_peak_mb']:,.0f}",
                f"{rb['rss_before_mb']:,.0f}",
                _ratio(rb["rss_peak_mb"], rb["rss_before_mb"]),
            ),
        ]
        if "by_workers" in rb:
            by = rb["by_workers"]
            table.append(
                (
                    (
                        f"volume: rebuild() all by {by['workers']} worker processes, events/s (peak RSS "
                        f"{by['rss_peak_mb']:,.0f} MB, largest worker {by['worker_rss_peak_mb']:,.0f} MB)"
                    ),
                    f"{by['events_per_s']:,.0f}",
                    f"{rb['read_log_events_per_s']:,.0f}",
                    _ratio(by["events_per_s"], rb["read_log_events_per_s"]),
                )
            )
        for name, one in rb.get("per_register", {}).items():  # alone: the log's events/s, beside the log read
            table.append(
                (
                    f"volume: rebuild {name} alone, events of the log/s (peak RSS {one['rss_peak_mb']:,.0f} MB)",
                    f"{one['events_per_s']:,.0f}",
                    f"{rb['read_log_events_per_s']:,.0f}",
                    _ratio(one["events_per_s"], rb["read_log_events_per_s"]),
                )
            )
    for label, case in volume.get("queries", {}).get("cases", {}).items():
        table.append(_latency(f"volume: {label}, p50 / p99 ms (n={case['ours']['samples']})", case))
    forms = volume.get("as_of_forms") or {}
    for label, case in forms.get("cases", {}).items():  # beside: the valid_from B-tree form of the same statements
        n = case["ours"]["samples"]
        table.append(
            _latency(f"volume: {label} as of a year ago, p50 / p99 ms (n={n}; baseline the B-tree form)", case)
        )
    reports = volume.get("report_forms") or {}
    for label, case in reports.get("cases", {}).items():  # beside: every version read (the general state_on)
        n, same = case["ours"]["samples"], "" if case["same"] else ", ANSWERS DIFFER"
        table.append(_latency(f"volume: report {label}, p50 / p99 ms (n={n}; baseline every version{same})", case))
        if "without_sums" in case:  # the claims reports from every version, with the days' ranges
            unsummed = {"ours": case["ours"], "baseline": case["without_sums"]}
            table.append(_latency(f"volume: report {label}, p50 / p99 ms (n={n}; baseline without the sums)", unsummed))
    if "lag" in volume:  # beside: the same commands with nothing else running
        lag, idle = volume["lag"]["during_rebuild"], volume["lag"]["idle"]
        table.append(
            (
                (
                    f"volume: live catch-up lag while {volume['lag']['rebuild_workers']} workers rebuild every "
                    f"register ({lag['rebuild_seconds']:.0f} s), p50 / p99 ms (n={lag['n']}; baseline idle)"
                ),
                f"{lag['p50_ms']:.1f} / {lag['p99_ms']:.1f}",
                f"{idle['p50_ms']:.1f} / {idle['p99_ms']:.1f}",
                _ratio(lag["p99_ms"], idle["p99_ms"]),
            )
        )
    for label, case in (volume.get("console") or {}).items():  # beside: the API calls the page makes
        n = case["ours"]["samples"]
        table.append(
            _latency(f"volume: console page, {label}, server p50 / p99 ms (n={n}; baseline its API calls)", case)
        )
    travel = volume.get("time_travel") or {}
    for label, ours in travel.get("cases", {}).items():
        base = travel["baseline"]
        table.append(
            (
                f"volume: policy {label}, p50 / p99 ms",
                f"{ours['p50_ms']:.1f} / {ours['p99_ms']:.1f}",
                f"{base['p50_ms']:.1f} / {base['p99_ms']:.1f}",
                _ratio(ours["p50_ms"], base["p50_ms"]),
            )
        )
    return table


def outcomes(http: dict[str, Any]) -> str:
    ok = http["statuses"].get(201, 0)
    others = {code: n for code, n in sorted(http["statuses"].items()) if code != 201}
    text = f"{ok:,} x 201"
    if others:
        text += ", NON-201: " + ", ".join(f"{n:,} x {code}" for code, n in others.items())
    else:
        text += ", 0 non-201"
    if http.get("socket_errors"):
        text += ", errors: " + ", ".join(f"{n} {kind}" for kind, n in http["socket_errors"].items())
    return text


def render(result: dict[str, Any]) -> str:
    table = rows(result)
    header = ("metric", "ours", "baseline", "ratio")
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(4)]

    def line(r: tuple[str, ...]) -> str:
        return "  ".join(r[i].ljust(widths[i]) if i == 0 else r[i].rjust(widths[i]) for i in range(4))

    out = [line(header), "  ".join("-" * w for w in widths), *map(line, table)]
    http, lib, rb = result.get("http"), result.get("library"), result.get("rebuild")
    out.append("")
    if http:
        out.append(
            f"ours (register): POST /api/v1/customers on `inscribe serve` (projections in-process), "
            f"driver: {http['driver']}, {http['duration_s']:.1f} s, {http['requests']:,} requests"
        )
    if lib:
        out.append(
            f"baseline (register): Customer.register_individual + {lib['driver']}, "
            f"{lib['duration_s']:.1f} s in 2 halves around the HTTP load "
            "(library recorder, own schema, no HTTP, no command log)"
        )
    if rb:
        out.append(
            f"ours (rebuild): ReadSide.rebuild() over {rb['events']:,} events, batch {rb['batch_size']}, "
            "registers full at the start (caught up first); each projection's share timed within it"
        )
        out.append(
            "baseline (rebuild): select_notifications + mapper.to_domain_event over the same log in the "
            "same batches (the faster of a read before and one after the rebuild)"
        )
    if result.get("volume"):
        out.append(
            "ours (volume): `inscribe demo` built on a fresh database by worker processes in lockstep by "
            "simulated day; queries through the register query functions the API calls (no HTTP); reports: "
            "projections.reports over the last twelve months"
        )
        out.append(
            "baseline (volume): rebuild beside reading the log alone; memory beside the process before "
            "rebuild(); each register page, policy and report beside psycopg sending the very SQL statements "
            "ours sent (what the database itself takes); time travel beside reading the policy's stored "
            "events (select_events). Slow cases stop sampling after 12 s (n says how many)."
        )
    out.append("ratio = ours / baseline: below 1 is slower for rates; above 1 is slower for latencies.")
    for warning in result.get("warnings", []):
        out.append(f"WARNING: {warning}")
    return "\n".join(out)


def save(result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = result["machine"]["timestamp"].replace(":", "").replace("-", "").replace("+0000", "Z")
    path = RESULTS / f"{stamp}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
