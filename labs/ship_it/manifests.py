"""The learner's Kubernetes manifests (k8s/*.yaml), read statically with the line of every
value, and the rules the lab's checks apply to their Deployment.

Nothing is applied to a cluster: the files are parsed with PyYAML's safe loader, and each
rule returns problems that name the file, the document's number in it, the YAML path and
its line - `k8s/deployment.yaml, document 1, spec.replicas (line 9): expected at least 2,
got 1` - in the words a manifest author uses, never Python's.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

FOLDER = "k8s"
MAX_NODES = 20_000  # aliases can make a small file expand enormously
MISSING: Any = object()
Path_ = tuple[str | int, ...]


class ManifestProblem(Exception):
    """The manifests cannot be read as one Deployment; str() says where and why."""


@dataclass(frozen=True)
class Manifest:
    """One YAML document of one file: its data, and the line where each path is written."""

    file: str
    index: int
    data: Any
    lines: dict[Path_, int]

    def get(self, path: Path_) -> Any:
        """The value at `path`, or MISSING when it (or a parent) is absent or not a container."""
        value = self.data
        for key in path:
            in_list = isinstance(key, int) and isinstance(value, list) and key < len(value)
            in_mapping = isinstance(key, str) and isinstance(value, dict) and key in value
            if not (in_list or in_mapping):
                return MISSING
            value = value[key]
        return value

    def at(self, path: Path_) -> str:
        """`file, document N, the.path (line L)`: L is the path's line, or the line of the
        nearest parent that is written when the path itself is missing."""
        where = f"{self.file}, document {self.index}"
        if not path:
            return where
        line = next((self.lines[path[:depth]] for depth in range(len(path), -1, -1)
                     if path[:depth] in self.lines), 1)
        return f"{where}, {dotted(path)} (line {line})"


def dotted(path: Path_) -> str:
    """spec.template.spec.containers[0].livenessProbe"""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def shown(value: Any) -> str:
    """A value as YAML/JSON writes it: "messages", 3, true, none."""
    if value is MISSING or value is None:
        return "none"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    return json.dumps(value)


# --- reading ------------------------------------------------------------------------------

def load_manifests(submission: Path) -> list[Manifest]:
    """Every non-empty document of k8s/*.yaml and k8s/*.yml, in file name order."""
    folder = submission / FOLDER
    if not folder.is_dir():
        raise ManifestProblem(f"expected your Kubernetes manifests in {FOLDER}/*.yaml, found "
                              f"no {FOLDER}/ folder")
    files = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    if not files:
        raise ManifestProblem(f"expected your Kubernetes manifests in {FOLDER}/*.yaml, found "
                              f"no .yaml or .yml file in {FOLDER}/")
    manifests = []
    for path in files:
        name = f"{FOLDER}/{path.name}"
        manifests += _documents(name, path.read_text(encoding="utf-8", errors="replace"))
    return manifests


def _documents(name: str, text: str) -> list[Manifest]:
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ManifestProblem(f"{name}:{line}: not valid YAML: {problem}") from None
    found = []
    for index, node in enumerate(nodes, start=1):
        lines: dict[Path_, int] = {}
        data = None if node is None else _Builder(name, lines).build(node, ())
        if data is None:
            continue  # an empty document, e.g. after a trailing ---
        if not isinstance(data, dict):
            raise ManifestProblem(f"{name}, document {index}: expected a mapping with "
                                  f"apiVersion and kind, got {shown(data)}")
        found.append(Manifest(name, index, data, lines))
    return found


class _Builder:
    """Plain Python from a composed YAML node, noting each path's line on the way."""

    def __init__(self, name: str, lines: dict[Path_, int]) -> None:
        self.name = name
        self.lines = lines
        self.nodes = 0
        self.scalars = SafeConstructor()

    def build(self, node: Node, path: Path_) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ManifestProblem(f"{self.name}: more than {MAX_NODES} YAML nodes (aliases "
                                  "that expand without end?)")
        self.lines.setdefault(path, node.start_mark.line + 1)  # a key's line when it has one
        if isinstance(node, MappingNode):
            mapping = {}
            for key_node, value_node in node.value:
                key = (self.scalars.construct_object(key_node)
                       if isinstance(key_node, ScalarNode) else None)
                if not isinstance(key, str):
                    raise ManifestProblem(f"{self.name}:{key_node.start_mark.line + 1}: "
                                          "expected a text key")
                self.lines[(*path, key)] = key_node.start_mark.line + 1
                mapping[key] = self.build(value_node, (*path, key))
            return mapping
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, index)) for index, item in enumerate(node.value)]
        return self.scalars.construct_object(node)


# --- the Deployment -----------------------------------------------------------------------

CONTAINERS: Path_ = ("spec", "template", "spec", "containers")


def the_deployment(manifests: list[Manifest]) -> Manifest:
    """The one Deployment (apps/v1) with a list of containers; ManifestProblem otherwise."""
    deployments = [m for m in manifests if m.data.get("kind") == "Deployment"]
    if len(deployments) != 1:
        kinds = ", ".join(f"{shown(m.data.get('kind', MISSING))} ({m.file}, document "
                          f"{m.index})" for m in manifests)
        raise ManifestProblem(f"expected exactly one Deployment (kind: Deployment) in "
                              f"{FOLDER}/, found {len(deployments)}; the documents are: {kinds}")
    [deployment] = deployments
    if deployment.get(("apiVersion",)) != "apps/v1":
        raise ManifestProblem(f"{deployment.at(('apiVersion',))}: expected apps/v1, got "
                              f"{shown(deployment.get(('apiVersion',)))}")
    containers = deployment.get(CONTAINERS)
    if not (isinstance(containers, list) and containers
            and all(isinstance(c, dict) for c in containers)):
        raise ManifestProblem(f"{deployment.at(CONTAINERS)}: expected a list of containers, "
                              f"got {shown(containers)}")
    return deployment


def containers(deployment: Manifest) -> list[tuple[Path_, dict[str, Any]]]:
    return [((*CONTAINERS, index), container)
            for index, container in enumerate(deployment.get(CONTAINERS))]


# --- the rules: each returns its problems, [] when the Deployment follows it ----------------

def replicas_problems(deployment: Manifest) -> list[str]:
    path = ("spec", "replicas")
    value = deployment.get(path)
    if value is MISSING:
        return [f"{deployment.at(path)}: missing, so Kubernetes runs 1 pod; expected at "
                "least 2"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 2:
        return [f"{deployment.at(path)}: expected at least 2, got {shown(value)}"]
    return []


def selector_problems(deployment: Manifest) -> list[str]:
    path = ("spec", "selector", "matchLabels")
    selector = deployment.get(path)
    labels_path = ("spec", "template", "metadata", "labels")
    labels = deployment.get(labels_path)
    if not isinstance(selector, dict) or not selector:
        return [f"{deployment.at(path)}: expected labels that select the pods, got "
                f"{shown(selector)}"]
    if not isinstance(labels, dict):
        labels = {}
    return [f"{deployment.at((*path, key))}: expected the pods to carry {key}: {shown(value)} "
            f"({dotted(labels_path)}), got {shown(labels.get(key, MISSING))}"
            for key, value in selector.items() if labels.get(key, MISSING) != value]


def rolling_update_problems(deployment: Manifest) -> list[str]:
    strategy = ("spec", "strategy")
    kind = deployment.get((*strategy, "type"))
    if kind not in (MISSING, "RollingUpdate"):
        return [f"{deployment.at((*strategy, 'type'))}: expected RollingUpdate, got "
                f"{shown(kind)} (which stops every pod before starting new ones)"]
    problems = []
    unavailable = (*strategy, "rollingUpdate", "maxUnavailable")
    value = deployment.get(unavailable)
    if value is MISSING:
        problems.append(f"{deployment.at(unavailable)}: missing, so a rollout may take 25% of "
                        "the pods out of service; expected 0")
    elif _amount(value) != 0:
        problems.append(f"{deployment.at(unavailable)}: expected 0, got {shown(value)}")
    surge = (*strategy, "rollingUpdate", "maxSurge")
    value = deployment.get(surge)
    if value is not MISSING and _amount(value) == 0:
        problems.append(f"{deployment.at(surge)}: expected at least 1 (with maxUnavailable 0 "
                        f"and no surge a rollout cannot start a single new pod), got "
                        f"{shown(value)}")
    return problems


def _amount(value: Any) -> float | None:
    """An int-or-percent field's number (1, "25%"), None when it is neither."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d+%", value):
        return int(value[:-1])
    return None


PROBES = (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"))


def probe_problems(deployment: Manifest) -> list[str]:
    problems = []
    for path, container in containers(deployment):
        ports = _ports(container)
        for probe, wanted in PROBES:
            get = (*path, probe, "httpGet")
            if deployment.get(get) is MISSING:
                problems.append(f"{deployment.at(get)}: missing; expected an httpGet "
                                f"{probe} of {wanted}")
                continue
            got = deployment.get((*get, "path"))
            if got != wanted:
                problems.append(f"{deployment.at((*get, 'path'))}: expected {wanted}, got "
                                f"{shown(got)}")
            port = deployment.get((*get, "port"))
            if port not in ports:
                known = " or ".join(shown(p) for p in ports) or "none declared"
                problems.append(f"{deployment.at((*get, 'port'))}: expected one of the "
                                f"container's ports ({known}), got {shown(port)}")
    return problems


def _ports(container: dict[str, Any]) -> list[Any]:
    found = []
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            found += [port[key] for key in ("containerPort", "name") if key in port]
    return found


_QUANTITY = re.compile(r"(\d+(?:\.\d+)?|\.\d+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?")
_FACTORS = {None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15,
            "E": 1e18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50,
            "Ei": 2**60}


def quantity(value: Any) -> float | None:
    """A Kubernetes quantity ("250m", "256Mi", 1) as a number, None when it is not one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    match = _QUANTITY.fullmatch(value) if isinstance(value, str) else None
    return float(match.group(1)) * _FACTORS[match.group(2)] if match else None


def resource_problems(deployment: Manifest) -> list[str]:
    problems = []
    for path, _ in containers(deployment):
        resources = (*path, "resources")
        absent = [kind for kind in ("requests", "limits")
                  if not isinstance(deployment.get((*resources, kind)), dict)]
        for kind in absent:
            problems.append(f"{deployment.at((*resources, kind))}: missing; expected {kind} "
                            "of cpu and memory, such as cpu: 250m and memory: 256Mi")
        for resource, example in (("cpu", "250m"), ("memory", "256Mi")):
            amounts = {}
            for kind in ("requests", "limits"):
                where = (*resources, kind, resource)
                value = deployment.get(where)
                if kind in absent:
                    continue
                if value is MISSING:
                    problems.append(f"{deployment.at(where)}: missing; expected a {resource} "
                                    f"{kind[:-1]} such as {example}")
                elif quantity(value) is None:
                    problems.append(f"{deployment.at(where)}: expected a quantity such as "
                                    f"{example}, got {shown(value)}")
                else:
                    amounts[kind] = (value, quantity(value))
            if len(amounts) == 2 and amounts["requests"][1] > amounts["limits"][1]:
                problems.append(f"{deployment.at((*resources, 'requests', resource))}: "
                                f"expected at most the limit {shown(amounts['limits'][0])}, "
                                f"got {shown(amounts['requests'][0])}")
    return problems


SECRET_VARIABLE = "DATABASE_URL"  # noqa: S105 - the name of the variable, not a password


def secret_problems(manifests: list[Manifest], deployment: Manifest) -> list[str]:
    problems = [f"{m.at(())}: a Secret with its values is committed (kind: Secret with data "
                f"or stringData); create it outside the repository (kubectl create secret "
                f"generic ...) and reference it" for m in manifests
                if m.data.get("kind") == "Secret" and (m.data.get("data")
                                                       or m.data.get("stringData"))]
    found = False
    for path, container in containers(deployment):
        env = container.get("env")
        for index, entry in enumerate(env if isinstance(env, list) else []):
            if not isinstance(entry, dict) or entry.get("name") != SECRET_VARIABLE:
                continue
            found = True
            problems += _secret_reference_problems(deployment, (*path, "env", index), entry)
    if not found:
        first = containers(deployment)[0][0]
        problems.append(f"{deployment.at((*first, 'env'))}: expected an entry {SECRET_VARIABLE} "
                        "with valueFrom.secretKeyRef, got none")
    return problems


def _secret_reference_problems(deployment: Manifest, path: Path_, entry: dict[str, Any],
                               ) -> list[str]:
    if "value" in entry:
        return [f"{deployment.at((*path, 'value'))}: expected {SECRET_VARIABLE} from "
                "valueFrom.secretKeyRef, got the value written inline (everyone who can read "
                "the repository can read the password)"]
    source = deployment.get((*path, "valueFrom"))
    reference = (*path, "valueFrom", "secretKeyRef")
    if not isinstance(source, dict) or "secretKeyRef" not in source:
        other = ", ".join(source) if isinstance(source, dict) and source else "nothing"
        return [f"{deployment.at(reference)}: expected {SECRET_VARIABLE} from "
                f"valueFrom.secretKeyRef, got valueFrom with {other}"]
    return [f"{deployment.at((*reference, key))}: expected the Secret's {key}, got "
            f"{shown(deployment.get((*reference, key)))}" for key in ("name", "key")
            if not isinstance(deployment.get((*reference, key)), str)
            or not deployment.get((*reference, key))]
