"""The classes of failure of issue 20, each on its own: whole-file shapes, one-input models winning by
default, per-particle columns against packed inputs of event objects, names analysts use, numbered
columns. Real encoder (bundled MiniLM), real ranker, small catalogs built here."""

from __future__ import annotations

import pytest

from embeddings.compat import bookkeeping, compatibility, prepare, truncation_factor
from embeddings.encoder import Encoder
from embeddings.errors import InvalidSchema
from embeddings.eventaxis import MIN_EVENTS, split_event_axis
from embeddings.lifecycle import build_index
from embeddings.names import canonical
from embeddings.positional import by_position
from embeddings.ranker import Recommender
from embeddings.schema import Column, catalog_from_dicts


def _version(inputs: list[dict], outputs: list[dict] | None = None) -> dict:
    return {"version": "1.0.0", "inputs": inputs, "outputs": outputs or []}


def _col(name: str, shape: list, dtype: str = "float32", description: str | None = None) -> dict:
    return {"name": name, "dtype": dtype, "shape": shape, **({"description": description} if description else {})}


PARTICLE_INPUTS = [_col(n, [100]) for n in ("part_etarel", "part_phirel", "part_pt_log", "part_e_log", "part_deltaR")]
CATALOG = {"graphcat_catalog": 1, "models": [
    {"id": "tagger", "name": "particle tagger", "description": "graph network on jet constituents",
     "versions": [_version(PARTICLE_INPUTS, [_col("scores", [2])])]},
    {"id": "l1-ae", "name": "L1 trigger autoencoder", "description": "autoencoder on an event's physics objects",
     "versions": [_version([_col("Particles", [19, 3], description="MET, 4 e, 4 mu, 10 jets x (pT [GeV], eta, phi)")],
                           [_col("reconstruction", [19, 3])])]},
    {"id": "jet-gan", "name": "jet generator", "description": "GAN for 30-particle jets",
     "versions": [_version([_col("noise", [30, None])], [_col(n, [30]) for n in ("etarel", "phirel", "ptrel", "mask")])]},
    {"id": "calo-gen", "name": "shower generator", "description": "368-voxel shower generator",
     "versions": [_version([_col("incident_energies", [1])], [_col("showers", [368])])]},
    {"id": "higgs-dnn", "name": "Higgs DNN", "description": "dense network on 4 event features",
     "versions": [_version([_col(n, []) for n in ("lepton_pt", "lepton_eta", "jet_1_pt", "m_bb")])]},
]}


@pytest.fixture(scope="module")
def ranker() -> Recommender:
    view = catalog_from_dicts([CATALOG])
    encoder = Encoder()
    return Recommender(encoder, build_index(view.documents, encoder), {c.id: c for c in view.models},
                       candidates=len(view.models))


# Whole-file shapes -------------------------------------------------------------------------------

def test_a_shared_large_leading_length_is_the_event_axis_and_comes_off() -> None:
    cols, axis = split_event_axis([Column("particle_features", shape=(177252, 30, 4)),
                                   Column("jet_features", shape=(177252, 4)), Column("y", shape=(177252,))])
    assert [c.shape for c in cols] == [(30, 4), (4,), ()]
    assert axis is not None and axis.events == 177252 and not axis.given
    assert "177252" in axis.describe() and "event axis" in axis.describe()


@pytest.mark.parametrize("columns", [
    [Column("showers", shape=(368,))],  # one 1-D array: 368 values per event
    [Column("showers", shape=(50000, 368)), Column("incident_energies", shape=(1,))],  # leading lengths differ
    [Column("a", shape=(5000, 4)), Column("pt")],  # a scalar: the listing is per event
    [Column("part_pt", shape=(200,)), Column("part_eta", shape=(200,))],  # a short shared length: objects
    [Column("part_pt", shape=(None,)), Column("part_eta", shape=(None,))],
])
def test_per_event_listings_keep_their_shapes(columns: list[Column]) -> None:
    cols, axis = split_event_axis(columns)
    assert axis is None and cols == columns
    assert MIN_EVENTS > 200


def test_events_given_strips_that_length_and_a_wrong_one_is_refused() -> None:
    cols, axis = split_event_axis([Column("X", shape=(500, 30, 4)), Column("w", shape=(30,))], events=500)
    assert [c.shape for c in cols] == [(30, 4), (30,)] and axis is not None and axis.given
    with pytest.raises(InvalidSchema) as err:
        split_event_axis([Column("X", shape=(500, 30, 4))], events=499)
    assert err.value.path == "events" and "499" in err.value.message and "X [500, 30, 4]" in err.value.message
    with pytest.raises(InvalidSchema):
        split_event_axis([Column("X", shape=(500, 30, 4))], events=0)


