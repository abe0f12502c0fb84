public import NeuralKit

/// PyTorch checkpoints without Python or torch: the zip format (`archive/data.pkl` + raw storages
/// in `archive/data/<key>`, torch ≥ 1.6) and the older single-file format (a magic-number pickle,
/// protocol, system info, the state-dict pickle, the storage-key list, then each storage as an
/// int64 element count and its raw little-endian data). Float32 and Float64 tensors are read
/// (as Float32), with any strides and offsets.
public enum TorchCheckpoint {
  public static func read(_ bytes: [UInt8]) throws(ImportError) -> [String: Tensor] {
    if ZipArchive.isZip(bytes) {
      let zip = try ZipArchive(bytes)
      guard let pickleName = zip.entries.keys.sorted().first(where: { $0.hasSuffix("data.pkl") })
      else {
        throw ImportError("zip archive without a data.pkl: not a PyTorch checkpoint")
      }
      let prefix = String(pickleName.dropLast("data.pkl".count))
      let (root, _) = try Pickle.load(try zip.data(pickleName))
      return try tensors(from: root) { (key) throws(ImportError) in
        try zip.data(prefix + "data/" + key)
      }
    }
    guard bytes.count > 2, bytes[0] == 0x80 else {
      throw ImportError("not a PyTorch checkpoint (neither a zip archive nor a pickle)")
    }
    // Legacy: magic number, protocol version, system info, then the object.
    var at = 0
    let (magic, a1) = try Pickle.load(bytes, from: at)
    // torch's legacy magic number 0x1950a86a20f9469cfc6c, little-endian.
    guard case .bytes(let m) = magic,
      m == [0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
    else {
      throw ImportError("not a PyTorch checkpoint: the legacy format's magic number is missing")
    }
    at = a1
    let (_, a2) = try Pickle.load(bytes, from: at)
    let (_, a3) = try Pickle.load(bytes, from: a2)
    let (root, a4) = try Pickle.load(bytes, from: a3)
    let (keysValue, a5) = try Pickle.load(bytes, from: a4)
    guard let keys = keysValue.items?.compactMap(\.string) else {
      throw ImportError("legacy checkpoint: no storage key list")
    }
    var storages: [String: [UInt8]] = [:]
    var sizes: [String: Int] = [:]
    collectStorages(root, into: &sizes)
    at = a5
    for key in keys {
      guard at + 8 <= bytes.count else {
        throw ImportError("legacy checkpoint: truncated storage '\(key)'")
      }
      var count = 0
      for k in 0..<8 { count |= Int(bytes[at + k]) << (8 * k) }
      at += 8
      let width = sizes[key] ?? 4
      guard count >= 0, count <= (bytes.count - at) / max(width, 1) else {
        throw ImportError("legacy checkpoint: storage '\(key)' claims \(count) elements")
      }
      storages[key] = Array(bytes[at..<(at + count * width)])
      at += count * width
    }
    return try tensors(from: root) { (key) throws(ImportError) in
      guard let s = storages[key] else { throw ImportError("checkpoint: missing storage '\(key)'") }
      return s
    }
  }

  static func width(_ dtype: String) -> Int? {
    switch dtype {
    case "Float": return 4
    case "Double": return 8
    default: return nil
    }
  }

  static func collectStorages(_ v: Pickle.Value, into sizes: inout [String: Int]) {
    switch v {
    case .tensor(let t): sizes[t.storage] = width(t.dtype) ?? 4
    case .dict(let pairs): for (_, value) in pairs { collectStorages(value, into: &sizes) }
    case .list(let items), .tuple(let items):
      for item in items { collectStorages(item, into: &sizes) }
    default: break
    }
  }

  /// The state dict inside `root` (itself, or under `state_dict` / `model_state_dict` / `model`),
  /// names without a DataParallel `module.` prefix.
  static func tensors(from root: Pickle.Value, storage: (String) throws(ImportError) -> [UInt8])
    throws(ImportError) -> [String: Tensor]
  {
    guard case .dict(var pairs) = root else {
      throw ImportError("checkpoint does not hold a dictionary")
    }
    if !pairs.contains(where: { if case .tensor = $0.1 { true } else { false } }) {
      for key in ["state_dict", "model_state_dict", "model"] {
        if let inner = pairs.first(where: { $0.0.string == key })?.1, case .dict(let p) = inner {
          pairs = p
          break
        }
      }
    }
    var out: [String: Tensor] = [:]
    var cache: [String: [UInt8]] = [:]
    for (k, v) in pairs {
      guard var name = k.string, case .tensor(let t) = v else { continue }
      if name.hasPrefix("module.") { name = String(name.dropFirst(7)) }
      guard let w = width(t.dtype) else {
        throw ImportError(
          "tensor '\(name)' has dtype \(t.dtype); only Float and Double are imported")
      }
      let raw: [UInt8]
      if let c = cache[t.storage] {
        raw = c
      } else {
        raw = try storage(t.storage); cache[t.storage] = raw
      }
      let count = t.shape.reduce(1, *)
      var values = [Float](repeating: 0, count: count)
      var index = [Int](repeating: 0, count: t.shape.count)
      for n in 0..<count {
        var element = t.offset
        for d in 0..<t.shape.count { element += index[d] * t.stride[d] }
        guard element >= 0, (element + 1) * w <= raw.count else {
          throw ImportError("tensor '\(name)' reaches past its storage")
        }
        let p = element * w
        if w == 4 {
          values[n] = Float(
            bitPattern: UInt32(raw[p]) | UInt32(raw[p + 1]) << 8 | UInt32(raw[p + 2]) << 16
              | UInt32(raw[p + 3]) << 24)
        } else {
          var bits: UInt64 = 0
          for k in 0..<8 { bits |= UInt64(raw[p + k]) << (8 * UInt64(k)) }
          values[n] = Float(Double(bitPattern: bits))
        }
        var d = t.shape.count - 1
        while d >= 0 {
          index[d] += 1
          if index[d] < t.shape[d] { break }
          index[d] = 0
          d -= 1
        }
      }
      out[name] = Tensor(shape: t.shape, data: values)
    }
    guard !out.isEmpty else { throw ImportError("checkpoint holds no tensors") }
    return out
  }
}
