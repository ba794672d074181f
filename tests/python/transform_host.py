"""The transform component from Python, with the `wasmtime` package and an empty Linker: nothing is
provided to the component. Reads a snapshot of an OpenChoreo installation (written by
tests/tests/python_host.rs), translates each scope with `translate-scope`, the first namespace again
with `translate-resource`, computes every entity's relations with `relations-of-batch`, and prints the
entities as the catalog shows them (each with its `relations`) as one JSON document.

usage: transform_host.py COMPONENT.wasm SNAPSHOT.json
snapshot: {"defaultOwner": str, "scopes": [{"namespace": <Namespace resource> | null (the cluster lists),
           "lists": {endpoint: [items] | {"failed": reason}}}]}
"""

import json
import sys

import wasmtime
from wasmtime import component as cm

MAPPING = "openchoreo:catalog/mapping@0.8.0"


def record(**fields):
    r = cm.Record()
    for name, value in fields.items():
        setattr(r, name.replace("_", "-"), value)
    return r


class Transform:
    def __init__(self, path):
        engine = wasmtime.Engine()
        self.store = wasmtime.Store(engine)
        self.instance = cm.Linker(engine).instantiate(self.store, cm.Component.from_file(engine, path))
        self.mapping = self.instance.get_export_index(self.store, MAPPING)

    def call(self, name, *args):
        f = self.instance.get_func(self.store, self.instance.get_export_index(self.store, name, self.mapping))
        result = f(self.store, *args)
        f.post_return(self.store)
        if isinstance(result, cm.Variant) and result.tag == "error":
            raise RuntimeError(f"{name}: {result.payload.tag}: {result.payload.payload}")
        return result

    def translate_scope(self, namespace, lists, default_owner):
        def outcome(items):
            if isinstance(items, dict):
                return cm.Variant("failed", items["failed"])
            return cm.Variant("items", json.dumps(items))

        snapshot = record(
            # scope-ref: namespace(string) or cluster, which wasmtime-py takes as a string or None
            scope=None if namespace is None else json.dumps(namespace),
            lists=[record(endpoint=e, outcome=outcome(items)) for e, items in lists.items()],
            default_owner=default_owner,
        )
        out = self.call("translate-scope", snapshot)
        return documents(out.entities), [s.scope for s in out.stale]

    def translate_resource(self, kind, namespace, resource):
        return documents(self.call("translate-resource", kind, namespace, json.dumps(resource), None))

    def relations_of_batch(self, docs):
        texts = [json.dumps(d, separators=(",", ":")).encode() for d in docs]
        spans, at = [], 0
        for t in texts:
            spans += [at, len(t)]
            at += len(t)
        batch = self.call("relations-of-batch", b"".join(texts), spans)
        s = batch.spans
        rel = lambda i: batch.text[s[i]:s[i] + s[i + 1]].decode()
        return [(rel(i), rel(i + 2), rel(i + 4)) for i in range(0, len(s), 6)]


def documents(batch):
    # Nine numbers per entity; the first two are its document's (start, length).
    s = batch.spans
    return [json.loads(batch.text[s[i]:s[i] + s[i + 1]].decode()) for i in range(0, len(s), 9)]


def ref(doc):
    namespace = doc["metadata"].get("namespace", "default")
    return f'{doc["kind"].lower()}:{namespace.lower()}/{doc["metadata"]["name"]}'


def main(component, snapshot_path):
    with open(snapshot_path) as f:
        snapshot = json.load(f)
    t = Transform(component)
    entities = []
    for scope in snapshot["scopes"]:
        docs, stale = t.translate_scope(scope["namespace"], scope["lists"], snapshot["defaultOwner"])
        if stale:
            raise RuntimeError(f"stale scopes: {stale}")
        entities += docs
    first = next(s["namespace"] for s in snapshot["scopes"] if s["namespace"] is not None)
    [domain] = t.translate_resource("Namespace", None, first)
    by_source = {}
    for source, rtype, target in t.relations_of_batch(entities):
        by_source.setdefault(source, set()).add((rtype, target))
    for doc in entities:
        doc["relations"] = [{"type": r, "targetRef": target} for r, target in sorted(by_source.get(ref(doc), ()))]
    json.dump({"entities": entities, "domainAlone": domain}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
