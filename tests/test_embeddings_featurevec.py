"""Feature-vector inputs (embeddings.featurevec): DeepJet's `cpf_features (25, 16)`, GN1's
`track_features (40, 21)`, DL1r's `low_level_tagger_outputs` fed by a collection of the user's
columns, never by unrelated ones, and refused by graphcat evaluate (the feature order is unknown)."""

from __future__ import annotations

import pytest

from embeddings.compat import compatibility, prepare
from embeddings.featurevec import FACTOR, column_object, vector
from embeddings.schema import Column

DEEPJET = [
    Column("global_features", shape=(15,), description="jet pT, eta, candidate and vertex multiplicities, CSV tagging variables"),
    Column("cpf_features", shape=(25, 16), description="charged PF candidates: track eta/pT relative to the jet, impact parameters"),
    Column("npf_features", shape=(25, 6), description="neutral PF candidates: pT relative to the jet, delta-R, isGamma"),
    Column("vtx_features", shape=(4, 12), description="secondary vertices: pT, delta-R, mass, number of tracks"),
]
# Distinct names, as ntuples have them (numbered ones collapse into one array: embeddings.names).
CPF = ["ptrel", "etarel", "deltaR", "sip2dval", "sip2dsig", "sip3dval", "sip3dsig", "jetdist", "chi2", "quality",
       "drminsv", "vtxass", "puppiw", "pparratio", "ppar", "dz"]
DL1R = [Column("jet_pt", shape=(), unit="GeV"), Column("jet_eta", shape=()),
        Column("low_level_tagger_outputs", shape=(None,), description="IP2D, IP3D, RNNIP, SV1 and JetFitter output variables")]


def _compat(user: list[Column], model: list[Column]):  # type: ignore[no-untyped-def]
    return compatibility(prepare(user), prepare(model))


def test_what_a_feature_vector_holds_comes_from_its_name_then_its_description() -> None:
    cpf = vector(DEEPJET[1])
    assert cpf is not None and cpf.obj == "charged" and cpf.per_object and (cpf.objects, cpf.width) == (25, 16)
    glob = vector(DEEPJET[0])
    assert glob is not None and glob.obj == "jet" and not glob.per_object and "csv" in glob.names and glob.multiplicities
    low = vector(DL1R[2])
    assert low is not None and low.obj is None and {"ip2d", "sv1", "jetfitter"} <= low.names
    tracks = vector(Column("features", shape=(40, 21), description="tracks: impact parameters"))
    assert tracks is not None and tracks.obj == "track"
    # Not feature vectors: named inputs, listed components, words that name nothing.
    assert vector(Column("part_pt", shape=(128,))) is None
    assert vector(Column("jet_features", shape=(None, 3), description="(pt, eta, phi)")) is None
    assert vector(Column("features", shape=(20,), description="twenty numbers")) is None


@pytest.mark.parametrize("name, obj", [("Cpfcan_BtagPf_trackEtaRel", "charged"), ("Npfcan_isGamma", "neutral"),
                                       ("tracks_loose/d0", "track"), ("TagVarCSVTrk_trackPtRel", "track"),
                                       ("JetSVs_mass", "sv"), ("PFCands_d0", "particle"), ("jets/pt", "jet"),
                                       ("TagVarCSV_vertexMass", "sv"), ("event_number", None),
                                       ("Particle.PT", "genparticle"),
                                       ("ReconstructedChargedParticles.energy", "charged"),
                                       ("Jet_DeepCSV_trackSip2dSig_0", "track")])
def test_the_object_of_a_column_comes_from_its_prefix(name: str, obj: str | None) -> None:
    assert column_object(name) == obj


def test_deepjet_is_fed_from_its_training_ntuple_collections() -> None:
    user = ([Column("jet_pt", unit="GeV"), Column("jet_eta"), Column("nCpfcand"), Column("nsv")]
            + [Column(f"TagVarCSV_{q}") for q in CPF[:8]]
            + [Column(f"Cpfcan_{q}", shape=(25,)) for q in CPF]
            + [Column(f"Npfcan_{q}", shape=(25,)) for q in CPF[:6]]
            + [Column(f"sv_{q}", shape=(4,)) for q in CPF[:12]] + [Column("isB", "int32")])
    c = _compat(user, DEEPJET)
    fed = {p.input: p for p in c.pairs}
    assert set(fed) == set(name.name for name in DEEPJET) and c.n_satisfied == 3 and c.n_partial == 1
    assert fed["cpf_features"].score == pytest.approx(FACTOR) and "Cpfcan_ptrel" in fed["cpf_features"].column
    assert fed["npf_features"].reason.startswith("6 columns of neutral candidates")
    assert fed["global_features"].score == pytest.approx(FACTOR * 12 / 15)  # jet_*, counts, CSV: 12 of 15
    assert all(t.startswith("assemble ") for t in c.transformations)
    assert c.unused == ("isB",) or c.unused == ()  # the label is bookkeeping, never a feature


def test_generic_particles_feed_charged_and_neutral_with_less_confidence_and_pad() -> None:
    user = [Column(f"PFCands_{q}", shape=(None,)) for q in
            ("pt", "eta", "phi", "mass", "charge", "pdgId", "d0", "dz", "trkChi2")]
    c = _compat(user, DEEPJET[1:3])
    fed = {p.input: p for p in c.pairs}
    assert fed["cpf_features"].score == pytest.approx(FACTOR * 0.7 * 0.9 * 9 / 16)
    assert fed["cpf_features"].reason.startswith("9 columns of particles for 16 features")
    assert fed["npf_features"].score == pytest.approx(FACTOR * 0.7 * 0.9)  # 9 columns cover its 6


