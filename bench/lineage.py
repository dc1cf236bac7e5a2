"""Lineage latency: graphcat.service.lineage upstream / downstream at depth 3, 5 and 10.

Run by `python -m bench` on the catalog bench.import_rate loaded. Start nodes, all from the
synthetic catalog's files (seeded sample):
- upstream from random model versions, and from the tips of the longest fine-tune chains;
- downstream from random dataset versions, and from the hub dataset versions (most TRAINED_ON),
  the worst case: every model trained on them and everything fine-tuned from those. Walks stop at
  GRAPHCAT_LINEAGE_DEFAULT_NODES (nearest first, truncated); the hubs run again with `limit` 1000
  (what the web page's lineage explorer asks per step) and without the cap (limit 10^6: a whole walk).
  Each group of start nodes is walked once untimed first (page cache warm, as on a server in
  use), then timed at each depth.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.common import p50_p95, table, timed_ms
from bench.synthetic import Manifest
from graphcat.service import lineage
from graphcat.store.database import Database

DEPTHS = (3, 5, 10)


def version_uids(folder: Path, manifest: Manifest) -> tuple[list[str], list[str]]:
    models, datasets = [], []
    for name in manifest.files:
        doc = json.loads((folder / name).read_text(encoding="utf-8"))
        for m in doc.get("models") or []:
            models += [f"model_version:{m['id']}@{v['version']}" for v in m["versions"]]
        for d in doc.get("datasets") or []:
            datasets += [f"dataset_version:{d['id']}@{v['version']}" for v in d["versions"]]
    return models, datasets


def run(db: Database, folder: Path, manifest: Manifest, samples: int = 30, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    models, datasets = version_uids(folder, manifest)
    starts = {
        ("upstream", "random model versions"): rng.sample(models, min(samples, len(models))),
        ("upstream", "longest-chain tips"): [f"model_version:{v}" for v in manifest.chain_tips[:10]],
        ("downstream", "random dataset versions"): rng.sample(datasets, min(samples, len(datasets))),
        ("downstream", "hub dataset versions"): [f"dataset_version:{d}" for d in manifest.hub_datasets[:5]],
    }
    cap = getattr(db.settings, "lineage_default_nodes", None)
    hubs = starts[("downstream", "hub dataset versions")]
    starts[("downstream", "hub dataset versions, limit 1000")] = hubs
    starts[("downstream", "hub dataset versions, uncapped")] = hubs
    lineage.lineage(db, starts[("upstream", "random model versions")][0], "upstream", depth=3)  # plan cache warm
    rows = []
    for (direction, label), uids in starts.items():
        settings = db.settings
        limit: dict[str, int] = {}
        if label.endswith(("uncapped", "limit 1000")):
            if cap is None:
                continue  # a build without the node limit: the hub rows above are already whole walks
            db.settings = replace(settings, lineage_max_nodes=1_000_000)
            limit = {"limit": 1000 if label.endswith("limit 1000") else 1_000_000}
        try:
            for uid in uids:  # untimed pass: the page cache holds these neighbourhoods, as on a server in use
                lineage.lineage(db, uid, direction, depth=max(DEPTHS), **limit)
            for depth in DEPTHS:
                times, sizes, cut = [], [], 0
                for uid in uids:
                    ms, sub = timed_ms(lambda: lineage.lineage(db, uid, direction, depth=depth, **limit))
                    times.append(ms)
                    sizes.append(len(sub.nodes))
                    cut += bool(getattr(sub, "truncated", False))
                p50, p95 = p50_p95(times)
                rows.append({"direction": direction, "start": label, "depth": depth, "queries": len(uids),
                             "p50": p50, "p95": p95, "max": max(times), "nodes mean": sum(sizes) / len(sizes),
                             "nodes max": max(sizes), "truncated": cut, "cap": limit.get("limit", cap)})
        finally:
            db.settings = settings
    return rows


def render(size: int, relationships: int, rows: list[dict[str, Any]]) -> str:
    return table(["model versions (relationships)", "direction", "start nodes", "depth", "queries", "p50 ms", "p95 ms",
                  "max ms", "nodes returned (mean / max)", "truncated (cap)"],
                 [[f"{size:,} ({relationships:,})", r["direction"], r["start"], r["depth"], r["queries"], f"{r['p50']:.1f}",
                   f"{r['p95']:.1f}", f"{r['max']:.0f}", f"{r['nodes mean']:.0f} / {r['nodes max']}",
                   "-" if r.get("cap") is None or r["start"].endswith("uncapped") else f"{r['truncated']} of {r['queries']} ({r['cap']:,})"]
                  for r in rows])
