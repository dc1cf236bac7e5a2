"""The study's configurations: a base W→qq vs QCD jet sample and shifted variants of it.

Each configuration is everything needed to regenerate its sample exactly (Pythia settings, seeds,
jet selection, smearing) and to describe it in the catalog (conditions, lineage). The shifted ones
move one knob at a time: centre-of-mass energy, jet pT range (two steps), the tune, multi-parton
interactions, the Lund fragmentation parameter aLund, detector-like Gaussian smearing of the
constituents (three strengths) and pile-up-like overlay of soft QCD events (two mean numbers). The
smeared and overlaid samples are made from the base sample's test jets, so they are DERIVED_FROM it
in the catalog. The numeric knobs are sampled at several points each (pT window, sqrt(s), aLund,
smearing, pile-up) so that a configuration left out has neighbours on its own axis.
"""

from __future__ import annotations

from dataclasses import dataclass, field

JET_R = 0.8
JET_ETA_MAX = 2.0
MAX_CONSTITUENTS = 30  # per-particle arrays keep the hardest 30 constituents, zero-padded
MATCH_DR = 0.6  # a signal jet lies within this ΔR of a hadronically decaying W
GENERATOR = "Pythia 8.317"
TUNES = {14: "Monash 2013", 21: "ATLAS A14 (NNPDF2.3LO)"}
MONASH_ALUND = 0.68  # StringZ:aLund of the Monash 2013 tune (Pythia 8.3 default)
# The background process: the Pythia processes switched on and how the description names it.
# "qcd-dijet" is the study's; "z-nunu-jet" takes the jets recoiling against an invisibly decaying Z
# (q g -> Z q dominates: quark-enriched jets, where QCD 2 -> 2 at these pT is a quark/gluon mix).
BACKGROUNDS: dict[str, tuple[tuple[str, ...], str]] = {
    "qcd-dijet": (("HardQCD:all = on",), "QCD dijet jets"),
    "z-nunu-jet": (("WeakBosonAndParton:qqbar2gmZg = on", "WeakBosonAndParton:qg2gmZq = on", "WeakZ0:gmZmode = 2",
                    "23:onMode = off", "23:onIfAny = 12 14 16"),
                   "jets recoiling against a Z -> nu nu (Z + jet, quark-enriched)"),
}


@dataclass(frozen=True)
class Smearing:
    """Detector-like smearing of constituents: relative pT resolution, angular resolution, threshold."""

    pt_resolution: float
    angle_resolution: float
    pt_threshold_gev: float

    def describe(self) -> str:
        return (f"Gaussian constituent smearing: sigma(pT)/pT={self.pt_resolution:g}, "
                f"sigma(eta)=sigma(phi)={self.angle_resolution:g}, pT > {self.pt_threshold_gev:g} GeV")


@dataclass(frozen=True)
class Pileup:
    """Pile-up-like overlay: Poisson(mean) soft QCD (non-diffractive) events added to each jet's cone.

    The events come from a pool generated once with `seed` (13 TeV, Monash) and are reused with a
    random azimuthal rotation; their visible particles within ΔR < R of the jet axis join the jet.
    No pile-up mitigation is applied."""

    mean: float
    pool_events: int
    seed: int

    def describe(self) -> str:
        return (f"pile-up overlay: Poisson(mean {self.mean:g}) Pythia soft QCD non-diffractive events per jet, "
                f"particles within R of the jet axis added, no mitigation")


