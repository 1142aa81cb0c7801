#!/usr/bin/env python3
"""Extracts real operations from a vendor's OpenAPI or Swagger document.

usage: extract.py SOURCE OUT (METHOD PATH | tag:TAG)...

Keeps the document's top level (openapi/swagger, info, servers or host,
basePath and schemes, security, the security schemes) and the selected
operations, each with its path item's parameters, plus every component or
definition they reference, directly or through other references. Nothing is
rewritten: the excerpt is the document, cut down. SOURCE may be JSON or YAML;
OUT is written as JSON, or as YAML if it ends in .yaml.
"""
import json
import sys

import yaml

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


def load(path):
    with open(path) as f:
        if path.endswith((".yaml", ".yml")):
            return yaml.safe_load(f)
        return json.load(f)


def refs(v, out):
    if isinstance(v, dict):
        r = v.get("$ref")
        if isinstance(r, str) and r.startswith("#/"):
            out.add(r)
        for e in v.values():
            refs(e, out)
    elif isinstance(v, list):
        for e in v:
            refs(e, out)


def resolve(doc, ref):
    node = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def main():
    src, out, sel = sys.argv[1], sys.argv[2], sys.argv[3:]
    doc = load(src)
    wanted, tags = set(), set()
    i = 0
    while i < len(sel):
        if sel[i].startswith("tag:"):
            tags.add(sel[i][4:])
            i += 1
        else:
            wanted.add((sel[i].lower(), sel[i + 1]))
            i += 2
    keep = {k: doc[k] for k in ("openapi", "swagger", "info", "servers", "host", "basePath", "schemes",
                                "consumes", "produces", "security") if k in doc}
    paths = {}
    for p, item in doc["paths"].items():
        for m in METHODS:
            op = item.get(m)
            if op is None:
                continue
            if (m, p) in wanted or tags & set(op.get("tags", [])):
                paths.setdefault(p, {k: v for k, v in item.items() if k not in METHODS})[m] = op
                wanted.discard((m, p))
    if wanted:
        sys.exit("not in the document: %s" % sorted(wanted))
    keep["paths"] = paths
    seen, todo = set(), set()
    refs(paths, todo)
    while todo:
        r = todo.pop()
        if r in seen:
            continue
        seen.add(r)
        refs(resolve(doc, r), todo)
    if "components" in doc:
        comps = {}
        if "securitySchemes" in doc["components"]:
            comps["securitySchemes"] = doc["components"]["securitySchemes"]
        for r in sorted(seen):
            _, kind, name = r[2:].split("/", 2)
            comps.setdefault(kind, {})[name] = doc["components"][kind][name]
        keep["components"] = comps
    for section in ("definitions", "parameters", "responses"):
        for r in sorted(seen):
            if r.startswith("#/%s/" % section):
                keep.setdefault(section, {})[r.split("/", 2)[2]] = doc[section][r.split("/", 2)[2]]
    if "securityDefinitions" in doc:
        keep["securityDefinitions"] = doc["securityDefinitions"]
    n = sum(1 for item in paths.values() for m in METHODS if m in item)
    with open(out, "w") as f:
        if out.endswith(".yaml"):
            yaml.safe_dump(keep, f, sort_keys=False, allow_unicode=True)
        else:
            json.dump(keep, f, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
    print("%s: %d operations, %d references" % (out, n, len(seen)))


main()
