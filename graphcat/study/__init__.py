"""A real generalisation study: W→qq vs QCD jet tagging with Pythia 8 and FastJet.

Jets are generated under a base configuration and shifted ones (graphcat.study.configs), three small
taggers are trained on the base (a jet-substructure MLP, a Deep Sets / Particle Flow Network and a
soft jet-mass window with a tau21 term),
exported to ONNX, registered in the catalog and evaluated on every configuration. The catalog then
holds what graphcat.service.transferability needs to estimate, for a pair without an evaluation,
how well a model will do, and graphcat.study.loco measures how good those estimates are.

Modules: configs (what is generated), generate (Pythia + FastJet; needs the `study` extra),
jets (numpy substructure and smearing), sample (the shipped npz sample), models (torch, ONNX),
metrics (AUC, rejection, rank correlation), catalog (catalog documents), loco (the estimator's
leave-one-configuration-out test), legacy (an earlier estimator from git, to compare), report
(docs/transferability.md), run (`python -m graphcat.study`).
"""