@dataclass(frozen=True)
class StudyConfig:
    id: str
    title: str
    sqrt_s_tev: float = 13.0
    pt_min: float = 300.0
    pt_max: float = 400.0
    tune_pp: int = 14
    extra_settings: tuple[str, ...] = ()  # Pythia settings beyond the tune (MPI, fragmentation)
    smearing: Smearing | None = None
    pileup: Pileup | None = None
    derived_from: str | None = None  # smeared samples come from this configuration's test jets
    jets_per_class: int = 1200
    seed_signal: int = 0
    seed_background: int = 0
    seed_smearing: int = 0
    background: str = "qcd-dijet"  # a key of BACKGROUNDS

    @property
    def generated(self) -> bool:
        return self.derived_from is None

    @property
    def tune_name(self) -> str:
        name = TUNES[self.tune_pp]
        return "; ".join((name, *self.extra_settings))

    def kinematic_range(self) -> str:
        return f"{self.pt_min:g} < pT < {self.pt_max:g} GeV, |eta| < {JET_ETA_MAX:g}"

    def pt_hat_range(self) -> tuple[float, float]:
        # Hard-process pT window around the jet window: jets lose some pT out of the cone and
        # recoil, so the window is widened below and above.
        return self.pt_min - 40.0, self.pt_max + 60.0

    def pythia_settings(self, process: str, seed: int) -> list[str]:
        """The exact settings handed to Pythia for the signal ("signal") or background process."""
        lo, hi = self.pt_hat_range()
        common = [
            f"Beams:eCM = {self.sqrt_s_tev * 1000:g}",
            f"Tune:pp = {self.tune_pp}",
            f"PhaseSpace:pTHatMin = {lo:g}",
            f"PhaseSpace:pTHatMax = {hi:g}",
            "Random:setSeed = on",
            f"Random:seed = {seed}",
            "Next:numberCount = 0",
            "Print:quiet = on",
            *self.extra_settings,
        ]
        if process == "signal":
            return [*common, "WeakDoubleBoson:ffbar2WW = on", "24:onMode = off", "24:onIfAny = 1 2 3 4 5"]
        return [*common, *BACKGROUNDS[self.background][0]]

    def _setting(self, name: str) -> str | None:
        for line in self.extra_settings:
            key, _, value = line.partition("=")
            if key.strip() == name:
                return value.strip()
        return None

    def parameters(self) -> dict[str, float]:
        """The numeric knobs as signed numbers (catalog conditions.parameters), where they are known.

        Pythia settings keep their Pythia names (so the estimator can tell a tune setting that is
        also recorded as a number); detector_* parameters describe the detector simulation. aLund
        is recorded only under the Monash tune, whose value is known; another tune moves it by an
        amount not recorded here, so it stays out (the tune then differs categorically)."""
        params: dict[str, float] = {
            "jet_pt_centre_gev": (self.pt_min + self.pt_max) / 2,
            "detector_pt_resolution": self.smearing.pt_resolution if self.smearing else 0.0,
            "detector_angle_resolution": self.smearing.angle_resolution if self.smearing else 0.0,
            "PartonLevel:MPI": 0.0 if (self._setting("PartonLevel:MPI") or "on").lower() in ("off", "false", "0")
            else 1.0,
        }
        a_lund = self._setting("StringZ:aLund")
        if a_lund is not None:
            params["StringZ:aLund"] = float(a_lund)
        elif self.tune_pp == 14:
            params["StringZ:aLund"] = MONASH_ALUND
        return params

    def detector_simulation(self) -> str:
        # Pile-up is not detector simulation: it is recorded as pileup_mean (and in the description).
        return self.smearing.describe() if self.smearing else "none (generator level)"

    def conditions(self) -> dict[str, object]:
        """The catalog conditions of this configuration's dataset version."""
        return {
            "sqrt_s_tev": self.sqrt_s_tev,
            "pileup_mean": self.pileup.mean if self.pileup else 0,
            "generator": GENERATOR,
            "tune": self.tune_name,
            "detector_simulation": self.detector_simulation(),
            "kinematic_range": self.kinematic_range(),
            "parameters": self.parameters(),
        }

    def describe(self) -> str:
        parts = [
            f"W->qq (pp->WW, hadronic W) vs {BACKGROUNDS[self.background][1]} from {GENERATOR} "
            f"at sqrt(s) = {self.sqrt_s_tev:g} TeV,",
            f"tune {self.tune_name}, anti-kT R={JET_R:g} jets (FastJet) with {self.kinematic_range()}.",
        ]
        if self.smearing or self.pileup:
            what = "; ".join(x.describe() for x in (self.smearing, self.pileup) if x is not None)
            parts.append(f"{what}, applied to the test jets of {self.derived_from}.")
        else:
            parts.append("Generator-level stable visible particles, no pile-up.")
        return " ".join(parts)


