"""An Hbb-like raw ROOT dataset written by uproot, and the tensors `convert` must produce from it,
computed independently with numpy/awkward.

Usage:
  python hbb_fixture.py make DIR      -> DIR/raw/part-0.root, part-1.root (tree deepntuplizer/tree)
  python hbb_fixture.py check DIR OUT -> compares OUT/all.h5 (fairflow) with the expected arrays;
                                         prints "ok" or the first difference, exits 1 on mismatch.
Branches: counters ntrack, nsv; track_ptrel, track_erel, track_sip (jagged float32); sv_ptrel,
sv_mass (jagged float32); fj_pt, fj_sdmass (float32); fj_isQCD, fj_isH (int32).
"""
import os, sys
import numpy as np
import awkward as ak
import uproot
import h5py

N_TRACKS, N_SV = 4, 2
TRACK = ["track_ptrel", "track_erel"]
SV = ["sv_ptrel", "sv_mass"]


def make(directory):
    rng = np.random.default_rng(11)
    os.makedirs(os.path.join(directory, "raw"), exist_ok=True)
    for part, n in [(0, 700), (1, 500)]:
        nt = rng.integers(0, 8, n)
        ns = rng.integers(0, 4, n)
        t = int(nt.sum()); s = int(ns.sum())
        sip = rng.normal(0, 3, t).astype(np.float32)
        sip[rng.integers(0, t, 20)] = np.nan            # NaN keys sort last
        sip[::17] = sip[::17].round()                   # ties keep their order
        track = ak.zip({"ptrel": ak.unflatten(rng.exponential(0.1, t).astype(np.float32), nt),
                        "erel": ak.unflatten(rng.exponential(0.1, t).astype(np.float32), nt),
                        "sip": ak.unflatten(sip, nt)})
        sv = ak.zip({"ptrel": ak.unflatten(rng.exponential(0.2, s).astype(np.float32), ns),
                     "mass": ak.unflatten(rng.exponential(2.0, s).astype(np.float32), ns)})
        is_h = rng.integers(0, 2, n).astype(np.int32)
        is_qcd = (1 - is_h).astype(np.int32)
        is_qcd[::50] = 0                                # some entries have no label: dropped
        data = {"fj_pt": rng.uniform(200, 1000, n).astype(np.float32),
                "fj_sdmass": rng.uniform(0, 200, n).astype(np.float32),
                "fj_isQCD": is_qcd, "fj_isH": is_h, "track": track, "sv": sv}
        types = {k: (v.dtype if isinstance(v, np.ndarray) else v.type.content) for k, v in data.items()}
        with uproot.recreate(os.path.join(directory, "raw", f"part-{part}.root")) as f:
            tree = f.mktree("deepntuplizer/tree", types)
            for lo in range(0, n, 300):
                tree.extend({k: v[lo:lo + 300] for k, v in data.items()})


def expected(directory):
    jets, labels, tracks, svs = [], [], [], []
    for part in (0, 1):
        t = uproot.open(os.path.join(directory, "raw", f"part-{part}.root"))["deepntuplizer/tree"]
        a = t.arrays(library="ak")
        for i in range(len(a)):
            e = a[i]
            if not (e["fj_pt"] > 300 and e["fj_sdmass"] > 40):
                continue
            if (e["fj_isQCD"] != 0) + (e["fj_isH"] != 0) != 1:
                continue
            jets.append([e["fj_pt"], e["fj_sdmass"]])
            labels.append([float(e["fj_isQCD"] != 0), float(e["fj_isH"] != 0)])
            sip = np.asarray(e["track_sip"], dtype=np.float64)
            # descending by sip, NaN last, stable for ties
            order = sorted(range(len(sip)), key=lambda j: (np.isnan(sip[j]), -sip[j] if not np.isnan(sip[j]) else 0, j))
            tr = np.zeros((N_TRACKS, len(TRACK)), np.float32)
            for slot, j in enumerate(order[:N_TRACKS]):
                tr[slot] = [e[b][j] for b in TRACK]
            tracks.append(tr)
            sv = np.zeros((len(SV), N_SV), np.float32)          # feature-major
            for slot in range(min(N_SV, len(e["sv_ptrel"]))):
                sv[:, slot] = [e[b][slot] for b in SV]
            svs.append(sv)
    return {"jets": np.array(jets, np.float32), "labels": np.array(labels, np.float32),
            "tracks": np.array(tracks, np.float32), "vertices": np.array(svs, np.float32)}


def check(directory, out):
    want = expected(directory)
    with h5py.File(os.path.join(out, "all.h5"), "r") as f:
        for name, array in want.items():
            got = f[name][...]
            if got.shape != array.shape or got.dtype != np.float32:
                print(f"{name}: shape {got.shape} {got.dtype}, expected {array.shape} float32"); sys.exit(1)
            if not np.array_equal(got.view(np.uint32), array.view(np.uint32)):
                bad = np.argwhere(got.view(np.uint32) != array.view(np.uint32))[0]
                print(f"{name}: first difference at {tuple(bad)}: {got[tuple(bad)]} != {array[tuple(bad)]}"); sys.exit(1)
        assert list(f["tracks"].attrs["features"]) == TRACK, list(f["tracks"].attrs["features"])
        assert list(f["labels"].attrs["classes"]) == ["fj_isQCD", "fj_isH"]
        assert f.attrs["rows"] == len(want["jets"]), (f.attrs["rows"], len(want["jets"]))
        assert list(f.attrs["source_files"]) == ["raw/part-0.root", "raw/part-1.root"]
        assert len(f.attrs["source_sha256"][0]) == 64
        assert f["tracks"].chunks is not None
    print("ok", len(want["jets"]))


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        check(sys.argv[2], sys.argv[3])
