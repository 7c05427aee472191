"""The ship-it lab's manifest rules on YAML written here: each names the file, the document,
the YAML path and its line, in a manifest author's words; correct variants pass."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from course.fences import split_fences
from labs.ship_it import manifests as k8s

REPO = Path(__file__).resolve().parents[2]

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: messages
spec:
  replicas: 2
  selector:
    matchLabels:
      app: messages
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
        app: messages
    spec:
      containers:
        - name: messages
          image: messages:1
          ports:
            - name: http
              containerPort: 8000
          env:
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: messages-db
                  key: url
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
            limits:
              cpu: 500m
              memory: 256Mi
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
          readinessProbe:
            httpGet:
              path: /readyz
              port: 8000
"""
RULES = [k8s.replicas_problems, k8s.selector_problems, k8s.rolling_update_problems,
         k8s.probe_problems, k8s.resource_problems]


def submission(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "k8s" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return tmp_path


def problems(tmp_path: Path, text: str) -> list[str]:
    """Every rule's problems with the Deployment `text` as k8s/deployment.yaml."""
    manifests = k8s.load_manifests(submission(tmp_path, {"deployment.yaml": text}))
    deployment = k8s.the_deployment(manifests)
    found = [problem for rule in RULES for problem in rule(deployment)]
    return found + k8s.secret_problems(manifests, deployment)


def test_a_deployment_that_follows_every_rule_has_no_problems(tmp_path: Path) -> None:
    assert problems(tmp_path, DEPLOYMENT) == []


def test_chapter_8_teaches_a_deployment_that_follows_every_rule_the_lab_grades(
        tmp_path: Path) -> None:
    """The chapter's Deployment manifest, as printed, passes the lab's manifest checks: the
    chapter and the lab teach one contract."""
    chapter = REPO / "content" / "08-deployment.md"
    deployments = [block.inner for block in split_fences(chapter.read_text(encoding="utf-8"))
                   if block.lang == "yaml" and "kind: Deployment" in block.inner]
    assert len(deployments) == 1, f"expected one Deployment in {chapter.name}"
    assert problems(tmp_path, deployments[0]) == []


@pytest.mark.parametrize(("old", "new", "problem"), [
    ("  replicas: 2\n", "  replicas: 1\n", "k8s/deployment.yaml, document 1, spec.replicas "
     "(line 6): expected at least 2, got 1"),
    ("  replicas: 2\n", "", "k8s/deployment.yaml, document 1, spec.replicas (line 5): "
     "missing, so Kubernetes runs 1 pod; expected at least 2"),
    ("  replicas: 2\n", "  replicas: two\n", 'spec.replicas (line 6): expected at least 2, '
     'got "two"'),
    ("    matchLabels:\n      app: messages\n", "    matchLabels:\n      app: message\n",
     'spec.selector.matchLabels.app (line 9): expected the pods to carry app: "message" '
     '(spec.template.metadata.labels), got "messages"'),
    ("      maxUnavailable: 0\n", "      maxUnavailable: 1\n",
     "spec.strategy.rollingUpdate.maxUnavailable (line 13): expected 0, got 1"),
    ("      maxUnavailable: 0\n", "      maxUnavailable: 25%\n",
     'spec.strategy.rollingUpdate.maxUnavailable (line 13): expected 0, got "25%"'),
    ("      maxUnavailable: 0\n", "", "spec.strategy.rollingUpdate.maxUnavailable (line 12): "
     "missing, so a rollout may take 25% of the pods out of service; expected 0"),
    ("      maxSurge: 1\n", "      maxSurge: 0%\n", 'spec.strategy.rollingUpdate.maxSurge '
     '(line 14): expected at least 1 (with maxUnavailable 0 and no surge a rollout cannot '
     'start a single new pod), got "0%"'),
    ("    type: RollingUpdate\n", "    type: Recreate\n", 'spec.strategy.type (line 11): '
     'expected RollingUpdate, got "Recreate" (which stops every pod before starting new '
     'ones)'),
    ("              path: /readyz\n", "              path: /healthz\n",
     'spec.template.spec.containers[0].readinessProbe.httpGet.path (line 45): expected '
     '/readyz, got "/healthz"'),
    ("              port: http\n", "              port: 8080\n",
     "spec.template.spec.containers[0].livenessProbe.httpGet.port (line 42): expected one of "
     'the container\'s ports (8000 or "http"), got 8080'),
    ("          readinessProbe:\n            httpGet:\n              path: /readyz\n"
     "              port: 8000\n", "", "spec.template.spec.containers[0].readinessProbe."
     "httpGet (line 21): missing; expected an httpGet readinessProbe of /readyz"),
    ("            limits:\n              cpu: 500m\n              memory: 256Mi\n", "",
     "spec.template.spec.containers[0].resources.limits (line 32): missing; expected limits "
     "of cpu and memory, such as cpu: 250m and memory: 256Mi"),
    ("              memory: 128Mi\n", "              memory: 1Gi\n",
     "spec.template.spec.containers[0].resources.requests.memory (line 35): expected at "
     'most the limit "256Mi", got "1Gi"'),
    ("              cpu: 100m\n", "              cpu: lots\n",
     "spec.template.spec.containers[0].resources.requests.cpu (line 34): expected a quantity "
     'such as 250m, got "lots"'),
    ("              cpu: 500m\n", "", "spec.template.spec.containers[0].resources.limits.cpu "
     "(line 36): missing; expected a cpu limit such as 250m"),
    ("              valueFrom:\n                secretKeyRef:\n                  name: "
     "messages-db\n                  key: url\n",
     "              value: postgresql://u:pw@db/messages\n",
     "spec.template.spec.containers[0].env[0].value (line 28): expected DATABASE_URL from "
     "valueFrom.secretKeyRef, got the value written inline"),
    ("                secretKeyRef:\n", "                configMapKeyRef:\n",
     "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef (line 28): expected "
     "DATABASE_URL from valueFrom.secretKeyRef, got valueFrom with configMapKeyRef"),
    ("                  key: url\n", "", "spec.template.spec.containers[0].env[0].valueFrom."
     "secretKeyRef.key (line 29): expected the Secret's key, got none"),
    ("            - name: DATABASE_URL\n", "            - name: DB_URL\n",
     "spec.template.spec.containers[0].env (line 26): expected an entry DATABASE_URL with "
     "valueFrom.secretKeyRef, got none"),
])
def test_each_mistake_is_named_with_file_document_path_and_line(tmp_path: Path, old: str,
                                                                new: str, problem: str) -> None:
    assert DEPLOYMENT.count(old) == 1, old
    found = problems(tmp_path, DEPLOYMENT.replace(old, new))
    assert len(found) == 1, found
    assert problem in found[0], found[0]
    assert found[0].startswith("k8s/deployment.yaml, document 1, ")


def test_percentages_named_ports_and_flow_style_are_understood(tmp_path: Path) -> None:
    flow = DEPLOYMENT.replace("      maxUnavailable: 0\n      maxSurge: 1\n",
                              '      maxUnavailable: "0%"\n      maxSurge: 50%\n').replace(
        "            requests:\n              cpu: 100m\n              memory: 128Mi\n",
        "            requests: {cpu: 0.1, memory: 134217728}\n")
    assert problems(tmp_path, flow) == []


def test_other_documents_and_empty_ones_are_read_around_the_deployment(tmp_path: Path) -> None:
    folder = submission(tmp_path, {
        "a-service.yml": "---\nkind: Service\napiVersion: v1\n---\n",
        "b-deployment.yaml": "# the app\n" + DEPLOYMENT})
    manifests = k8s.load_manifests(folder)
    assert [(m.file, m.index, m.data["kind"]) for m in manifests] == [
        ("k8s/a-service.yml", 1, "Service"), ("k8s/b-deployment.yaml", 1, "Deployment")]
    assert k8s.the_deployment(manifests).at(("spec", "replicas")) == (
        "k8s/b-deployment.yaml, document 1, spec.replicas (line 7)")


def test_a_committed_secret_with_values_fails_the_secret_rule(tmp_path: Path) -> None:
    folder = submission(tmp_path, {"deployment.yaml": DEPLOYMENT + (
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: messages-db}\n"
        "stringData: {url: 'postgresql://u:pw@db/x'}\n")})
    manifests = k8s.load_manifests(folder)
    [problem] = k8s.secret_problems(manifests, k8s.the_deployment(manifests))
    assert problem.startswith("k8s/deployment.yaml, document 2: a Secret with its values is "
                              "committed")


