"""Writes RNTuples with uproot (the peer) for the Swift RNTuple tests.

Usage: python make_rntuples.py DIR
  rntuple-{zlib,lz4,zstd,lzma,none}.root  every supported field type, 3 clusters (one per write)
  rntuple-split-{zlib,none}.root           the same with split, zigzag and delta column encodings
  rntuple-pages.root                       uncompressed, every column in pages of <= 96 elements
  rntuple-unsupported.root                 a float declared Real16, a vector of vectors, an int
  parity-tree.root / parity-rntuple.root   the same flat and jagged arrays as a TTree and an RNTuple
Usage: python make_rntuples.py DIR parity   writes only the parity files.
       python make_rntuples.py DIR seeds    writes the fuzz seeds (Fuzz/Corpus/FuzzROOTReader):
                                            tiny split-zlib and paged RNTuples of 20 entries.

uproot 5.7 writes plain (unsplit) columns and one page per column per cluster. The split and
multi-page files come from uproot's own writer with two small changes made here: column types
mapped to their Split* codes and the buffers encoded as the specification says (zigzag, delta,
byte split), and each page locator cut into several. Every file is read back with uproot's
reader, which must give the arrays that were written, before the tests use it.
"""
import os, sys
import numpy as np
import awkward as ak
import uproot
import uproot.writing._cascadentuple as cascade

CODECS = {"zlib": uproot.ZLIB(1), "lz4": uproot.LZ4(1), "zstd": uproot.ZSTD(1),
          "lzma": uproot.LZMA(1), "none": None}
CLUSTERS = (700, 1, 1299)


def batch(rng, n):
    counts = rng.integers(0, 5, n)
    total = int(counts.sum())
    jagged = lambda values: ak.unflatten(values, counts)
    ints = lambda t: rng.integers(np.iinfo(t).min, np.iinfo(t).max, n, dtype=t, endpoint=True)
    words = ["", "a", "héllo", "RNTuple", "x" * 300]
    return {
        "b": rng.random(n) < 0.5,
        "i8": ints(np.int8), "u8": ints(np.uint8), "i16": ints(np.int16), "u16": ints(np.uint16),
        "i32": ints(np.int32), "u32": ints(np.uint32), "i64": ints(np.int64),
        "u64": ints(np.uint64),
        "f32": rng.normal(0, 1e3, n).astype(np.float32), "f64": rng.normal(0, 1e6, n),
        "vf": jagged(rng.normal(40, 15, total).astype(np.float32)),
        "vd": jagged(rng.normal(0, 2, total)),
        "vi": jagged(rng.integers(-1000, 1000, total).astype(np.int32)),
        "vb": jagged(rng.random(total) < 0.3),
        "arr": ak.to_regular(ak.Array(rng.normal(0, 1, (n, 3)).astype(np.float32)), axis=1),
        "rec": ak.zip({"a": rng.integers(-9, 9, n).astype(np.int16), "c": rng.random(n)}),
        "jets": ak.zip({"pt": jagged(rng.normal(40, 15, total).astype(np.float32)),
                        "eta": jagged(rng.normal(0, 2, total))}),
        "s": [words[k] for k in rng.integers(0, len(words), n)],
    }


def write(path, codec, parts):
    with uproot.recreate(path, compression=CODECS[codec]) as f:
        f["events"] = parts[0]
        for part in parts[1:]:
            f["events"].extend(part)
    check(path, parts)


def check(path, parts, name="events"):
    expected = ak.concatenate([ak.Array(p) for p in parts])
    got = uproot.open(path)[name].arrays()
    for field in expected.fields:
        if ak.to_list(got[field]) != ak.to_list(expected[field]):
            sys.exit(f"{path}: uproot reads '{field}' differently from what was written")


SPLIT = {"int16": 0x11, "uint16": 0x12, "int32": 0x13, "uint32": 0x14, "int64": 0x15,
         "uint64": 0x16, "float32": 0x18, "float64": 0x19, "i32": 0x1A, "i64": 0x1B}


def split_bytes(a):
    """Byte split (all first bytes, then all second bytes, …), kept in a's dtype."""
    raw = np.ascontiguousarray(a).view(np.uint8).reshape(len(a), a.dtype.itemsize)
    return np.ascontiguousarray(raw.T).reshape(-1).view(a.dtype)


def encode_split(buffers):
    out = {}
    for key, buffer in buffers.items():
        a = np.asarray(buffer)
        if "offsets" in key:
            # uproot drops the leading 0 of an offsets buffer: encode the rest, keep a dummy.
            rest = a[1:].copy()
            rest[1:] = np.diff(a[1:])
            a = np.concatenate([a[:1], split_bytes(rest)])
        elif a.dtype.kind in "iuf" and a.dtype.itemsize > 1:
            if a.dtype.kind == "i":
                bits = a.dtype.itemsize * 8
                a = ((a.astype(np.int64) << 1) ^ (a.astype(np.int64) >> (bits - 1))).astype(a.dtype)
            a = split_bytes(a)
        out[key] = a
    return out