def test_whole_file_shapes_rank_like_per_event_shapes_and_the_answer_says_so(ranker: Recommender) -> None:
    per_event = [Column("incident_energies", shape=(1,)), Column("showers", shape=(368,))]
    whole = [Column("incident_energies", shape=(100000, 1)), Column("showers", shape=(100000, 368))]
    a, b = ranker.recommend(per_event, k=1)[0], ranker.recommend(whole, k=1)[0]
    assert a.model_id == b.model_id == "calo-gen@1.0.0"
    assert b.score == pytest.approx(a.score, abs=0.05) and b.compatibility.n_satisfied == 1
    assert any("event axis: the leading 100000" in line for line in b.explanation())
    assert not any("event axis" in line for line in a.explanation())


# Counts in the explanation, one-input models ----------------------------------------------------

def test_a_packed_input_counts_once_and_the_answer_never_says_a_negative_count() -> None:
    user = prepare([Column("X", shape=(139, 4), description="(pt, y, phi, pdgid) per particle")])
    model = prepare([Column("Particles", shape=(19, 3), description="(pT, eta, phi)")])
    c = compatibility(user, model)
    assert c.n_inputs == 1 and 0 <= c.n_satisfied <= 1 and c.summary().startswith(f"{c.n_satisfied}/1 model inputs")
    part = compatibility(prepare([Column("part_pt", shape=(19,))]), model)
    assert (part.n_satisfied, part.n_partial) == (0, 1) and "0/1 model inputs satisfied (1 partly)" in part.summary()


def test_a_list_of_event_objects_is_not_fed_from_jet_constituents(ranker: Recommender) -> None:
    constituents = [Column(n, shape=(None,)) for n in ("part_pt", "part_eta", "part_phi", "part_energy")]
    constituents += [Column(n) for n in ("jet_pt", "jet_eta", "jet_phi", "jet_energy", "label")]
    l1 = prepare([Column("Particles", shape=(19, 3), description="MET, 4 e, 4 mu, 10 jets x (pT [GeV], eta, phi)")])
    assert compatibility(prepare(constituents), l1).pairs == ()
    ranking = [r.model_id for r in ranker.recommend(constituents, k=5)]
    assert ranking[0] == "tagger@1.0.0" and ranking.index("l1-ae@1.0.0") > 0
    objects = [Column(n, shape=(None,)) for n in ("Jet.PT", "Jet.Eta", "Jet.Phi")]
    fed = compatibility(prepare(objects), l1)
    assert fed.n_satisfied == 1 and "Jet.PT → Particles[..., 0] (object_pt)" in fed.pairs[0].reason


def test_cutting_a_long_list_to_a_few_objects_counts_less() -> None:
    assert truncation_factor(100, 200) == pytest.approx(0.8)
    assert truncation_factor(19, 200) < 0.4 < truncation_factor(30, 100) < 0.8


def test_label_weight_and_id_columns_are_not_data_a_model_must_use() -> None:
    for name in ("label", "labels", "is_signal_new", "training_weights", "weight", "event_id", "EventNumber",
                 "label_QCD", "runNumber"):
        assert bookkeeping(name), name
    for name in ("part_pt", "jet_mass", "y", "nparticles", "mjj", "Jet_btagDeepFlavB", "tau21"):
        assert not bookkeeping(name), name


def test_a_generator_does_not_produce_what_would_have_to_be_computed(ranker: Recommender) -> None:
    # A jagged pT list could be turned into a 30-particle ptrel, but that is not the generator's output.
    jagged = [Column(n, shape=(None,)) for n in ("part_pt", "part_eta", "part_phi")] + [Column("jet_pt"), Column("jet_eta")]
    gan = next(r for r in ranker.recommend(jagged, k=5) if r.model_id == "jet-gan@1.0.0")
    assert gan.outputs is None or not gan.outputs.pairs
    generated = [Column(n, shape=(30,)) for n in ("etarel", "phirel", "ptrel", "mask")]
    assert ranker.recommend(generated, k=1)[0].model_id == "jet-gan@1.0.0"


# Names analysts use ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, obj, qty", [
    ("PFCands_pt", "particle", "pt"), ("fjet_clus_E", "particle", "e"), ("FatJet_msoftdrop", "jet", "msd"),
    ("MissingET.MET", "met", "pt"), ("MET_pt", "met", "pt"), ("met_met", "met", "pt"), ("PuppiMET_phi", "met", "phi"),
    # Delphes' `Particle` branch is the generator record; its reconstructed constituents are EFlow*.
    ("Jet.PT", "jet", "pt"), ("Particle.Eta", "genparticle", "eta"), ("EFlowTrack.Eta", "particle", "eta"),
    ("el_pt", "electron", "pt"), ("mu_eta", "muon", "eta"),
    ("j1_btag", "jet", "btag"), ("lep_pt", "lepton", "pt"), ("nMuon", "muon", "n"),
    ("Brunel_P", None, "p"), ("nTracks_Brunel", "track", "n"), ("reco", None, "reco"),
])
def test_names_of_nanoaod_atlas_and_delphes(name: str, obj: str, qty: str) -> None:
    c = canonical(name)
    assert (c.obj, c.qty) == (obj, qty)


