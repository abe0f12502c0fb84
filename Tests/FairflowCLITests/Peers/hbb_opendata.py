"""A miniature of the CMS open-data H->bb ntuples (doi:10.7483/OPENDATA.CMS.JGJX.MS7Q) for the
faithful pipeline's end-to-end test: fairflow's synthetic jets (the `generate` stage's raw HDF5,
one dataset per branch) rewritten by uproot as ROOT files with the real tree name, branch names and
file layout, so that a local imitation of CERN Open Data can serve them.

Usage: python hbb_opendata.py RAW_H5 OUT_DIR
Writes OUT_DIR/eos/opendata/cms/datascience/HiggsToBBNtupleProducerTool/
HiggsToBBNTuple_HiggsToBB_QCD_RunII_13TeV_MC/{train,test}/ntuple_merged_<i>.root (train 45, 50,
9, 90 and test 0: one file for each glob of pipelines/hbb-interaction-network.yaml) and prints a
JSON list of {"path", "size", "adler32"} (paths relative to OUT_DIR).
"""
import json, os, sys, zlib
import numpy as np
import awkward as ak
import h5py
import uproot

BASE = ("eos/opendata/cms/datascience/HiggsToBBNtupleProducerTool/"
        "HiggsToBBNTuple_HiggsToBB_QCD_RunII_13TeV_MC")
FILES = [("train", 45), ("train", 50), ("train", 9), ("train", 90), ("test", 0)]


def main(raw, out):
    f = h5py.File(raw, "r")
    n = f["fj_pt"].shape[0]
    counts = {"ntrack": f["ntrack"][:], "nsv": f["nsv"][:]}
    offsets = {k: np.concatenate([[0], np.cumsum(v)]) for k, v in counts.items()}
    groups = {"track": {}, "trackBTag": {}, "sv": {}}
    for name in f:
        counter = f[name].attrs.get("counter")
        if counter is None:
            continue
        counter = counter.decode() if isinstance(counter, bytes) else str(counter)
        prefix, field = name.split("_", 1)
        groups[prefix][field] = (f[name][:], counter)
    rng = np.random.default_rng(5)
    eta = rng.uniform(-2.4, 2.4, n).astype(np.float32)
    bounds = np.linspace(0, n, len(FILES) + 1).astype(int)
    listing = []
    for (split, index), lo, hi in zip(FILES, bounds[:-1], bounds[1:]):
        data = {"fj_pt": f["fj_pt"][lo:hi], "fj_eta": eta[lo:hi], "fj_sdmass": f["fj_sdmass"][lo:hi],
                "fj_isQCD": f["fj_isQCD"][lo:hi], "fj_isH": f["fj_isH"][lo:hi]}
        for prefix, fields in groups.items():
            columns = {}
            for field, (values, counter) in fields.items():
                o = offsets[counter]
                columns[field] = ak.unflatten(values[o[lo]:o[hi]], counts[counter][lo:hi])
            data[prefix] = ak.zip(columns)
        path = f"{BASE}/{split}/ntuple_merged_{index}.root"
        os.makedirs(os.path.dirname(os.path.join(out, path)), exist_ok=True)
        types = {k: (v.dtype if isinstance(v, np.ndarray) else v.type.content) for k, v in data.items()}
        with uproot.recreate(os.path.join(out, path)) as root:
            tree = root.mktree("deepntuplizer/tree", types)
            tree.extend(data)
        blob = open(os.path.join(out, path), "rb").read()
        listing.append({"path": path, "size": len(blob), "adler32": "%08x" % zlib.adler32(blob)})
    print(json.dumps(listing))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
