/// The element types a branch can hold.
public enum ElementType: String, Sendable, CaseIterable {
  case bool, int8, uint8, int16, uint16, int32, uint32, int64, uint64, float32, float64, string

  /// Bytes per element on disk (strings: variable).
  public var width: Int {
    switch self {
    case .bool, .int8, .uint8: return 1
    case .int16, .uint16: return 2
    case .int32, .uint32, .float32: return 4
    case .int64, .uint64, .float64: return 8
    case .string: return 0
    }
  }
}

/// Values of one branch over a range of entries.
///
/// - flat scalar: one value per entry (`innerShape == []`, `offsets == nil`);
/// - fixed array `x[3]`, `m[2][3]`: `innerShape` values per entry, row-major;
/// - jagged (`x[n]`, `std::vector<T>`): entry `k` holds items `offsets[k] ..< offsets[k+1]`, each
///   item `innerShape` values.
public struct Column: Sendable {
  public var type: ElementType
  public var innerShape: [Int]
  /// Item offsets per entry (entries + 1 values) for jagged branches.
  public var offsets: [Int]?
  public var values: Values
  public var entries: Int

  public init(type: ElementType, innerShape: [Int], offsets: [Int]?, values: Values, entries: Int) {
    self.type = type
    self.innerShape = innerShape
    self.offsets = offsets
    self.values = values
    self.entries = entries
  }

  public enum Values: Sendable {
    case bool([Bool])
    case int8([Int8])
    case uint8([UInt8])
    case int16([Int16])
    case uint16([UInt16])
    case int32([Int32])
    case uint32([UInt32])
    case int64([Int64])
    case uint64([UInt64])
    case float32([Float])
    case float64([Double])
    case string([String])

    public var count: Int {
      switch self {
      case .bool(let v): return v.count
      case .int8(let v): return v.count
      case .uint8(let v): return v.count
      case .int16(let v): return v.count
      case .uint16(let v): return v.count
      case .int32(let v): return v.count
      case .uint32(let v): return v.count
      case .int64(let v): return v.count
      case .uint64(let v): return v.count
      case .float32(let v): return v.count
      case .float64(let v): return v.count
      case .string(let v): return v.count
      }
    }
  }

  /// Values per item (product of `innerShape`).
  public var itemSize: Int { innerShape.reduce(1, *) }

  /// Number of values (all entries, flattened).
  public var count: Int { values.count }

  /// Every value as a Double (strings: NaN), for feature extraction.
  public func doubles() -> [Double] {
    switch values {
    case .bool(let v): return v.map { $0 ? 1 : 0 }
    case .int8(let v): return v.map(Double.init)
    case .uint8(let v): return v.map(Double.init)
    case .int16(let v): return v.map(Double.init)
    case .uint16(let v): return v.map(Double.init)
    case .int32(let v): return v.map(Double.init)
    case .uint32(let v): return v.map(Double.init)
    case .int64(let v): return v.map(Double.init)
    // Not `map(Double.init)`: for UInt64 that picks `Double(bitPattern:)`.
    case .uint64(let v): return v.map { Double($0) }
    case .float32(let v): return v.map(Double.init)
    case .float64(let v): return v
    case .string(let v): return v.map { _ in .nan }
    }
  }

  /// Items in entry `k` (1 for flat and fixed-array branches).
  public func itemCount(entry k: Int) -> Int {
    guard let offsets else { return 1 }
    return offsets[k + 1] - offsets[k]
  }
}
