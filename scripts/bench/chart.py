"""Draws docs/benchmarks/results.png from a bench --json file: CPU per flow and flows/s, ceiling vs service
vs the ceiling held to the service's request rate.

    python3 scripts/bench/chart.py docs/benchmarks/results.json docs/benchmarks/results.png   (needs matplotlib)
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def main(source: str, target: str) -> None:
    report = json.load(open(source))
    ingest = [r for r in report["results"] if "connections" in r]
    labels = sorted({f"{r['scenario']}\n{r['connections']} conn" for r in ingest}, key=lambda s: (s.split("\n")[0], int(s.split("\n")[1].split()[0])))

    def series(server: str, field: str) -> list:
        by_label = {f"{r['scenario']}\n{r['connections']} conn": r[field] for r in ingest if r["server"] == server}
        return [by_label.get(label, 0) or 0 for label in labels]

    fig, (cpu, rate) = plt.subplots(1, 2, figsize=(12, 4.5))
    x = range(len(labels))
    width = 0.27
    servers = (
        ("ceiling", "ceiling (storage removed), flat out"),
        ("service", f"service on {report['mongodb'].split(',')[0]}"),
        ("ceiling-paced", "ceiling at the service's request rate"),
    )
    for axis, field, title in ((cpu, "cpuUsPerFlow", "server CPU µs per flow (lower is better)"), (rate, "flowsPerS", "flows/s (log scale)")):
        for offset, (server, label) in zip((-width, 0, width), servers):
            axis.bar([i + offset for i in x], series(server, field), width, label=label)
        axis.set_xticks(list(x), labels, fontsize=8)
        axis.set_title(title)
    rate.set_yscale("log")
    cpu.legend()
    fig.suptitle(f"FAS bench {report['date'][:10]}: {report['mongodb']}, {report['cpus']} CPUs, {report['keys']} keys", fontsize=9)
    fig.tight_layout()
    fig.savefig(target, dpi=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
