"""Reference digests of RNTuple fields read by uproot (the independent peer).

Usage: python rntuple_digest.py FILE...  -> one JSON object per line, like uproot_digest.py:
  {"file", "tree", "branch", "entries", "dtype", "inner", "jagged", "counts", "values", "error"}
"tree" is the RNTuple's key, "branch" a leaf field's path: records are walked, their leaves
named with dots ("jets.pt"); a leaf under a list is jagged. Digests are SHA-256 of little-endian
values (bool as one byte; strings as 4-byte length + UTF-8 bytes), as the Swift side computes.
"""
import hashlib, json, os, sys
import numpy as np
import awkward as ak
import uproot


def le_bytes(a):
    a = np.ascontiguousarray(a)
    if a.dtype == np.bool_:
        return a.astype(np.uint8).tobytes()
    return a.astype(a.dtype.newbyteorder("<")).tobytes()


def leaves(array, prefix=""):
    fields = ak.fields(array)
    if not fields or array.layout.parameter("__array__") == "string":
        yield prefix, array
        return
    for name in fields:
        yield from leaves(array[name], prefix + name if not prefix else prefix + "." + name)


def digest(a):
    if a.layout.parameter("__array__") == "string" or str(a.type.content) == "string":
        h = hashlib.sha256()
        for s in ak.to_list(a):
            b = s.encode("utf-8")
            h.update(len(b).to_bytes(4, "little") + b)
        return dict(dtype="string", inner=[], jagged=False, entries=len(a), values=h.hexdigest())
    if a.ndim > 1 and "var" in str(a.type.content).split("*")[0]:
        counts = np.asarray(ak.num(a, axis=1), dtype=np.int64)
        flat = ak.to_numpy(ak.flatten(a, axis=1))
        return dict(dtype="bool" if flat.dtype == np.bool_ else flat.dtype.name,
                    inner=list(flat.shape[1:]), jagged=True, entries=len(a),
                    counts=hashlib.sha256(counts.astype("<i8").tobytes()).hexdigest(),
                    values=hashlib.sha256(le_bytes(flat)).hexdigest())
    flat = ak.to_numpy(a)
    return dict(dtype="bool" if flat.dtype == np.bool_ else flat.dtype.name,
                inner=list(flat.shape[1:]), jagged=False, entries=len(a),
                values=hashlib.sha256(le_bytes(flat)).hexdigest())


for path in sys.argv[1:]:
    f = uproot.open(path)
    for key, cls in f.classnames(recursive=True).items():
        if cls != "ROOT::RNTuple":
            continue
        name = key.split(";")[0]
        base = {"file": os.path.basename(path), "tree": name}
        arrays = f[name].arrays()
        for field, array in leaves(arrays):
            record = {**base, "branch": field}
            try:
                record.update(digest(array))
            except Exception as e:
                record["error"] = f"{type(e).__name__}: {e}"[:300]
            print(json.dumps(record))
