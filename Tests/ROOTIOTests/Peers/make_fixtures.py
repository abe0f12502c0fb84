"""Writes ROOT files with uproot (TTrees through mktree + extend) for the reader's tests.

Usage: python make_fixtures.py OUTDIR
Per compression mode (none, zlib, lzma, lz4, zstd): fixture-<mode>.root with
  Events: flat branches of every supported numpy type, a fixed [3] float64 and [2][3] int16
          column, a jagged record Jet (pt float32, id int32, counter nJet), 4 baskets per branch;
  dir/sub/Deep: a tree in a nested directory.
And big-<mode>.root (zlib, lz4, zstd): one float64 branch whose single basket is 20,000,000 bytes
(two compression blocks of at most 16 MiB).
"""
import os, sys
import numpy as np
import awkward as ak
import uproot

out = sys.argv[1]
rng = np.random.default_rng(7)
n = 1000
counts = rng.integers(0, 6, n)
total = int(counts.sum())
jet = ak.zip({"pt": ak.unflatten(rng.normal(40, 15, total).astype(np.float32), counts),
              "id": ak.unflatten(rng.integers(-5, 8, total).astype(np.int32), counts)})
data = {
    "b": rng.integers(0, 2, n).astype(np.bool_),
    "i1": rng.integers(-128, 128, n).astype(np.int8),
    "u1": rng.integers(0, 256, n).astype(np.uint8),
    "i2": rng.integers(-30000, 30000, n).astype(np.int16),
    "u2": rng.integers(0, 65535, n).astype(np.uint16),
    "i4": rng.integers(-2**31, 2**31 - 1, n).astype(np.int32),
    "u4": rng.integers(0, 2**32 - 1, n, dtype=np.uint64).astype(np.uint32),
    "i8": rng.integers(-2**62, 2**62, n).astype(np.int64),
    "u8": rng.integers(0, 2**63, n, dtype=np.uint64) * np.uint64(2),
    "f4": rng.normal(size=n).astype(np.float32),
    "f8": rng.normal(size=n),
    "p3": rng.normal(size=(n, 3)),
    "m23": rng.integers(-100, 100, (n, 2, 3)).astype(np.int16),
    "Jet": jet,
}
data["f8"][5] = np.nan
data["f4"][6] = np.inf
types = {k: (v.dtype, v.shape[1:]) if isinstance(v, np.ndarray) and v.ndim > 1 else
         (v.dtype if isinstance(v, np.ndarray) else v.type.content) for k, v in data.items()}

codecs = [("none", None), ("zlib", uproot.ZLIB(1)), ("lzma", uproot.LZMA(1)),
          ("lz4", uproot.LZ4(1)), ("zstd", uproot.ZSTD(1))]
for tag, codec in codecs:
    with uproot.recreate(os.path.join(out, f"fixture-{tag}.root"), compression=codec) as f:
        tree = f.mktree("Events", types)
        for lo in range(0, n, 250):
            tree.extend({k: v[lo:lo + 250] for k, v in data.items()})
        deep = f.mktree("dir/sub/Deep", {"x": np.float64, "k": np.int32})
        deep.extend({"x": np.linspace(0, 1, 50), "k": np.arange(50, dtype=np.int32)})
    if tag in ("zlib", "lz4", "zstd"):
        with uproot.recreate(os.path.join(out, f"big-{tag}.root"), compression=codec) as f:
            tree = f.mktree("Big", {"v": np.float64})
            tree.extend({"v": rng.integers(0, 1000, 2_500_000).astype(np.float64) / 8})
