"""Reference digests of ROOT branches read by uproot (the independent peer).

Usage: python uproot_digest.py FILE...  -> one JSON object per line:
  {"file", "tree", "branch", "entries", "dtype", "inner", "jagged", "counts", "values", "error"}
"counts" is the SHA-256 of the per-entry item counts as little-endian int64 (jagged only);
"values" the SHA-256 of all values flattened, little-endian, in the branch's own dtype (bool as
one byte; strings as 4-byte little-endian length + UTF-8 bytes each). The Swift tests compute the
same digests from fairflow's reader and compare them.
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


def digest(branch):
    out = {}
    interp = branch.interpretation
    if isinstance(interp, uproot.interpretation.strings.AsStrings):
        values = branch.array(library="np")
        h = hashlib.sha256()
        for s in values:
            b = s.encode("utf-8") if isinstance(s, str) else bytes(s)
            h.update(len(b).to_bytes(4, "little") + b)
        out.update(dtype="string", inner=[], jagged=False, entries=len(values), values=h.hexdigest())
        return out
    if isinstance(interp, uproot.interpretation.numerical.AsDtype):
        a = branch.array(library="np")
        out.update(dtype=str(a.dtype.newbyteorder("=").name) if a.dtype != np.bool_ else "bool",
                   inner=list(a.shape[1:]), jagged=False, entries=len(a),
                   values=hashlib.sha256(le_bytes(a)).hexdigest())
        return out
    a = branch.array(library="ak")
    counts = np.asarray(ak.num(a, axis=1), dtype=np.int64)
    flat = ak.flatten(a, axis=1)
    inner = []
    np_flat = ak.to_numpy(flat)
    inner = list(np_flat.shape[1:])
    out.update(dtype=str(np_flat.dtype.name) if np_flat.dtype != np.bool_ else "bool",
               inner=inner, jagged=True, entries=len(a),
               counts=hashlib.sha256(counts.astype("<i8").tobytes()).hexdigest(),
               values=hashlib.sha256(le_bytes(np_flat)).hexdigest())
    return out


def trees(directory, prefix=""):
    for key, cls in directory.classnames(recursive=False).items():
        name = key.split(";")[0]
        path = prefix + name
        if cls in ("TDirectory", "TDirectoryFile"):
            yield from trees(directory[name], path + "/")
        elif cls in ("TTree", "TNtuple", "TNtupleD"):
            yield path


for path in sys.argv[1:]:
    f = uproot.open(path)
    for tree_path in trees(f):
        base = {"file": os.path.basename(path), "tree": tree_path}
        try:
            tree = f[tree_path]
            branches = tree.keys(recursive=True, full_paths=False)
            branches = [b.name for b in tree.itervalues(recursive=True)]
        except Exception as e:
            print(json.dumps({**base, "branch": None, "error": f"{type(e).__name__}: {e}"}))
            continue
        for name in branches:
            record = {**base, "branch": name}
            try:
                record.update(digest(tree[name]))
            except Exception as e:
                record["error"] = f"{type(e).__name__}: {e}"[:300]
            print(json.dumps(record))