def test_exact_shapes_feed_blocks_whole_and_names_beat_bare_shapes() -> None:
    named = _compat([Column("cpf", shape=(25, 16)), Column("vtx", shape=(4, 12))], DEEPJET[1:4:2])
    bare = _compat([Column("x1", shape=(25, 16)), Column("x3", shape=(4, 12))], DEEPJET[1:4:2])
    assert named.n_satisfied == bare.n_satisfied == 2
    assert named.score == pytest.approx(FACTOR) and bare.score == pytest.approx(FACTOR * 0.75)
    # A block of another object's shape does not feed it: vertices are not charged candidates.
    assert not _compat([Column("sv_block", shape=(25, 16))], DEEPJET[1:2]).pairs


def test_named_inputs_are_matched_first_and_named_taggers_claim_their_columns() -> None:
    user = [Column("jet_pt", unit="GeV"), Column("jet_eta"), Column("IP2D_pb"), Column("jets/IP3D_pu"),
            Column("SV1_masssvx"), Column("JetFitter_mass"), Column("rnnip_pc"), Column("mu_pt")]
    c = _compat(user, DL1R)
    fed = {p.input: p for p in c.pairs}
    assert fed["jet_pt"].column == "jet_pt" and fed["jet_eta"].column == "jet_eta"
    low = fed["low_level_tagger_outputs"]
    assert "jet_pt" not in low.column and "mu_pt" not in low.column
    assert low.reason.startswith("5 columns of the named taggers")
    assert c.unused == ("mu_pt",)


def test_unrelated_columns_do_not_feed_a_feature_vector() -> None:
    # A HiggsML-style event table: no candidates, tracks or vertices, no CSV variables.
    user = [Column(n) for n in ("DER_mass_MMC", "DER_pt_h", "PRI_tau_pt", "PRI_lep_pt", "PRI_met", "PRI_jet_num")]
    c = _compat(user, DEEPJET)
    assert {p.input for p in c.pairs} <= {"global_features"}
    assert c.score < 0.1
    # Strict matching (a model's outputs against the user's data) never assembles vectors.
    assert not compatibility(prepare([Column("cpf", shape=(25, 16))]), prepare(DEEPJET[1:2]), strict=True).pairs


def test_a_short_vector_takes_as_many_columns_as_it_holds_and_the_described_ones_first() -> None:
    gn1_jet = Column("jet_features", shape=(2,), description="jet pT and |eta|")
    user = [Column(n, shape=(None,)) for n in ("Jet_phi", "Jet_mass", "Jet_eta", "Jet_chEmEF", "Jet_pt", "Jet_area")]
    c = _compat(user, [gn1_jet])
    assert c.pairs[0].column == "Jet_eta, Jet_pt" and c.n_used == 2 and len(c.unused) == 4
    # An index run of two is two columns, not a (2,) block; a bare block needs more values to count.
    assert _compat([Column("pxj1"), Column("pxj2")], [gn1_jet]).pairs == ()
    assert _compat([Column("x0", shape=(2,))], [gn1_jet]).pairs == ()


def test_nanoaod_jet_lists_feed_a_jets_own_track_and_vertex_blocks() -> None:
    deepcsv = [Column("jet_pt", unit="GeV"), Column("jet_eta"),
               Column("track_features", shape=(6, None), description="up to 6 tracks: impact parameters"),
               Column("sv_features", shape=(None,), description="secondary vertex: mass, number of tracks")]
    user = ([Column("Jet_pt", shape=(None,), unit="GeV"), Column("Jet_eta", shape=(None,))]
            + [Column(f"Jet_DeepCSV_{q}_{i}", shape=(None,)) for q in ("trackSip2dSig", "trackSip3dSig", "trackPtRel",
                                                                      "trackDeltaR") for i in range(6)]
            + [Column(f"Jet_DeepCSV_{q}", shape=(None,)) for q in ("vertexMass", "vertexNTracks", "vertexCategory",
                                                                  "flightDistance2dSig")])
    c = _compat(user, deepcsv)
    assert c.n_satisfied == 4 and not c.unused
    fed = {p.input: p for p in c.pairs}
    assert fed["track_features"].reason.startswith("4 columns of tracks")  # four runs of 6 tracks
    assert fed["sv_features"].score == pytest.approx(FACTOR * 0.9)  # per-event jet lists read one jet at a time


def test_another_fixed_object_count_or_a_few_features_do_not_feed_a_block() -> None:
    user = [Column(f"trk_{q}", shape=(60,)) for q in ("ptrel", "erel", "etarel", "phirel", "dr", "sip2d")]
    assert not _compat(user, [Column("track_features", shape=(6, None), description="up to 6 tracks")]).pairs
    few = [Column(f"Cpfcan_{q}", shape=(25,)) for q in CPF[:7]]  # 7 of 16 features
    assert not _compat(few, DEEPJET[1:2]).pairs
    assert _compat(few + [Column("Cpfcan_extra", shape=(25,))], DEEPJET[1:2]).pairs  # 8 of 16: half
