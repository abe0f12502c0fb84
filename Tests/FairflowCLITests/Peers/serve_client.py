"""fairflow serve, checked with the official KServe v2 / Triton client (tritonclient[http]).

Usage: serve_client.py PORT INPUTS.h5 IN_OUT.h5 BRAGG_OUT.h5
  - server and model metadata as the protocol says;
  - inference on the interaction network ("in") and BraggNN ("bragg") equal to `fairflow predict`
    bit for bit, with JSON and with binary tensors, one row and many rows per request, requests
    sent concurrently (so the server batches them);
  - a bounded load test: 2,000 BraggNN requests at concurrency 16, zero errors.
Prints one line per check; exits non-zero on the first failure.
"""
import sys, time, threading, json
from concurrent.futures import ThreadPoolExecutor
import h5py, numpy as np
import tritonclient.http as http

port, inputs, in_out, bragg_out = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
url = f"127.0.0.1:{port}"
f = h5py.File(inputs)
tracks, vertices, patch = f["tracks"][...], f["vertices"][...], f["patch"][...]
want = {"in": h5py.File(in_out)["logits"][...], "bragg": h5py.File(bragg_out)["ploc"][...]}
local = threading.local()


def client():
    if not hasattr(local, "client"):
        local.client = http.InferenceServerClient(url)
    return local.client


def check(ok, what):
    if not ok:
        print("FAIL", what)
        sys.exit(1)


c = client()
check(c.is_server_live() and c.is_server_ready(), "live/ready")
meta = c.get_server_metadata()
check(meta["name"] == "fairflow" and "binary_tensor_data" in meta["extensions"], f"server {meta}")
m = c.get_model_metadata("in")
check(m["name"] == "in" and m["versions"] == ["1"], f"in metadata {m}")
check(m["inputs"] == [{"name": "tracks", "datatype": "FP32", "shape": [-1, 30, 60]},
                      {"name": "vertices", "datatype": "FP32", "shape": [-1, 14, 5]}], f"{m}")
check(m["outputs"] == [{"name": "logits", "datatype": "FP32", "shape": [-1, 2]}], f"{m}")
b = c.get_model_metadata("bragg")
check(b["inputs"] == [{"name": "patch", "datatype": "FP32", "shape": [-1, 1, 11, 11]}], f"{b}")
check(b["outputs"] == [{"name": "ploc", "datatype": "FP32", "shape": [-1, 2]}], f"{b}")
check(c.is_model_ready("in") and c.is_model_ready("bragg", "1"), "model ready")
print("metadata: ok")


def infer(model, lo, hi, binary):
    if model == "in":
        a = http.InferInput("tracks", [hi - lo, 30, 60], "FP32")
        a.set_data_from_numpy(tracks[lo:hi], binary_data=binary)
        v = http.InferInput("vertices", [hi - lo, 14, 5], "FP32")
        v.set_data_from_numpy(vertices[lo:hi], binary_data=binary)
        ins, out = [a, v], "logits"
    else:
        p = http.InferInput("patch", [hi - lo, 1, 11, 11], "FP32")
        p.set_data_from_numpy(patch[lo:hi], binary_data=binary)
        ins, out = [p], "ploc"
    r = client().infer(model, ins, outputs=[http.InferRequestedOutput(out, binary_data=binary)])
    return lo, hi, r.as_numpy(out)


def same_bits(a, b):
    return a.dtype == np.float32 and a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32))


rows = tracks.shape[0]
for model in ("in", "bragg"):
    for binary in (False, True):
        for size in (1, 7, 64):
            jobs = [(lo, min(rows, lo + size)) for lo in range(0, rows, size)]
            with ThreadPoolExecutor(16) as pool:
                results = list(pool.map(lambda j: infer(model, j[0], j[1], binary), jobs))
            got = np.concatenate([r[2] for r in sorted(results)])
            check(same_bits(got, want[model]), f"{model} binary={binary} rows/request={size}")
        print(f"bits: {model} {'binary' if binary else 'json'} equals predict ({rows} rows; 1, 7, 64 per request)")

errors, latencies = [], []
lock = threading.Lock()


def one(i):
    lo = i % rows
    start = time.perf_counter()
    try:
        _, _, y = infer("bragg", lo, lo + 1, False)
        ok = same_bits(y, want["bragg"][lo:lo + 1])
    except Exception as e:  # counted, reported
        ok = False
        with lock:
            errors.append(repr(e))
    with lock:
        latencies.append(time.perf_counter() - start)
        if not ok and len(errors) < 5:
            errors.append(f"row {lo} differs")
    return ok


start = time.perf_counter()
with ThreadPoolExecutor(16) as pool:
    oks = list(pool.map(one, range(2000)))
seconds = time.perf_counter() - start
bad = oks.count(False)
lat = np.array(latencies) * 1000
print(f"load: 2000 requests at concurrency 16, {bad} errors, {2000 / seconds:.0f} requests/s, "
      f"p50 {np.percentile(lat, 50):.2f} ms, p99 {np.percentile(lat, 99):.2f} ms")
check(bad == 0, f"load errors {errors[:5]}")
