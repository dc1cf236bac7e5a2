"""Issue 20, round 3: flat tables (uproot/pyarrow) — generator records vs reconstructed constituents,
EDM4hep vector members, NanoAOD counters, and the share of a wide table's data a model uses."""

from __future__ import annotations

import pytest

from embeddings.compat import compatibility, prepare
from embeddings.names import canonical
from embeddings.schema import Column
from embeddings.share import counters, groups, share, share_bound

JAG = (None,)
WORDS = ("pt", "eta", "phi", "mass", "charge", "dxy", "dz", "iso", "tightId", "looseId", "sip3d", "ip3d", "pfRelIso",
         "miniIso", "lostHits", "convVeto", "cutBased", "mvaId", "r9", "hoe")


@pytest.mark.parametrize(("name", "obj", "qty"), [
    ("Particle.PT", "genparticle", "pt"), ("Particle.PID", "genparticle", "pid"),
    ("GenPart_eta", "genparticle", "eta"), ("MCParticles/MCParticles.momentum.x", "genparticle", "px"),
    ("EFlowTrack.PT", "particle", "pt"), ("EFlowPhoton.ET", "particle", "pt"),
    ("EFlowNeutralHadron.Eta", "particle", "eta"), ("PFCands_pt", "particle", "pt"), ("part_pt", "particle", "pt"),
    ("GenJet_pt", "jet", "pt"), ("GenMET_phi", "met", "phi"),
    ("VertexBarrelCollection.position.x", "hit", "x"),
    ("InnerTrackerBarrelCollection/InnerTrackerBarrelCollection.position.z", "hit", "z"),
    ("VertexBarrelCollection.momentum.y", "hit", "py"), ("VertexBarrelCollection.eDep", "hit", "e"),
])
def test_collection_names_of_flat_trees(name: str, obj: str, qty: str) -> None:
    c = canonical(name)
    assert (c.obj, c.qty) == (obj, qty)


def _cols(*specs: tuple[str, tuple[int | None, ...]]) -> list[Column]:
    return [Column(n, "int32" if n.startswith("n") and s == () else "float32", s) for n, s in specs]


def test_generator_particles_do_not_feed_constituent_inputs_but_eflow_does() -> None:
    model = prepare(_cols(("part_pt", (100,)), ("part_eta", (100,)), ("part_phi", (100,))))
    gen = compatibility(prepare(_cols(("Particle.PT", JAG), ("Particle.Eta", JAG), ("Particle.Phi", JAG))), model)
    assert gen.n_satisfied == 0 and gen.score == 0.0
    assert any("genparticle vs particle" in why for _, why in gen.unsatisfied)
    eflow = compatibility(prepare(_cols(("EFlowTrack.PT", JAG), ("EFlowTrack.Eta", JAG), ("EFlowTrack.Phi", JAG))), model)
    assert eflow.n_satisfied == 3


def test_edm4hep_hit_positions_feed_a_tracking_gnn_via_r_and_phi() -> None:
    hits = prepare([Column(f"VertexBarrelCollection.position.{a}", "float64", JAG, "mm") for a in "xyz"])
    model = prepare([Column("r", "float32", JAG), Column("phi", "float32", JAG), Column("z", "float32", JAG)])
    c = compatibility(hits, model)
    assert c.n_satisfied == 3, c.unsatisfied
    assert any("hypot" in t for t in c.transformations)


def test_counters_are_the_lists_lengths_not_data() -> None:
    cols = _cols(("nJet", ()), ("Jet_pt", JAG), ("Jet_eta", JAG), ("nMuon", ()), ("Muon_pt", JAG), ("nTracks", ()))
    user = prepare(cols)
    # nTracks has no jagged track list beside it: a per-event feature (LHCb), not a counter.
    assert counters(user) == frozenset({0, 3})
    model = prepare([Column("jet_pt", "float32", ()), Column("jet_eta", "float32", ())])
    c = compatibility(user, model)
    assert c.n_columns == 4 and c.n_counts == 2
    assert "2 collection counters" in c.summary()
    # a scalar count of a per-jet table is a feature
    assert counters(prepare(_cols(("jet_pt", ()), ("jet_nparticles", ())))) == frozenset()


def test_share_is_over_the_collections_a_model_reads() -> None:
    wide = _cols(*[(f"Jet_{w}", JAG) for w in WORDS[:8]], *[(f"Muon_{w}", JAG) for w in WORDS[:4]],
                 *[(f"Electron_{w}", JAG) for w in WORDS[:20]], ("nJet", ()), ("event", ()))
    user = prepare(wide)
    assert share(user, range(8)) == pytest.approx(8 / 12)  # all the jet columns: the floor, not 8/32
    assert share(user, range(12, 32)) == 1.0  # all twenty electron columns
    assert share(user, [0, 8]) == pytest.approx(2 / 12)
    # Up to NARROW data columns, the share is over all of them, collections or not.
    cols = _cols(("run", ()), ("nJet", ()), ("Jet_pt", JAG), ("Jet_eta", JAG), ("Jet_phi", JAG), ("Jet_mass", JAG),
                 ("Muon_pt", JAG), ("Muon_eta", JAG), ("MET_pt", ()), ("MET_phi", ()), ("PV_z", ()))
    user = prepare(cols)
    g = groups(user)
    assert 0 not in g and 1 not in g  # run number and counter are not data
    assert share(user, {2, 3, 4}) == pytest.approx(3 / 9)
    assert share(user, {2, 6}) == pytest.approx(2 / 9)
    assert share(user, set()) == 0.0
    # A table without object prefixes is one collection: the share is over all of its data.
    plain = prepare(_cols(("mjj", ()), ("mj1", ()), ("delta_mj", ()), ("tau21j1", ())))
    assert share(plain, {0, 1}) == pytest.approx(0.5)


@pytest.mark.parametrize("possible", [{2, 3, 4, 6}, {2, 6, 8}, {8, 9, 10}, {2}, set(), {14, 15, 16, 2, 3},
                                      set(range(2, 14)), {20, 21, 22, 23, 24, 25}])
def test_share_bound_is_never_below_a_share_within_it(possible: set[int]) -> None:
    cols = _cols(("run", ()), ("nJet", ()), ("Jet_pt", JAG), ("Jet_eta", JAG), ("Jet_phi", JAG), ("Jet_mass", JAG),
                 ("Muon_pt", JAG), ("Muon_eta", JAG), ("MET_pt", ()), ("MET_phi", ()), ("PV_z", ()),
                 *[(f"Electron_{w}", JAG) for w in WORDS[:15]])
    user = prepare(cols)
    bound = share_bound(user, possible)
    items = sorted(possible)
    for mask in range(1 << len(items)):
        used = {i for bit, i in enumerate(items) if mask >> bit & 1}
        assert share(user, used) <= bound + 1e-12, used