def write_split(path, codec, parts):
    saved, to_buffers = dict(cascade._ak_primitive_to_num_dict), ak.to_buffers
    cascade._ak_primitive_to_num_dict.update(SPLIT)
    def patched(array, *args, **kwargs):
        form, length, buffers = to_buffers(array, *args, **kwargs)
        return form, length, encode_split(buffers)
    ak.to_buffers = patched
    try:
        write(path, codec, parts)
    finally:
        ak.to_buffers = to_buffers
        cascade._ak_primitive_to_num_dict.clear()
        cascade._ak_primitive_to_num_dict.update(saved)


def write_pages(path, parts, per_page=96):
    init = cascade.NTuple_ColumnPageListDescription.__init__
    def cut(self, pagelist, element_offset, compression_settings):
        pages = []
        for page in pagelist:
            n, size, offset = page.num_entries, page.locator.num_bytes, page.locator.offset
            if size * 8 < n * 8 and size == (n + 7) // 8:  # packed booleans
                width = None
            elif size % n == 0:
                width = size // n
            else:
                width = None
            start = 0
            # Packed booleans can only be cut at whole bytes.
            step = per_page if width is not None else (per_page + 7) // 8 * 8
            while start < n:
                k = min(step, n - start)
                if width is None:
                    nbytes, skip = (k + 7) // 8, start // 8
                else:
                    nbytes, skip = k * width, start * width
                pages.append(cascade.NTuple_PageDescription(
                    k, cascade.NTuple_Locator(nbytes, offset + skip)))
                start += k
        init(self, pages, element_offset, compression_settings)
    cascade.NTuple_ColumnPageListDescription.__init__ = cut
    try:
        write(path, "none", parts)
    finally:
        cascade.NTuple_ColumnPageListDescription.__init__ = init


def write_parity(directory):
    rng = np.random.default_rng(7)
    n = 3000
    counts = rng.integers(0, 6, n)
    arrays = {"met": rng.exponential(20, n).astype(np.float32), "run": rng.integers(0, 9, n).astype(np.int32),
              "Jet_pt": ak.unflatten(rng.normal(40, 15, int(counts.sum())).astype(np.float32), counts),
              "Jet_eta": ak.unflatten(rng.normal(0, 2, int(counts.sum())).astype(np.float32), counts)}
    with uproot.recreate(os.path.join(directory, "parity-tree.root"), compression=uproot.ZLIB(1)) as f:
        f.mktree("events", {k: v.type if isinstance(v, ak.Array) else v.dtype for k, v in arrays.items()},
                 counter_name=lambda name: "n" + name)
        f["events"].extend(arrays)
    with uproot.recreate(os.path.join(directory, "parity-rntuple.root"), compression=uproot.ZLIB(1)) as f:
        f["events"] = {k: arrays[k][:1000] for k in arrays}
        f["events"].extend({k: arrays[k][1000:] for k in arrays})


def write_unsupported(path):
    """'h' is declared a Real16 column (its data stays 32-bit: only the reader's refusal of the
    type is tested), 'vv' is a vector of vectors; 'ok' reads."""
    saved = cascade._ak_primitive_to_num_dict["float32"]
    cascade._ak_primitive_to_num_dict["float32"] = 0x0B
    try:
        with uproot.recreate(path) as f:
            f["events"] = {"h": np.arange(4, dtype=np.float32),
                           "vv": ak.Array([[[1.0]], [], [[2.0, 3.0], []], [[4.0]]]),
                           "ok": np.arange(4, dtype=np.int32)}
    finally:
        cascade._ak_primitive_to_num_dict["float32"] = saved


def main():
    directory = sys.argv[1]
    if sys.argv[2:] == ["parity"]:
        return write_parity(directory)
    if sys.argv[2:] == ["seeds"]:
        parts = [batch(np.random.default_rng(5 + i), n) for i, n in enumerate((7, 1, 12))]
        write_split(os.path.join(directory, "rntuple-split-zlib.root"), "zlib", parts)
        write_pages(os.path.join(directory, "rntuple-pages.root"), parts, per_page=4)
        return
    write_unsupported(os.path.join(directory, "rntuple-unsupported.root"))
    parts = [batch(np.random.default_rng(11 + i), n) for i, n in enumerate(CLUSTERS)]
    for codec in CODECS:
        write(os.path.join(directory, f"rntuple-{codec}.root"), codec, parts)
    for codec in ("zlib", "none"):
        write_split(os.path.join(directory, f"rntuple-split-{codec}.root"), codec, parts)
    write_pages(os.path.join(directory, "rntuple-pages.root"), parts)
    write_parity(directory)


main()
