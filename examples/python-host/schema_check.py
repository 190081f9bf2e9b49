"""Tolerant validation of worker messages against the JSON Schema files that extwire ships in
`schema/` (draft 2020-12). Only the keywords those files use are implemented, and
`additionalProperties` is not enforced: a host accepts properties that 0.22.1 does not declare
(EXT-HOST-014). Standard library only."""
import json
import os
import re

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schema")
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def load(relative):
    """The schema document at schema/<relative>, or None when there is none (an unknown type)."""
    path = os.path.join(SCHEMA_DIR, relative)
    if not os.path.isfile(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _type_ok(kind, value):
    if kind in ("number", "integer"):
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return ok and (kind == "number" or float(value).is_integer())
    return isinstance(value, TYPES[kind])


def errors(schema, value, path="", root=None):
    """Every problem of `value` under `schema`, as (JSON pointer, text) pairs; [] when valid."""
    root = root if root is not None else schema
    if "$ref" in schema:
        target = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return errors(target, value, path, root)
    if "anyOf" in schema:
        if any(not errors(branch, value, path, root) for branch in schema["anyOf"]):
            return []
        return [(path or "/", "matches none of the allowed shapes")]
    kinds = schema.get("type")
    if kinds is not None:
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(_type_ok(kind, value) for kind in kinds):
            return [(path or "/", "expected " + " or ".join(kinds) + ", received " + json.dumps(value)[:60])]
    if "const" in schema and value != schema["const"]:
        return [(path or "/", "expected " + json.dumps(schema["const"]))]
    if "enum" in schema and value not in schema["enum"]:
        return [(path or "/", "expected one of " + json.dumps(schema["enum"]))]
    found = []
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            found.append((path, "expected at least %d characters" % schema["minLength"]))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            found.append((path, "does not match " + schema["pattern"]))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append((path, "below %s" % schema["minimum"]))
        if "maximum" in schema and value > schema["maximum"]:
            found.append((path, "above %s" % schema["maximum"]))
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            found.append((path, "not above %s" % schema["exclusiveMinimum"]))
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                found.append((path + "/" + key, "required"))
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += errors(sub, value[key], path + "/" + key, root)
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            found.append((path or "/", "expected at least %d items" % schema["minItems"]))
        prefix = schema.get("prefixItems", [])
        for index, item in enumerate(value):
            sub = prefix[index] if index < len(prefix) else schema.get("items")
            if isinstance(sub, dict):
                found += errors(sub, item, "%s/%d" % (path, index), root)
    return found