# Numbered columns --------------------------------------------------------------------------------

def _numbered(n: int, dtype: str = "float64") -> list:
    return prepare([Column(str(i), dtype) for i in range(n)])


def test_numbered_columns_feed_scalar_inputs_in_order_label_first() -> None:
    inputs = [Column(n) for n in ("lepton_pt", "lepton_eta", "jet_1_pt", "m_bb")]
    c = by_position(_numbered(5), inputs)
    assert c is not None and [(p.column, p.input) for p in c.pairs] == [
        ("1", "lepton_pt"), ("2", "lepton_eta"), ("3", "jet_1_pt"), ("4", "m_bb")]
    assert c.unused == ("0",) and "column 0 taken as the label" in c.pairs[0].reason and c.score < 0.7
    same = by_position(_numbered(4), inputs)
    assert same is not None and [p.column for p in same.pairs] == ["0", "1", "2", "3"]
    other = by_position(_numbered(7), inputs)
    assert other is not None and not other.pairs and "counts differ" in other.unsatisfied[0][1]
    assert by_position(prepare([Column("pt"), Column("eta")]), inputs) is None  # named columns: not by position
    arrays = by_position(_numbered(5), [Column("Particles", shape=(19, 3))])
    assert arrays is not None and not arrays.pairs


def test_numbered_columns_find_the_model_with_that_many_scalar_inputs(ranker: Recommender) -> None:
    best = ranker.recommend([Column(str(i), "float64") for i in range(5)], k=1)[0]
    assert best.model_id == "higgs-dnn@1.0.0" and best.compatibility.n_satisfied == 4
    assert any("by position" in line for line in best.explanation())


# Per-particle columns against packed, channels-first inputs ------------------------------------

def test_per_particle_columns_feed_a_channels_first_export_and_outrank_a_some_particles_model() -> None:
    view = catalog_from_dicts([{"graphcat_catalog": 1, "models": [
        {"id": "particlenet-onnx", "name": "ParticleNet (ONNX export)", "description": "EdgeConv on jet constituents",
         "versions": [_version([
             _col("points", [2, 100], description="(part_etarel, part_phirel)"),
             _col("features", [4, 100], description="(part_pt_log, part_e_log, part_logptrel, part_logerel)"),
             _col("mask", [1, 100])])]},
        {"id": "some-particles", "name": "particle multiplicity classifier", "description": "reads the particle count",
         "versions": [_version([_col("part_pt", [None])])]},
    ]}])
    encoder = Encoder()
    ranker = Recommender(encoder, build_index(view.documents, encoder), {c.id: c for c in view.models}, candidates=2)
    user = [Column(n, shape=(None,), unit=u) for n, u in
            (("part_pt", "GeV"), ("part_eta", None), ("part_phi", "rad"), ("part_energy", "GeV"))]
    user += [Column("jet_pt", unit="GeV"), Column("jet_eta"), Column("jet_phi", unit="rad"), Column("jet_energy", unit="GeV")]
    best = ranker.recommend(user, k=2)[0]
    assert best.model_id == "particlenet-onnx@1.0.0"
    c = best.compatibility
    assert (c.n_satisfied, c.n_inputs) == (3, 3), best.explanation()
    text = "\n".join(best.explanation())
    assert "along axis 0 (channels first)" in text and "jet_eta" in text and "pad/truncate" in text


@pytest.mark.parametrize("printed, dtype", [
    ("double", "float64"), ("float", "float32"), ("Float_t", "float32"), ("Double_t", "float64"), (">f4", "float32"),
    ("<i8", "int64"), ("Int_t", "int32"), ("Long64_t", "int64"), ("UInt_t", "uint32"), ("Bool_t", "bool"),
    ("int32_t", "int32"), ("large_string", "string"), ("halffloat", "float16"), ("float32", "float32"),
])
def test_dtypes_as_arrow_root_and_numpy_print_them(printed: str, dtype: str) -> None:
    assert Column.from_dict({"name": "x", "dtype": printed}).dtype == dtype


def test_an_unknown_dtype_is_still_refused_by_name() -> None:
    with pytest.raises(InvalidSchema) as err:
        Column.from_dict({"name": "x", "dtype": "complex128"}, path="columns[3]")
    assert "complex128" in err.value.message and err.value.path == "columns[3].x.dtype"


def test_a_shorter_object_list_is_zero_padded_only_when_it_fills_half_the_slots() -> None:
    from embeddings.fits import pair_fit
    score, steps, _ = pair_fit(Column("fjet_clus_pt", shape=(80,)), Column("part_pt", shape=(128,)))
    assert score > 0 and any("zero-pad the 80 particles of fjet_clus_pt to 128" in s for s in steps)
    assert pair_fit(Column("part_pt", shape=(30,)), Column("part_pt", shape=(150,)))[0] == 0.0