@dataclass(frozen=True)
class Study:
    configs: tuple[StudyConfig, ...]
    base_id: str = "base"
    train_fraction: float = 0.7  # of the base jets; the rest is the base test set
    extra: dict[str, object] = field(default_factory=dict)

    def by_id(self, ident: str) -> StudyConfig:
        for c in self.configs:
            if c.id == ident:
                return c
        raise KeyError(ident)

    @property
    def base(self) -> StudyConfig:
        return self.by_id(self.base_id)


def default_study() -> Study:
    """The configurations `make study` generates (sizes fit a 2-core machine: under an hour on one core).

    Generated configurations come after the base and the ones derived from its test jets, so an
    interrupted generation (raw jets are cached) resumes where it stopped."""
    small = Smearing(pt_resolution=0.05, angle_resolution=0.01, pt_threshold_gev=0.5)
    medium = Smearing(pt_resolution=0.10, angle_resolution=0.02, pt_threshold_gev=1.0)
    large = Smearing(pt_resolution=0.20, angle_resolution=0.04, pt_threshold_gev=2.0)
    n = 2000  # jets per class of a shifted configuration (the base test split has 2400 jets in all)
    return Study(configs=(
        StudyConfig("base", "Base: 13 TeV, Monash, pT 300-400 GeV", jets_per_class=4000,
                    seed_signal=1001, seed_background=1002),
        StudyConfig("smear-small", "small detector-like smearing", smearing=small, derived_from="base",
                    seed_smearing=8001),
        StudyConfig("smear-medium", "medium detector-like smearing", smearing=medium, derived_from="base",
                    seed_smearing=8501),
        StudyConfig("smear-large", "large detector-like smearing", smearing=large, derived_from="base",
                    seed_smearing=9001),
        StudyConfig("pu10", "pile-up-like overlay, mean 10", pileup=Pileup(10, 5000, 9501), derived_from="base",
                    seed_smearing=9502),
        StudyConfig("pu20", "pile-up-like overlay, mean 20", pileup=Pileup(20, 5000, 9501), derived_from="base",
                    seed_smearing=9503),
        StudyConfig("sqrts8", "sqrt(s) = 8 TeV", sqrt_s_tev=8.0, jets_per_class=n,
                    seed_signal=2001, seed_background=2002),
        StudyConfig("pt400", "jet pT 400-500 GeV", pt_min=400.0, pt_max=500.0, jets_per_class=n,
                    seed_signal=3001, seed_background=3002),
        StudyConfig("pt500", "jet pT 500-600 GeV", pt_min=500.0, pt_max=600.0, jets_per_class=n,
                    seed_signal=4001, seed_background=4002),
        StudyConfig("tune-a14", "ATLAS A14 tune", tune_pp=21, jets_per_class=n, seed_signal=5001, seed_background=5002),
        StudyConfig("mpi-off", "multi-parton interactions off", extra_settings=("PartonLevel:MPI = off",),
                    jets_per_class=n, seed_signal=6001, seed_background=6002),
        StudyConfig("alund03", "Lund fragmentation aLund = 0.3 (Monash 0.68)",
                    extra_settings=("StringZ:aLund = 0.3",), jets_per_class=n, seed_signal=7001, seed_background=7002),
        StudyConfig("pt200", "jet pT 200-300 GeV", pt_min=200.0, pt_max=300.0, jets_per_class=n,
                    seed_signal=10001, seed_background=10002),
        StudyConfig("sqrts10", "sqrt(s) = 10 TeV", sqrt_s_tev=10.0, jets_per_class=n,
                    seed_signal=11001, seed_background=11002),
        StudyConfig("alund05", "Lund fragmentation aLund = 0.5 (Monash 0.68)",
                    extra_settings=("StringZ:aLund = 0.5",), jets_per_class=n, seed_signal=12001, seed_background=12002),
        StudyConfig("pt600", "jet pT 600-700 GeV", pt_min=600.0, pt_max=700.0, jets_per_class=n,
                    seed_signal=13001, seed_background=13002),
        StudyConfig("sqrts14", "sqrt(s) = 14 TeV", sqrt_s_tev=14.0, jets_per_class=n,
                    seed_signal=14001, seed_background=14002),
    ))
