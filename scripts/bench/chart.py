"""Draws docs/benchmarks/results.png from a bench --json file: per store and key space, CPU per flow and
flows/s of the ceiling, the service, the ceiling held to the service's request rate, and the store itself.

    python3 scripts/bench/chart.py docs/benchmarks/results.json docs/benchmarks/results.png   (needs matplotlib)
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402

BARS = (
    ("ceiling", "cpuUsPerFlow", "ceiling (storage removed), flat out"),
    ("service", "cpuUsPerFlow", "service"),
    ("ceiling-paced", "cpuUsPerFlow", "ceiling at the service's request rate"),
    ("service", "storeCpuUsPerFlow", "the store's own process"),
)


def main(source: str, target: str) -> None:
    report = json.load(open(source))
    ingest = [r for r in report["results"] if "connections" in r]
    sections = list(dict.fromkeys((r["store"], r["keys"]) for r in ingest))
    fig, axes = plt.subplots(len(sections), 2, figsize=(13, 4.2 * len(sections)), squeeze=False)
    for (store, keys), (cpu, rate) in zip(sections, axes):
        rows = [r for r in ingest if r["store"] == store and r["keys"] == keys]
        labels = list(dict.fromkeys(f"{r['scenario']}\n{r['connections']} conn" for r in rows))

        def series(server: str, field: str) -> list:
            found = {f"{r['scenario']}\n{r['connections']} conn": r.get(field) for r in rows if r["server"] == server}
            return [found.get(label) or 0 for label in labels]

        x = range(len(labels))
        width = 0.2
        for i, (server, field, label) in enumerate(BARS):
            offset = (i - 1.5) * width
            cpu.bar([j + offset for j in x], series(server, field), width, label=label)
            if field == "cpuUsPerFlow":
                rate.bar([j + offset for j in x], series(server, "flowsPerS"), width, label=label)
        for axis in (cpu, rate):
            axis.set_xticks(list(x), labels, fontsize=8)
        cpu.set_title(f"{store}, {keys:,} keys: CPU µs per flow (lower is better)", fontsize=10)
        rate.set_title(f"{store}, {keys:,} keys: flows/s (log scale)", fontsize=10)
        rate.set_yscale("log")
        cpu.legend(fontsize=7)
    names = "; ".join(s["name"] for s in report["stores"])
    fig.suptitle(f"FAS bench {report['date'][:10]}, {report['cpus']} CPUs: {names}", fontsize=9)
    fig.tight_layout()
    fig.savefig(target, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
