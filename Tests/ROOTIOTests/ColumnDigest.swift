import FairflowBase
import FairflowCore
import ROOTIO

/// The digests `Peers/uproot_digest.py` computes, from fairflow's columns.
struct ColumnDigest: Equatable, CustomStringConvertible {
  var dtype: String
  var inner: [Int]
  var jagged: Bool
  var entries: Int
  var counts: String?
  var values: String

  init(_ column: Column) {
    dtype = column.type.rawValue
    inner = column.innerShape
    jagged = column.offsets != nil
    entries = column.entries
    if let offsets = column.offsets {
      var bytes: [UInt8] = []
      for k in 0..<column.entries {
        withUnsafeBytes(of: Int64(offsets[k + 1] - offsets[k]).littleEndian) { bytes += $0 }
      }
      counts = Digest.of(bytes).hex
    }
    values = Digest.of(Self.littleEndian(column.values)).hex
  }

  init(dtype: String, inner: [Int], jagged: Bool, entries: Int, counts: String?, values: String) {
    self.dtype = dtype
    self.inner = inner
    self.jagged = jagged
    self.entries = entries
    self.counts = counts
    self.values = values
  }

  static func littleEndian(_ values: Column.Values) -> [UInt8] {
    func raw<T>(_ array: [T]) -> [UInt8] { array.withUnsafeBytes { Array($0) } }
    switch values {
    case .bool(let v): return v.map { $0 ? 1 : 0 }
    case .int8(let v): return raw(v)
    case .uint8(let v): return v
    case .int16(let v): return raw(v.map(\.littleEndian))
    case .uint16(let v): return raw(v.map(\.littleEndian))
    case .int32(let v): return raw(v.map(\.littleEndian))
    case .uint32(let v): return raw(v.map(\.littleEndian))
    case .int64(let v): return raw(v.map(\.littleEndian))
    case .uint64(let v): return raw(v.map(\.littleEndian))
    case .float32(let v): return raw(v.map(\.bitPattern.littleEndian))
    case .float64(let v): return raw(v.map(\.bitPattern.littleEndian))
    case .string(let v):
      var out: [UInt8] = []
      for s in v {
        withUnsafeBytes(of: UInt32(s.utf8.count).littleEndian) { out += $0 }
        out += s.utf8
      }
      return out
    }
  }

  var description: String {
    "\(dtype)\(inner) jagged=\(jagged) entries=\(entries) counts=\(counts?.prefix(12) ?? "-") values=\(values.prefix(12))"
  }
}
