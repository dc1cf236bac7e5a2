"""deploy/kubernetes/: every manifest validated offline against the Kubernetes API schemas
(kubernetes-validate, strict: unknown fields fail), and held together: the kustomization lists every
manifest, selectors pick the pod template, probes hit /healthz, and every setting named is a real one."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from graphcat.settings import documented_settings

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "deploy" / "kubernetes"
K8S_VERSION = "1.30.0"  # the oldest Kubernetes release the manifests promise to work on
NOT_MANIFESTS = {"kustomization.yaml", "neo4j-values.yaml"}
SETTINGS = {name for name, _, _ in documented_settings()}
OTHER_ENV = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "HF_HUB_OFFLINE"}


def _manifests() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(FOLDER.glob("*.yaml")):
        if path.name not in NOT_MANIFESTS:
            (doc,) = list(yaml.safe_load_all(path.read_text()))
            out[path.name] = doc
    return out


MANIFESTS = _manifests()


def _kind(kind: str) -> dict[str, Any]:
    (doc,) = [d for d in MANIFESTS.values() if d["kind"] == kind]
    return doc


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_manifest_is_valid_against_the_kubernetes_schema(name: str) -> None:
    kubernetes_validate.validate(MANIFESTS[name], K8S_VERSION, strict=True)


def test_the_validator_would_catch_a_mistake() -> None:
    broken = copy.deepcopy(_kind("Deployment"))
    broken["spec"]["replicass"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, K8S_VERSION, strict=True)
    wrong_type = copy.deepcopy(_kind("Service"))
    wrong_type["spec"]["ports"][0]["port"] = "eighty"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong_type, K8S_VERSION, strict=True)


def test_kustomization_lists_every_manifest_in_one_namespace() -> None:
    kustomization = yaml.safe_load((FOLDER / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(MANIFESTS)
    namespace = kustomization["namespace"]
    for name, doc in MANIFESTS.items():
        if doc["kind"] == "Namespace":
            assert doc["metadata"]["name"] == namespace
        else:
            assert doc["metadata"]["namespace"] == namespace, name


def test_deployment_is_ready_on_healthz_and_reads_its_settings() -> None:
    deployment = _kind("Deployment")
    spec = deployment["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert spec["replicas"] >= 2 and spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    (container,) = spec["template"]["spec"]["containers"]
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz", probe
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    config = _kind("ConfigMap")
    assert ports["http"] == int(config["data"]["GRAPHCAT_PORT"])
    refs = {next(iter(r.values()))["name"] for r in container["envFrom"]}
    assert refs == {config["metadata"]["name"], _kind("Secret")["metadata"]["name"]}
    # the read-only root filesystem: every folder graphcat writes must be on a mounted volume
    mounts = [m["mountPath"] for m in container["volumeMounts"]]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    for key in ("GRAPHCAT_INDEX_DIR", "GRAPHCAT_ENCODER_DIR", "GRAPHCAT_ARTIFACT_CACHE"):
        assert any(config["data"][key].startswith(m + "/") for m in mounts), key


def test_every_setting_named_is_a_real_setting() -> None:
    named = set(_kind("ConfigMap")["data"]) | set(_kind("Secret")["stringData"])
    unknown = named - SETTINGS - OTHER_ENV
    assert not unknown, f"not graphcat settings: {sorted(unknown)}"
    assert "GRAPHCAT_NEO4J_PASSWORD" in _kind("Secret")["stringData"]
    assert "GRAPHCAT_NEO4J_PASSWORD" not in _kind("ConfigMap")["data"]
    assert _kind("ConfigMap")["data"]["GRAPHCAT_ARTIFACT_ROOT"].startswith("s3://"), "replicas share artifacts"


def test_service_and_ingress_reach_the_pods() -> None:
    service = _kind("Service")
    template_labels = _kind("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= template_labels.items()
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    backend = _kind("Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] == service["spec"]["ports"][0]["name"]
    budget = _kind("PodDisruptionBudget")["spec"]
    assert budget["selector"]["matchLabels"].items() <= template_labels.items()


def test_neo4j_helm_values_match_the_uri_and_the_compose_image() -> None:
    values = yaml.safe_load((FOLDER / "neo4j-values.yaml").read_text())
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert values["neo4j"]["edition"] == "community"
    assert values["image"]["customImage"] == compose["services"]["neo4j"]["image"]
    assert f"//{values['neo4j']['name']}." in _kind("ConfigMap")["data"]["GRAPHCAT_NEO4J_URI"]
