"""Hostile requests against fairflow serve: each must get its status and a JSON {"error": ...}
body naming the problem, and the server must stay up. Usage: serve_hostile.py PORT
Models served: "in" (interaction network) and "bragg" (BraggNN). Prints one line per case.
"""
import sys, json, socket, struct, http.client

port = int(sys.argv[1])
patch = [0.5] * 121


def req(inputs, **extra):
    return json.dumps(dict(inputs=inputs, **extra)).encode()


def p(shape=(1, 1, 11, 11), data=None, datatype="FP32", name="patch"):
    return dict(name=name, shape=list(shape), datatype=datatype, data=patch if data is None else data)


binary_nan = json.dumps({"inputs": [{"name": "patch", "shape": [1, 1, 11, 11], "datatype": "FP32",
                                     "parameters": {"binary_data_size": 484}}]}).encode()
cases = [
    # (name, method, path, headers, body, status, words in the error)
    ("malformed JSON", "POST", "/v2/models/bragg/infer", {}, b'{"inputs": [}', 400, "malformed JSON"),
    ("truncated body", "POST", "/v2/models/bragg/infer", {}, req([p()])[:50], 400, "malformed JSON"),
    ("not an object", "POST", "/v2/models/bragg/infer", {}, b"[1, 2]", 400, "must be a JSON object"),
    ("no inputs", "POST", "/v2/models/bragg/infer", {}, b"{}", 400, 'no "inputs" list'),
    ("wrong datatype", "POST", "/v2/models/bragg/infer", {}, req([p(datatype="INT32")]), 400, "datatype INT32"),
    ("wrong shape", "POST", "/v2/models/bragg/infer", {}, req([p(shape=(1, 1, 10, 11))]), 400, "has shape [1, 1, 10, 11]"),
    ("huge declared shape", "POST", "/v2/models/bragg/infer", {}, req([p(shape=(10**12, 1, 11, 11))]), 400, "1000000000000 rows"),
    ("negative shape", "POST", "/v2/models/bragg/infer", {}, req([p(shape=(-1, 1, 11, 11))]), 400, "non-negative integers"),
    ("too few values", "POST", "/v2/models/bragg/infer", {}, req([p(data=[1.0, 2.0])]), 400, "has 2 values"),
    ("too many values", "POST", "/v2/models/bragg/infer", {}, req([p(data=patch * 2)]), 400, "more than the 121 values"),
    ("strings as data", "POST", "/v2/models/bragg/infer", {}, req([p(data=["x"] * 121)]), 400, "only numbers"),
    ("NaN literal", "POST", "/v2/models/bragg/infer", {}, req([p(data=[float("nan")] * 121)]), 400, "malformed JSON"),
    ("overflowing number", "POST", "/v2/models/bragg/infer", {}, req([p(data=[1e39] * 121)]), 400, "not a finite FP32 value"),
    ("binary NaN", "POST", "/v2/models/bragg/infer", {"Inference-Header-Content-Length": str(len(binary_nan))},
     binary_nan + struct.pack("<121f", *([float("nan")] * 121)), 400, "element 0 is nan"),
    ("binary body too short", "POST", "/v2/models/bragg/infer", {"Inference-Header-Content-Length": str(len(binary_nan))},
     binary_nan + b"\0" * 100, 400, "ends before its 484 binary bytes"),
    ("bad header length", "POST", "/v2/models/bragg/infer", {"Inference-Header-Content-Length": "abc"}, req([p()]), 400, "is not a number"),
    ("header length past body", "POST", "/v2/models/bragg/infer", {"Inference-Header-Content-Length": "999999"}, req([p()]), 400, "Inference-Header-Content-Length is 999999"),
    ("trailing bytes", "POST", "/v2/models/bragg/infer", {"Inference-Header-Content-Length": str(len(req([p()])))}, req([p()]) + b"xxxx", 400, "4 bytes after the JSON"),
    ("unknown input", "POST", "/v2/models/bragg/infer", {}, req([p(name="image")]), 400, "unknown input 'image'"),
    ("duplicate input", "POST", "/v2/models/bragg/infer", {}, req([p(), p()]), 400, "given twice"),
    ("missing input", "POST", "/v2/models/in/infer", {},
     req([dict(name="tracks", shape=[1, 30, 60], datatype="FP32", data=[0.0] * 1800)]), 400, "missing input 'vertices'"),
    ("batch sizes disagree", "POST", "/v2/models/in/infer", {},
     req([dict(name="tracks", shape=[1, 30, 60], datatype="FP32", data=[0.0] * 1800),
          dict(name="vertices", shape=[2, 14, 5], datatype="FP32", data=[0.0] * 140)]), 400, "disagree on the batch size"),
    ("unknown output", "POST", "/v2/models/bragg/infer", {}, req([p()], outputs=[{"name": "x"}]), 400, "unknown output 'x'"),
    ("id not a string", "POST", "/v2/models/bragg/infer", {}, req([p()], id=5), 400, '"id" must be a string'),
    ("deep nesting", "POST", "/v2/models/bragg/infer", {}, b"[" * 100000 + b"]" * 100000, 400, "nesting deeper than 512"),
    ("invalid UTF-8", "POST", "/v2/models/bragg/infer", {}, b'{"id": "\xff\xfe"}', 400, "not UTF-8"),
    ("unknown model", "POST", "/v2/models/nope/infer", {}, req([p()]), 404, "unknown model 'nope'"),
    ("unknown version", "GET", "/v2/models/bragg/versions/2", {}, b"", 404, "only version 1"),
    ("unknown path", "GET", "/v3/anything", {}, b"", 404, "no endpoint /v3/anything"),
    ("GET on infer", "GET", "/v2/models/bragg/infer", {}, b"", 405, "method not allowed; use POST"),
    ("DELETE on live", "DELETE", "/v2/health/live", {}, b"", 405, "method not allowed; use GET"),
]


def check(ok, what):
    if not ok:
        print("FAIL", what)
        sys.exit(1)


for name, method, path, headers, body, status, words in cases:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request(method, path, body=body if body else None, headers=headers)
    r = c.getresponse()
    text = r.read().decode()
    try:
        error = json.loads(text)["error"]
    except Exception:
        error = None
    check(r.status == status and error is not None and words in error,
          f"{name}: {r.status} {text[:300]!r}, wanted {status} with {words!r}")
    print(f"hostile: {name}: {status}")
    c.close()

# An oversize body: refused on its Content-Length, before the bytes are read.
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"POST /v2/models/bragg/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n")
answer = s.recv(65536).decode()
check(answer.startswith("HTTP/1.1 413") and "--max-body-bytes" in answer, f"oversize: {answer[:200]!r}")
s.close()
print("hostile: oversize body (declared): 413")
# Not HTTP at all: the connection is answered 400 and closed.
s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(b"\x00\x01garbage\r\n\r\n")
answer = s.recv(65536).decode(errors="replace")
check(answer.startswith("HTTP/1.1 400"), f"garbage: {answer[:200]!r}")
s.close()
print("hostile: not HTTP: 400")
c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
c.request("GET", "/v2/health/live")
check(c.getresponse().status == 200, "still live")
print("hostile: still live")
