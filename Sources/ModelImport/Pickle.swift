/// A safe interpreter for the subset of Python's pickle format that PyTorch checkpoints use.
/// It never executes anything: globals are resolved against a fixed allow-list
/// (`collections.OrderedDict`, `torch._utils._rebuild_tensor_v2`, `torch._utils._rebuild_parameter`,
/// `torch.*Storage`), and any other global, or any opcode outside the supported set, is an error.
enum Pickle {
  indirect enum Value: Equatable {
    case none
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([Value])
    case list([Value])
    case dict([(Value, Value)])
    case global(String)
    /// A storage named by a persistent id: (dtype name, key, element count).
    case storage(dtype: String, key: String, count: Int)
    /// A tensor view of a storage.
    case tensor(TensorRef)
    /// `persistent_load` input before resolution.
    case persistent(Value)

    static func == (a: Value, b: Value) -> Bool {
      switch (a, b) {
      case (.none, .none): return true
      case (.bool(let x), .bool(let y)): return x == y
      case (.int(let x), .int(let y)): return x == y
      case (.string(let x), .string(let y)): return x == y
      default: return false
      }
    }

    var string: String? { if case .string(let s) = self { return s } else { return nil } }
    var int: Int? { if case .int(let i) = self { return i } else { return nil } }
    var items: [Value]? {
      switch self {
      case .tuple(let v), .list(let v): return v
      default: return nil
      }
    }
  }

  struct TensorRef: Equatable {
    var dtype: String
    var storage: String
    var offset: Int
    var shape: [Int]
    var stride: [Int]
  }

  static let allowedGlobals: Set<String> = [
    "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
    "torch.FloatStorage", "torch.DoubleStorage", "torch.HalfStorage", "torch.LongStorage",
    "torch.IntStorage", "torch.ShortStorage", "torch.CharStorage", "torch.ByteStorage",
    "torch.BoolStorage", "torch.BFloat16Storage",
  ]