@pytest.mark.parametrize(("files", "problem"), [
    ({}, "expected your Kubernetes manifests in k8s/*.yaml, found no k8s/ folder"),
    ({"notes.txt": "replicas: 3"}, "found no .yaml or .yml file in k8s/"),
    ({"deployment.yaml": "kind: Deployment\nspec: [unclosed\n"},
     "k8s/deployment.yaml:3: not valid YAML: expected ',' or ']', but got '<stream end>'"),
    ({"deployment.yaml": "- just\n- a list\n"}, "k8s/deployment.yaml, document 1: expected a "
     "mapping with apiVersion and kind, got a list"),
    ({"service.yaml": "kind: Service\n"}, 'expected exactly one Deployment (kind: Deployment) '
     'in k8s/, found 0; the documents are: "Service" (k8s/service.yaml, document 1)'),
    ({"a.yaml": DEPLOYMENT, "b.yaml": DEPLOYMENT}, "expected exactly one Deployment (kind: "
     "Deployment) in k8s/, found 2"),
    ({"d.yaml": DEPLOYMENT.replace("apps/v1", "extensions/v1beta1")},
     'k8s/d.yaml, document 1, apiVersion (line 1): expected apps/v1, got "extensions/v1beta1"'),
    ({"d.yaml": DEPLOYMENT.split("      containers:")[0] + "      containers: []\n"},
     "spec.template.spec.containers (line 20): expected a list of containers, got an empty "
     "list"),
])
def test_manifests_that_cannot_be_read_as_one_deployment_say_why(
        tmp_path: Path, files: dict[str, str], problem: str) -> None:
    with pytest.raises(k8s.ManifestProblem) as caught:
        k8s.the_deployment(k8s.load_manifests(submission(tmp_path, files)))
    assert problem in str(caught.value)


def test_aliases_that_expand_without_end_are_refused(tmp_path: Path) -> None:
    bomb = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for level in "bcdefg":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [{', '.join(['*' + previous] * 9)}]\n"
    folder = submission(tmp_path, {"bomb.yaml": bomb})
    with pytest.raises(k8s.ManifestProblem, match="more than 20000 YAML nodes"):
        k8s.load_manifests(folder)


@pytest.mark.parametrize(("value", "number"), [
    ("250m", 0.25), ("0.5", 0.5), (2, 2.0), ("256Mi", 256 * 2**20), ("1G", 1e9),
    ("1.5Gi", 1.5 * 2**30), ("lots", None), (True, None), ("", None)])
def test_kubernetes_quantities(value: object, number: float | None) -> None:
    assert k8s.quantity(value) == number
