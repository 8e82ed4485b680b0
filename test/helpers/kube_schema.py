#!/usr/bin/python3
"""kube_schema.py FILE...: Kubernetes objects (YAML documents, or the JSON
that kubectl prints, a List included) checked against the API's own types as
Debian's python3-kubernetes generates them from the Kubernetes OpenAPI spec:
what kubectl's --validate checks when it has a server to ask for the schema.

  - apiVersion and kind: a kind the client's API for that group creates;
  - every field known to its type (a misspelt field is an error, as with
    kubectl --validate=true), every value of its type (string, integer,
    boolean, list, map, object), every required field present.

Not checked: what only the API server decides (defaults, names' syntax,
cross-field rules such as a selector matching the template's labels, or
admission like Pod Security), and 'object' fields (IntOrString, RawExtension).
Prints one line per problem; exits 1 if there is any."""
import json
import re
import sys

import kubernetes
import kubernetes.client as k
import yaml

PRIMITIVES = {"str": str, "bool": bool, "int": int, "float": (int, float),
              "datetime": str, "date": str}


def snake(name):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def api_of(api_version):
    """'apps/v1' -> AppsV1Api, 'v1' -> CoreV1Api, 'rbac.authorization.k8s.io/v1' -> RbacAuthorizationV1Api"""
    group, _, version = api_version.rpartition("/")
    group = group.replace(".k8s.io", "") or "core"
    words = re.split(r"[.\-]", group) + [version]
    return getattr(k, "".join(w[:1].upper() + w[1:] for w in words) + "Api", None)


def check_value(value, typ, path, errors):
    if typ.startswith("list["):
        if not isinstance(value, list):
            return errors.append(f"{path}: expected a list, got {value!r}")
        for i, item in enumerate(value):
            check_value(item, typ[5:-1], f"{path}[{i}]", errors)
    elif typ.startswith("dict("):
        if not isinstance(value, dict):
            return errors.append(f"{path}: expected a map, got {value!r}")
        inner = typ[typ.index(",") + 1:-1].strip()
        for key, item in value.items():
            check_value(item, inner, f"{path}.{key}", errors)
    elif typ == "object":
        pass
    elif typ in PRIMITIVES:
        # YAML's true is not an integer, though Python's bool is an int.
        if not isinstance(value, PRIMITIVES[typ]) or (typ != "bool" and isinstance(value, bool)):
            errors.append(f"{path}: expected {typ}, got {value!r}")
    else:
        check_model(value, getattr(k, typ), path, errors)


def check_model(value, model, path, errors):
    if not isinstance(value, dict):
        return errors.append(f"{path}: expected an object ({model.__name__}), got {value!r}")
    python_name = {json_name: attr for attr, json_name in model.attribute_map.items()}
    for key, item in value.items():
        if key not in python_name:
            errors.append(f"{path}: unknown field \"{key}\" in {model.__name__}")
        elif item is not None:  # null is unset (kubectl prints creationTimestamp: null)
            check_value(item, model.openapi_types[python_name[key]], f"{path}.{key}", errors)
    # The generated setters refuse a missing required field (and values outside an enum).
    try:
        model(**{python_name[key]: item for key, item in value.items() if key in python_name})
    except ValueError as e:
        errors.append(f"{path}: {e}")


def check_object(obj, where, errors):
    if not isinstance(obj, dict) or "apiVersion" not in obj or "kind" not in obj:
        return errors.append(f"{where}: not an object with apiVersion and kind")
    if obj["kind"] == "List":
        for i, item in enumerate(obj.get("items", [])):
            check_object(item, f"{where}.items[{i}]", errors)
        return
    api_version, kind = obj["apiVersion"], obj["kind"]
    api = api_of(api_version)
    model = getattr(k, api_version.rpartition("/")[2].capitalize() + kind, None)
    if not api or not model or not any(hasattr(api, f"create_{scope}{snake(kind)}") for scope in ("", "namespaced_")):
        return errors.append(f"{where}: no kind {kind} in {api_version}")
    check_model(obj, model, f"{where} {kind} {obj.get('metadata', {}).get('name', '?')}", errors)


def main(files):
    errors = []
    for name in files:
        with open(name) as f:
            text = f.read()
        docs = [json.loads(text)] if text.lstrip().startswith("{") else list(yaml.safe_load_all(text))
        for i, doc in enumerate(d for d in docs if d is not None):
            check_object(doc, f"{name}#{i}", errors)
    for e in errors:
        print(e)
    print(f"kube_schema: {len(errors)} problems (python3-kubernetes {kubernetes.__version__})", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
