"""PyTorch-format checkpoints written without torch: the real container formats, with the pickle
built by Python's own pickler against stand-in `torch` modules (same module and class names, so the
byte stream is what torch.save writes), plus the same weights as safetensors and ONNX.

Usage: python torch_fixture.py OUTDIR
Writes for each of `in` (interaction network, reference shapes) and `bragg` (BraggNN psz 11):
  NAME-zip.pth      zip format (archive/data.pkl, archive/data/<key>, archive/version)
  NAME-legacy.pth   pre-1.6 single-file format
  NAME.safetensors  written by the safetensors package
  NAME.onnx         the weights as ONNX initialisers (onnx package), PyTorch layout [out, in]
and: strided.pth (a transposed view, a float64 tensor and a nested {"state_dict": …}),
     evil.pth (a pickle that calls os.system), values.json (the strided file's expected values).
"""
import io, json, os, pickle, struct, sys, types, zipfile
from collections import OrderedDict
import numpy as np

torch = types.ModuleType("torch"); utils = types.ModuleType("torch._utils")
sys.modules["torch"] = torch; sys.modules["torch._utils"] = utils
class FloatStorage: pass
class DoubleStorage: pass
FloatStorage.__module__ = DoubleStorage.__module__ = "torch"
torch.FloatStorage, torch.DoubleStorage = FloatStorage, DoubleStorage
def _rebuild_tensor_v2(*args): raise RuntimeError("never called")
_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2
torch._utils = utils

class Storage:
    def __init__(self, key, array): self.key, self.array = key, array
class Tensor:
    def __init__(self, storage, offset, shape, stride): self.s, self.o, self.shape, self.stride = storage, offset, shape, stride
    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor_v2, (self.s, self.o, tuple(self.shape), tuple(self.stride), False, OrderedDict()))

def contiguous(key, array):
    a = np.ascontiguousarray(array)
    strides = [int(s // a.itemsize) for s in a.strides]
    return Tensor(Storage(key, a.ravel()), 0, list(a.shape), strides)

class Pickler(pickle.Pickler):
    legacy = False
    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            kind = DoubleStorage if obj.array.dtype == np.float64 else FloatStorage
            return ("storage", kind, obj.key, "cpu", obj.array.size) + ((None,) if self.legacy else ())
        return None

def storages(obj, out):
    if isinstance(obj, Tensor): out[obj.s.key] = obj.s
    elif isinstance(obj, dict):
        for v in obj.values(): storages(v, out)
    return out

def save_zip(obj, path):
    buf = io.BytesIO(); Pickler(buf, protocol=2).dump(obj)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("archive/data.pkl", buf.getvalue())
        for key, s in storages(obj, {}).items():
            z.writestr(f"archive/data/{key}", s.array.astype(s.array.dtype.newbyteorder("<")).tobytes())
        z.writestr("archive/version", "3\n")

def save_legacy(obj, path):
    with open(path, "wb") as f:
        pickle.dump(0x1950a86a20f9469cfc6c, f, protocol=2)
        pickle.dump(1001, f, protocol=2)
        pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}, f, protocol=2)
        p = Pickler(f, protocol=2); p.legacy = True; p.dump(obj)
        found = storages(obj, {})
        keys = sorted(found)
        pickle.dump(keys, f, protocol=2)
        for key in keys:
            a = found[key].array
            f.write(struct.pack("<q", a.size)); f.write(a.astype(a.dtype.newbyteorder("<")).tobytes())

def shapes(name):
    if name == "in":
        P, S, H, De, Do = 30, 14, 60, 20, 24
        dims = [("fr1", H, 2 * P), ("fr2", H, H), ("fr3", De, H), ("fr1_pv", H, P + S), ("fr2_pv", H, H),
                ("fr3_pv", De, H), ("fo1", H, P + 2 * De), ("fo2", H, H), ("fo3", Do, H), ("fc_fixed", 2, Do)]
        return [(f"{n}.weight", (o, i)) for n, o, i in dims] + [(f"{n}.bias", (o,)) for n, o, i in dims]
    out = [("cnn_layers.0.weight", (64, 1, 3, 3)), ("cnn_layers.0.bias", (64,))]
    for n in ("theta_layer", "phi_layer", "g_layer"):
        out += [(f"nlb.{n}.weight", (32, 64, 1, 1)), (f"nlb.{n}.bias", (32,))]
    out += [("nlb.out_cnn.weight", (64, 32, 1, 1)), ("nlb.out_cnn.bias", (64,)),
            ("cnn_layers.2.weight", (32, 64, 3, 3)), ("cnn_layers.2.bias", (32,)),
            ("cnn_layers.4.weight", (8, 32, 3, 3)), ("cnn_layers.4.bias", (8,))]
    widths = [200, 16, 8, 4, 2, 2]
    for k in range(5):
        out += [(f"dense_layers.{2*k}.weight", (widths[k + 1], widths[k])), (f"dense_layers.{2*k}.bias", (widths[k + 1],))]
    return out

def main(out):
    import onnx
    from onnx import helper, TensorProto
    from safetensors.numpy import save_file
    rng = np.random.default_rng(17)
    for name in ("in", "bragg"):
        arrays = OrderedDict((k, (rng.standard_normal(s) * 0.2).astype(np.float32)) for k, s in shapes(name))
        state = OrderedDict((k, contiguous(str(i), a)) for i, (k, a) in enumerate(arrays.items()))
        save_zip(state, os.path.join(out, f"{name}-zip.pth"))
        save_legacy(state, os.path.join(out, f"{name}-legacy.pth"))
        save_file(dict(arrays), os.path.join(out, f"{name}.safetensors"))
        inits = [helper.make_tensor(k, TensorProto.FLOAT, a.shape, a.tobytes(), raw=True) for k, a in arrays.items()]
        graph = helper.make_graph([], "weights", [], [], initializer=inits)
        onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, f"{name}.onnx"))
    base = np.arange(6, dtype=np.float32).reshape(2, 3) + 0.5
    t = Tensor(Storage("0", base.ravel()), 0, [3, 2], [1, 3])          # base.T as a view
    d = contiguous("1", np.array([[1.25, -2.5]], dtype=np.float64))
    save_zip({"state_dict": OrderedDict([("module.t", t), ("module.d", d)])}, os.path.join(out, "strided.pth"))
    json.dump({"t": base.T.ravel().tolist(), "d": [1.25, -2.5]}, open(os.path.join(out, "values.json"), "w"))
    # A pickle that would run a shell command if loaded by a naive unpickler.
    with zipfile.ZipFile(os.path.join(out, "evil.pth"), "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02cos\nsystem\nq\x00X\x05\x00\x00\x00touchq\x01\x85q\x02Rq\x03.")

if __name__ == "__main__":
    main(sys.argv[1])
