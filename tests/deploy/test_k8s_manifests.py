"""k8s/: every document is valid against the Kubernetes API schema (the official client's
models), the web and worker Deployments follow the rules chapter 8's ship-it lab grades
(replicas, selector, maxUnavailable 0, probes, requests and limits, DATABASE_URL from a
secretKeyRef, no Secret committed), and the objects refer to each other correctly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from tests.deploy.k8s_schema import problems
from webapp.config import REPO_ROOT

# the lab's own reader and rules, loaded from its folder (a lab folder is no package)
spec = importlib.util.spec_from_file_location("ship_it_manifests",
                                              REPO_ROOT / "labs/ship_it/manifests.py")
assert spec and spec.loader
manifests_module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
spec.loader.exec_module(manifests_module)
MANIFESTS = manifests_module.load_manifests(REPO_ROOT)


def of_kind(kind: str) -> list:  # type: ignore[type-arg]
    return [m for m in MANIFESTS if m.data.get("kind") == kind]


def by_name(kind: str) -> dict:  # type: ignore[type-arg]
    return {m.data["metadata"]["name"]: m for m in of_kind(kind)}


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda m: f"{m.file}#{m.index}")
def test_every_document_matches_the_kubernetes_schema(manifest) -> None:  # type: ignore[no-untyped-def]
    assert problems(manifest.data) == []
    assert manifest.data["metadata"].get("namespace", "archlab") == "archlab"


def test_the_schema_check_refuses_what_the_api_server_would() -> None:
    web = dict(by_name("Deployment")["archlab-web"].data)
    assert problems({**web, "spec": {**web["spec"], "replica": 2}}) == [
        "Deployment.spec.replica: no such field in V1DeploymentSpec"]
    assert problems({**web, "spec": {**web["spec"], "replicas": "two"}}) == [
        "Deployment.spec.replicas: expected int, got 'two'"]
    assert problems({"apiVersion": "apps/v1", "kind": "Deploymnet"})


@pytest.mark.parametrize("name", ["archlab-web", "archlab-worker"])
def test_deployments_follow_the_ship_it_rules(name: str) -> None:
    deployment = by_name("Deployment")[name]
    rules = manifests_module
    found = [*rules.replicas_problems(deployment), *rules.selector_problems(deployment),
             *rules.rolling_update_problems(deployment), *rules.resource_problems(deployment),
             *rules.secret_problems(MANIFESTS, deployment)]
    if name == "archlab-web":
        found += rules.probe_problems(deployment)
    assert found == []


def test_objects_refer_to_what_exists() -> None:
    services, deployments = by_name("Service"), by_name("Deployment")
    assert {"db", "redis", "archlab-web"} <= set(services)
    web_labels = deployments["archlab-web"].data["spec"]["template"]["metadata"]["labels"]
    assert services["archlab-web"].data["spec"]["selector"].items() <= web_labels.items()
    [ingress] = of_kind("Ingress")
    backends = {path["backend"]["service"]["name"] for rule in ingress.data["spec"]["rules"]
                for path in rule["http"]["paths"]}
    assert backends <= set(services)
    pods = [*(d.data["spec"]["template"]["spec"] for d in of_kind("Deployment")),
            *(j.data["spec"]["template"]["spec"] for j in of_kind("Job"))]
    config_maps = set(by_name("ConfigMap"))
    for pod in pods:
        for container in pod["containers"]:
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps
            secrets = {e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"]
                       if "valueFrom" in e}
            assert secrets == {"archlab"}, "one Secret, created outside the repository"
    assert len({c["image"] for pod in pods for c in pod["containers"]}) == 1


def test_workers_scale_on_the_queue_and_only_on_grader_nodes() -> None:
    worker = by_name("Deployment")["archlab-worker"].data["spec"]
    pod = worker["template"]["spec"]
    assert pod["nodeSelector"] == {"archlab.io/grader": "true"}
    assert pod["hostNetwork"] is True and pod["dnsPolicy"] == "ClusterFirstWithHostNet"
    assert pod["containers"][0]["command"] == ["archlab", "worker"]
    web_pod = by_name("Deployment")["archlab-web"].data["spec"]["template"]["spec"]
    assert "volumes" not in web_pod, "the web gets no engine socket"
    assert Path(REPO_ROOT / "k8s").is_dir()