  /// Runs the pickle at `bytes[start...]`; returns the result and where it stopped.
  static func load(_ bytes: [UInt8], from start: Int = 0) throws(ImportError) -> (Value, Int) {
    var stack: [Value] = []
    var marks: [Int] = []
    var memo: [Int: Value] = [:]
    var i = start
    func need(_ n: Int) throws(ImportError) {
      guard n >= 0, i + n <= bytes.count else {
        throw ImportError("pickle: truncated at byte \(i)")
      }
    }
    func uint(_ n: Int) throws(ImportError) -> Int {
      try need(n)
      var v = 0
      for k in 0..<n { v |= Int(bytes[i + k]) << (8 * k) }
      i += n
      return v
    }
    func pop() throws(ImportError) -> Value {
      guard let v = stack.popLast() else {
        throw ImportError("pickle: stack underflow at byte \(i)")
      }
      return v
    }
    func popMark() throws(ImportError) -> [Value] {
      guard let m = marks.popLast(), m <= stack.count else {
        throw ImportError("pickle: missing MARK")
      }
      let items = Array(stack[m...])
      stack.removeSubrange(m...)
      return items
    }
    func text(_ n: Int) throws(ImportError) -> String {
      try need(n)
      defer { i += n }
      return String(decoding: bytes[i..<(i + n)], as: UTF8.self)
    }
    func line() throws(ImportError) -> String {
      guard let end = bytes[i...].firstIndex(of: 0x0A) else {
        throw ImportError("pickle: unterminated line")
      }
      defer { i = end + 1 }
      return String(decoding: bytes[i..<end], as: UTF8.self)
    }
    func global(_ name: String) throws(ImportError) -> Value {
      guard allowedGlobals.contains(name) else {
        throw ImportError(
          "pickle asks for '\(name)', which fairflow does not load (only tensors, storages and OrderedDict are allowed)",
          hint: "the file is not a plain PyTorch state dict, or it is unsafe to load")
      }
      return .global(name)
    }
    while true {
      try need(1)
      let op = bytes[i]
      i += 1
      guard stack.count < 1_000_000, memo.count < 1_000_000 else {
        throw ImportError("pickle: too large")
      }
      switch op {
      case 0x80: _ = try uint(1)  // PROTO
      case 0x95: _ = try uint(8)  // FRAME
      case 0x2E: return (try pop(), i)  // STOP
      case 0x28: marks.append(stack.count)  // MARK
      case 0x7D: stack.append(.dict([]))  // EMPTY_DICT
      case 0x5D: stack.append(.list([]))  // EMPTY_LIST
      case 0x29: stack.append(.tuple([]))  // EMPTY_TUPLE
      case 0x4E: stack.append(.none)
      case 0x88: stack.append(.bool(true))
      case 0x89: stack.append(.bool(false))
      case 0x4A: stack.append(.int(Int(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
      case 0x4B: stack.append(.int(try uint(1)))  // BININT1
      case 0x4D: stack.append(.int(try uint(2)))  // BININT2
      case 0x8A:  // LONG1
        let n = try uint(1)
        try need(n)
        if n > 8 {
          // A big integer (the legacy format's magic number): kept as its little-endian bytes.
          stack.append(.bytes(Array(bytes[i..<(i + n)])))
          i += n
          continue
        }
        var v: UInt64 = 0
        for k in 0..<n { v |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
        if n > 0, n < 8, bytes[i + n - 1] & 0x80 != 0 { v |= ~0 << (8 * UInt64(n)) }
        i += n
        stack.append(.int(Int(Int64(bitPattern: v))))
      case 0x47:  // BINFLOAT (big-endian)
        try need(8)
        var v: UInt64 = 0
        for k in 0..<8 { v = v << 8 | UInt64(bytes[i + k]) }
        i += 8
        stack.append(.float(Double(bitPattern: v)))
      case 0x58: stack.append(.string(try text(try uint(4))))  // BINUNICODE
      case 0x8C: stack.append(.string(try text(try uint(1))))  // SHORT_BINUNICODE
      case 0x8D: stack.append(.string(try text(try uint(8))))  // BINUNICODE8
      case 0x54: stack.append(.string(try text(try uint(4))))  // BINSTRING
      case 0x55: stack.append(.string(try text(try uint(1))))  // SHORT_BINSTRING
      case 0x43, 0x42:  // SHORT_BINBYTES, BINBYTES
        let n = try uint(op == 0x43 ? 1 : 4)
        try need(n)
        stack.append(.bytes(Array(bytes[i..<(i + n)])))
        i += n
      case 0x74: stack.append(.tuple(try popMark()))  // TUPLE
      case 0x85: stack.append(.tuple([try pop()]))
      case 0x86: let b = try pop(); let a = try pop(); stack.append(.tuple([a, b]))
      case 0x87:
        let c = try pop(); let b = try pop(); let a = try pop(); stack.append(.tuple([a, b, c]))
      case 0x6C: stack.append(.list(try popMark()))  // LIST
      case 0x61:  // APPEND
        let v = try pop()
        guard case .list(var l) = try pop() else {
          throw ImportError("pickle: APPEND to a non-list")
        }
        l.append(v)
        stack.append(.list(l))
      case 0x65:  // APPENDS
        let items = try popMark()
        guard case .list(var l) = try pop() else {
          throw ImportError("pickle: APPENDS to a non-list")
        }
        l += items
        stack.append(.list(l))
      case 0x73, 0x75:  // SETITEM, SETITEMS
        let items = op == 0x73 ? [try pop(), try pop()].reversed() : try popMark()
        guard items.count % 2 == 0, case .dict(var d) = try pop() else {
          throw ImportError("pickle: SETITEM on a non-dict")
        }
        for k in stride(from: 0, to: items.count, by: 2) { d.append((items[k], items[k + 1])) }
        stack.append(.dict(d))
      case 0x71: memo[try uint(1)] = stack.last  // BINPUT
      case 0x72: memo[try uint(4)] = stack.last  // LONG_BINPUT
      case 0x94: memo[memo.count] = stack.last  // MEMOIZE
      case 0x68, 0x6A:  // BINGET, LONG_BINGET
        let k = try uint(op == 0x68 ? 1 : 4)
        guard let v = memo[k] else { throw ImportError("pickle: memo \(k) is empty") }
        stack.append(v)
      case 0x63:  // GLOBAL
        let module = try line()
        let name = try line()
        stack.append(try global(module + "." + name))
      case 0x93:  // STACK_GLOBAL
        let name = try pop()
        let module = try pop()
        guard let m = module.string, let n = name.string else {
          throw ImportError("pickle: bad STACK_GLOBAL")
        }
        stack.append(try global(m + "." + n))
      case 0x51: stack.append(try resolvePersistent(try pop()))  // BINPERSID
      case 0x52:  // REDUCE
        let args = try pop()
        let callable = try pop()
        stack.append(try reduce(callable, args))
      case 0x81:  // NEWOBJ
        let args = try pop()
        let cls = try pop()
        stack.append(try reduce(cls, args))
      case 0x62:  // BUILD: state on dicts (OrderedDict._metadata) is ignored
        _ = try pop()
        guard let top = stack.last, case .dict = top else {
          throw ImportError("pickle: BUILD on something other than a dict")
        }
      default:
        throw ImportError("pickle: unsupported opcode 0x\(String(op, radix: 16)) at byte \(i - 1)")
      }
    }
  }

  static func resolvePersistent(_ id: Value) throws(ImportError) -> Value {
    // ('storage', torch.FloatStorage, key, location, numel[, view_metadata])
    guard let t = id.items, t.count >= 5, t[0].string == "storage", case .global(let type) = t[1],
      let key = t[2].string ?? t[2].int.map(String.init), let count = t[4].int
    else { throw ImportError("pickle: unsupported persistent id") }
    let dtype = String(type.dropFirst("torch.".count).dropLast("Storage".count))
    return .storage(dtype: dtype, key: key, count: count)
  }

  static func reduce(_ callable: Value, _ args: Value) throws(ImportError) -> Value {
    guard case .global(let name) = callable, let a = args.items else {
      throw ImportError("pickle: REDUCE of something that is not an allowed global")
    }
    switch name {
    case "collections.OrderedDict":
      return .dict([])
    case "torch._utils._rebuild_tensor_v2":
      guard a.count >= 4, case .storage(let dtype, let key, _) = a[0], let offset = a[1].int,
        let shape = a[2].items?.compactMap(\.int), let stride = a[3].items?.compactMap(\.int),
        shape.count == a[2].items?.count, stride.count == shape.count
      else { throw ImportError("pickle: malformed _rebuild_tensor_v2 arguments") }
      return .tensor(
        TensorRef(dtype: dtype, storage: key, offset: offset, shape: shape, stride: stride))
    case "torch._utils._rebuild_parameter":
      guard let first = a.first, case .tensor = first else {
        throw ImportError("pickle: malformed _rebuild_parameter arguments")
      }
      return first
    default:
      throw ImportError("pickle: calling '\(name)' is not supported")
    }
  }
}
