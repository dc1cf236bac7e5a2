"""How GRAPHCAT_SEARCH_MIN_SIMILARITY was chosen: embedding similarities on the demo catalog.

EMPTIES the catalog of GRAPHCAT_NEO4J_URI (imports graphcat/demo/hep-catalog.yaml with replace),
so point it at a scratch server: `python -m bench.search_cutoff`.

For queries written *without* the catalog's own words (paraphrases a physicist would type), it
prints the cosine similarity of the best entity that should be found; for unrelated texts, the
best similarity of anything. A cut-off between the two columns keeps the first and drops the
second; the gap is printed at the end.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from graphcat.catalog.importer import import_files
from graphcat.service import vector_index
from graphcat.settings import Settings
from graphcat.store import migrations
from graphcat.store.database import Database

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "graphcat" / "demo" / "hep-catalog.yaml"

# (query, uid prefixes of the entities it should find)
RELEVANT = [
    ("transverse momentum top tagger", ("model_version:particlenet-top", "model_version:particle-transformer-top",
                                        "model_version:pfn-top", "model_version:particlenet-lite-top")),
    ("generate calorimeter showers quickly", ("model_version:calo",)),
    ("find charged particle tracks with graph neural networks", ("model_version:exatrkx", "model_version:interaction-network-tracking")),
    ("tell quark jets from gluon jets", ("model_version:pfn-quark-gluon", "model_version:efn-quark-gluon",
                                         "model_version:particlenet-quark-gluon", "task:quark-gluon-tagging")),
    ("jet classifier on an FPGA with nanosecond latency", ("model_version:hls4ml-jet-tagger",)),
    ("unsupervised new physics detection in the level-1 trigger", ("model_version:l1-anomaly-autoencoder",
                                                                    "task:anomaly-detection")),
    ("identify jets from bottom quarks", ("model_version:deepcsv", "model_version:deepjet", "model_version:atlas-dl1r",
                                          "model_version:atlas-gn1", "task:b-tagging")),
    ("Higgs decaying to a bottom quark pair", ("model_version:interaction-network-hbb", "dataset_version:cms-hbb")),
    ("simulated top quark pair events", ("dataset_version:cms-ttbar", "dataset_version:atlas-ttbar",
                                         "dataset_version:mlpf-delphes-ttbar")),
    ("compact muon solenoid", ("experiment:cms", "detector:cms-detector")),
    ("ring imaging cherenkov", ("detector:lhcb-rich",)),
    ("time projection chamber", ("detector:alice-tpc",)),
    ("hadron identification", ("task:particle-identification", "dataset_version:lhcb-pid", "dataset_version:alice-pid")),
    ("particle flow reconstruction", ("task:particle-flow-reconstruction", "model_version:mlpf")),
    ("ten classes of jets", ("dataset_version:jetclass",)),
]
UNRELATED = [
    "no such thing anywhere", "banana bread recipe", "quarterly tax return deadline", "asdf qwerty",
    "the weather in Paris tomorrow", "football world cup results", "knitting patterns for wool socks",
    "how to repair a bicycle puncture", "lorem ipsum dolor sit amet", "zzzz", "cheap flights to Rome",
    "my cat is sleeping on the sofa", "password reset email", "xkcd", "pizza",
]


def main() -> None:
    base = Settings.from_env()
    with tempfile.TemporaryDirectory() as tmp:
        settings = dataclasses.replace(base, index_dir=str(Path(tmp) / "index"))
        with Database(settings) as db:
            migrations.apply(db)
            import_files(db, [DEMO], replace=True)
            index = vector_index.CatalogIndex(settings)
            index.ensure(db)
            kept = []
            print(f"{'relevant query':58} {'best expected':45} {'sim':>6} {'rank':>4}")
            for text, expected in RELEVANT:
                hits = index.search(db, text, k=1000)
                ranked = [(i, uid, s) for i, (uid, s) in enumerate(hits, 1) if uid.startswith(expected)]
                rank, uid, sim = ranked[0]
                kept.append(sim)
                print(f"{text:58} {uid:45} {sim:6.3f} {rank:4d}")
            dropped = []
            print(f"\n{'unrelated text':58} {'nearest entity':45} {'sim':>6}")
            for text in UNRELATED:
                uid, sim = index.search(db, text, k=1)[0]
                dropped.append(sim)
                print(f"{text:58} {uid:45} {sim:6.3f}")
            print(f"\nlowest relevant {min(kept):.3f}, highest unrelated {max(dropped):.3f}, "
                  f"midpoint {(min(kept) + max(dropped)) / 2:.3f}")


if __name__ == "__main__":
    main()
