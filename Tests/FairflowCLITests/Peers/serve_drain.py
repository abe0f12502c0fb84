"""SIGTERM while a request is being answered: it still gets its whole answer, and the server
accepts no new connection. Usage: serve_drain.py PORT PID INPUTS.h5 IN_OUT.h5
"""
import os, sys, signal, socket, threading, time
import h5py, numpy as np
import tritonclient.http as http

port, pid, inputs, in_out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
f = h5py.File(inputs)
want = h5py.File(in_out)["logits"][...]
result = {}


def ask():
    c = http.InferenceServerClient(f"127.0.0.1:{port}", network_timeout=120)
    t = http.InferInput("tracks", list(f["tracks"].shape), "FP32")
    t.set_data_from_numpy(f["tracks"][...], binary_data=False)
    v = http.InferInput("vertices", list(f["vertices"].shape), "FP32")
    v.set_data_from_numpy(f["vertices"][...], binary_data=False)
    try:
        result["y"] = c.infer("in", [t, v]).as_numpy("logits")
    except Exception as e:
        result["error"] = repr(e)


thread = threading.Thread(target=ask)
thread.start()
# Wait until the request is in flight (the server's in-flight gauge says 2: it and /metrics).
c = http.InferenceServerClient(f"127.0.0.1:{port}")
deadline = time.time() + 30
while time.time() < deadline:
    import urllib.request
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
    if "fairflow_serve_in_flight 2" in text:
        break
    time.sleep(0.01)
else:
    print("FAIL the request never got in flight")
    sys.exit(1)
os.kill(pid, signal.SIGTERM)
time.sleep(0.2)
try:
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    print("FAIL a new connection was accepted while draining")
    sys.exit(1)
except OSError:
    pass
thread.join()
if "error" in result:
    print("FAIL", result["error"])
    sys.exit(1)
y = result["y"]
ok = y.shape == want.shape and np.array_equal(y.view(np.uint32), want.view(np.uint32))
print("drain: answered" if ok else "FAIL wrong answer")
sys.exit(0 if ok else 1)
