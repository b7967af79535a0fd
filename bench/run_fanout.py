"""Fan-out ladders against each server and channel layer, with ratios to the baseline.

For every configuration (the baseline, then uvicorn with the pub/sub Redis layer by default;
daphne and the core layer on request) it starts the server, then runs the ladders:

- ``1x200``: one room of 200 clients, 20 senders, 5, 10, 20, 40, 80, ... messages/s
  (deliveries/s = rate x 200), until p99 passes 200 ms;
- ``50x10``: 50 rooms of 10 clients, one sender per room, 25, 50, 100, ... messages/s
  (deliveries/s = rate x 10);
- ``1x2000``: one room of 2,000 clients (10 sockets per account), 20 senders, 0.5, 1, 2,
  ... messages/s (deliveries/s = rate x 2,000).

Every configuration runs on the same machine as the load generator, in the same run as
the baseline: compare the ratios, not the absolute figures across runs. The summary gives
each ladder's median latency at its low-load step (1,000 deliveries/s) beside the
baseline's, and counts lost, doubled and reordered events (an event id not above the
previous one on the same socket).

``--repeat`` runs the whole round several times, configurations interleaved so that the
noise of other jobs on the machine spreads over all of them; the tables show medians.
Accounts sign in once per invocation (sessions live in the shared database, so they are
valid on every server) and are kept in memory only.

    .venv/bin/python bench/run_fanout.py --repeat 3 --out bench/results/fanout.md
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.loadgen import (  # noqa: E402
    Scenario,
    StepResult,
    Target,
    event_loop_factory,
    login_all,
    raise_fd_limit,
    run_ladder,
)
from bench.servers import running  # noqa: E402

SCENARIOS = {
    "1x200": Scenario(
        rooms=1, clients_per_room=200, senders=20, rates=(5, 10, 20, 40, 80, 160, 320), duration=12
    ),
    "50x10": Scenario(
        rooms=50,
        clients_per_room=10,
        senders=50,
        rates=(25, 50, 100, 200, 400, 800, 1600, 3200),
        duration=12,
    ),
}
# One big room: 2,000 sockets (10 per account), 20 senders.
SCENARIOS["1x2000"] = Scenario(
    rooms=1, clients_per_room=2000, senders=20, rates=(0.5, 1, 2, 4, 8, 16, 32), duration=12
)
ACCOUNTS = 200
# The low-load step of each ladder whose median latency is compared with the baseline's.
LOW_LOAD_RATE = {"1x200": 5, "50x10": 100, "1x2000": 0.5}


@dataclass(frozen=True)
class Run:
    config: str
    scenario: str
    repeat: int
    steps: list[StepResult]


# --- running -------------------------------------------------------------------------------


def configurations(servers: Sequence[str], layers: Sequence[str]) -> list[tuple[str, str]]:
    configs: list[tuple[str, str]] = []
    for kind in servers:
        if kind == "baseline":
            configs.append(("baseline", "none"))
        else:
            configs.extend((kind, layer) for layer in layers)
    return configs


async def run_all(args: argparse.Namespace) -> list[Run]:
    runs: list[Run] = []
    sessions: list[str | None] | None = None
    configs = configurations(args.servers.split(","), args.layers.split(","))
    for repeat in range(args.repeat):
        for kind, layer in configs:
            layer_name = "pubsub" if layer == "none" else layer
            variant = "" if kind == "baseline" else args.variant
            with running(kind, layer_name, uvicorn_deflate=args.deflate, variant=variant) as server:
                label = server.label + ("+deflate" if args.deflate and kind != "baseline" else "")
                if kind != "baseline" and sessions is None:
                    started = time.monotonic()
                    sessions = list(await login_all(Target.parse(server.url), ACCOUNTS))
                    print(f"signed in {ACCOUNTS} accounts in {time.monotonic() - started:.0f}s")
                for name in args.scenarios.split(","):
                    scenario = replace(
                        SCENARIOS[name], duration=args.duration, deflate=args.deflate
                    )
                    if args.rates:
                        scenario = replace(
                            scenario, rates=tuple(float(r) for r in args.rates.split(","))
                        )
                    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    print(f"[{repeat}] {label} {name} (load average {load})", flush=True)
                    steps = await run_ladder(
                        Target.parse(server.url),
                        scenario,
                        [None] if kind == "baseline" else (sessions or [None]),
                    )
                    runs.append(Run(label, name, repeat, steps))
    return runs


# --- reporting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """Medians over the repeats that reached one step."""

    deliveries_per_s: float
    p50_ms: float
    p99_ms: float
    lost: int
    duplicated: int
    reordered: int
    runs: int


def cells(runs: list[Run], config: str, scenario: str) -> dict[float, Cell]:
    by_rate: dict[float, list[StepResult]] = {}
    for run in runs:
        if run.config == config and run.scenario == scenario:
            for step in run.steps:
                by_rate.setdefault(step.rate, []).append(step)
    return {
        rate: Cell(
            deliveries_per_s=statistics.median(s.deliveries_per_s for s in steps),
            p50_ms=statistics.median(s.p50_ms for s in steps),
            p99_ms=statistics.median(s.p99_ms for s in steps),
            lost=sum(s.lost for s in steps),
            duplicated=sum(s.duplicated for s in steps),
            reordered=sum(s.reordered for s in steps),
            runs=len(steps),
        )
        for rate, steps in by_rate.items()
    }


def sustained(table: dict[float, Cell], p99_limit: float) -> float:
    """The highest median deliveries/s of a step within the p99 limit and lossless."""
    ok = [
        c.deliveries_per_s
        for c in table.values()
        if c.p99_ms <= p99_limit and c.lost == 0 and c.duplicated == 0 and c.reordered == 0
    ]
    return max(ok, default=0.0)


def ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}" if base else "n/a"


def step_table(runs: list[Run], configs: list[str], scenario: str) -> list[str]:
    members = SCENARIOS[scenario].clients_per_room
    tables = {config: cells(runs, config, scenario) for config in configs}
    base = tables.get("baseline", {})
    lines = [
        f"#### {scenario}: deliveries/s (median), p99 ms, ratio of deliveries/s to baseline",
        "",
        "| msg/s | offered deliveries/s | " + " | ".join(configs) + " |",
        "|---:|---:|" + "---|" * len(configs),
    ]
    for rate in sorted({r for t in tables.values() for r in t}):
        row = [f"{rate:g}", f"{rate * members:,.0f}"]
        for config in configs:
            cell = tables[config].get(rate)
            if cell is None:
                row.append("—")
                continue
            base_cell = base.get(rate)
            text = f"{cell.deliveries_per_s:,.0f} · p99 {cell.p99_ms:g}"
            if config != "baseline" and base_cell is not None:
                text += f" · ×{ratio(cell.deliveries_per_s, base_cell.deliveries_per_s)}"
            if cell.lost or cell.duplicated or cell.reordered:
                text += f" · lost {cell.lost} dup {cell.duplicated} reordered {cell.reordered}"
            row.append(text)
        lines.append("| " + " | ".join(row) + " |")
    return lines


def connect_errors(runs: list[Run], config: str, scenario: str) -> int:
    """Sockets that never got their hello, over all repeats (the same for every step)."""
    return sum(
        r.steps[0].connect_errors
        for r in runs
        if r.config == config and r.scenario == scenario and r.steps
    )


def summary_table(runs: list[Run], configs: list[str], scenarios: list[str]) -> list[str]:
    lines = [
        "#### Sustained deliveries/s (highest lossless step within the p99 limit, medians)",
        "",
        "| scenario | config | at p99 ≤ 100 ms | × baseline | at p99 ≤ 200 ms | × baseline "
        "| p50 ms at low load | × baseline | lost | dup | reordered | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        base = cells(runs, "baseline", scenario)
        for config in configs:
            table = cells(runs, config, scenario)
            mine = [
                s for r in runs if r.config == config and r.scenario == scenario for s in r.steps
            ]
            s100, s200 = sustained(table, 100), sustained(table, 200)
            low = table.get(LOW_LOAD_RATE[scenario])
            base_low = base.get(LOW_LOAD_RATE[scenario])
            p50 = f"{low.p50_ms:g}" if low else "—"
            p50_ratio = ratio(low.p50_ms, base_low.p50_ms) if low and base_low else "n/a"
            lines.append(
                f"| {scenario} | {config} | {s100:,.0f} | {ratio(s100, sustained(base, 100))} "
                f"| {s200:,.0f} | {ratio(s200, sustained(base, 200))} | {p50} | {p50_ratio} "
                f"| {sum(s.lost for s in mine)} | {sum(s.duplicated for s in mine)} "
                f"| {sum(s.reordered for s in mine)} "
                f"| {sum(s.errors for s in mine) + connect_errors(runs, config, scenario)} |"
            )
    return lines


def report(runs: list[Run], scenarios: list[str]) -> str:
    configs = list(dict.fromkeys(run.config for run in runs))
    repeats = len({run.repeat for run in runs})
    lines = [f"Medians over {repeats} run(s); generated {time.strftime('%Y-%m-%d %H:%M')}.", ""]
    lines += summary_table(runs, configs, scenarios) + [""]
    for scenario in scenarios:
        lines += step_table(runs, configs, scenario) + [""]
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--servers", default="baseline,uvicorn")
    parser.add_argument("--layers", default="pubsub")
    parser.add_argument("--scenarios", default="1x200,50x10,1x2000")
    parser.add_argument("--duration", type=float, default=12.0, help="seconds per step")
    parser.add_argument(
        "--rates",
        default="",
        help="messages/s of each step, comma-separated, in place of the scenarios' own "
        "ladders (a target between two doublings, such as 50x10 at 500 msg/s)",
    )
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument(
        "--deflate",
        action="store_true",
        help="clients offer permessage-deflate (as browsers do); uvicorn accepts it",
    )
    parser.add_argument("--variant", default="", help="candidate server change (bench/variants.py)")
    parser.add_argument("--out", type=Path, help="write the markdown tables here too")
    parser.add_argument("--raw", type=Path, help="write every step's result as JSON here")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    raise_fd_limit()
    with asyncio.Runner(loop_factory=event_loop_factory()) as runner:
        runs = runner.run(run_all(args))
    markdown = report(runs, args.scenarios.split(","))
    print(markdown)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(markdown + "\n")
    if args.raw:
        args.raw.parent.mkdir(parents=True, exist_ok=True)
        args.raw.write_text(json.dumps([asdict(run) for run in runs], indent=1))


if __name__ == "__main__":
    main()
