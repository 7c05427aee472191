"""A Kubernetes manifest checked against the API's own schema, as the official Python client
carries it (each model's openapi_types and attribute_map, generated from the Kubernetes
OpenAPI document): every field must exist on its object and hold the right type. Returns
the problems as `path: what is wrong`, none for a valid object."""

from __future__ import annotations

import re
from typing import Any

import kubernetes.client as models

PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "object": object,
              "datetime": str, "date": str}


def model_for(api_version: str, kind: str) -> type | None:
    """V1Deployment for apps/v1 Deployment, V1Job for batch/v1 Job, ..."""
    version = api_version.rsplit("/", 1)[-1]
    return getattr(models, f"{version[0].upper()}{version[1:]}{kind}", None)


def problems(document: dict[str, Any]) -> list[str]:
    model = model_for(str(document.get("apiVersion", "")), str(document.get("kind", "")))
    if model is None:
        return [f"no Kubernetes kind {document.get('kind')!r} in {document.get('apiVersion')!r}"]
    return _check(document, model.__name__, str(document["kind"]))


def _check(value: Any, type_name: str, path: str) -> list[str]:
    if match := re.fullmatch(r"[lL]ist\[(.+)\]", type_name):
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {type(value).__name__}"]
        return [p for i, item in enumerate(value) for p in _check(item, match[1], f"{path}[{i}]")]
    if match := re.fullmatch(r"dict\(str, (.+)\)|Dict\[str, (.+)\]", type_name):
        if not isinstance(value, dict):
            return [f"{path}: expected a mapping, got {type(value).__name__}"]
        item_type = match[1] or match[2]
        return [p for k, v in value.items() for p in _check(v, item_type, f"{path}.{k}")]
    if type_name in PRIMITIVES:
        wanted = PRIMITIVES[type_name]
        wrong = not isinstance(value, wanted) or (type_name == "int" and isinstance(value, bool))
        return [f"{path}: expected {type_name}, got {value!r}"] if wrong else []
    model = getattr(models, type_name)
    if not isinstance(value, dict):
        return [f"{path}: expected a {type_name} mapping, got {value!r}"]
    fields = {json_name: attr for attr, json_name in model.attribute_map.items()}
    found = []
    for key, item in value.items():
        if key not in fields:
            found.append(f"{path}.{key}: no such field in {type_name}")
        else:
            found += _check(item, model.openapi_types[fields[key]], f"{path}.{key}")
    return found
