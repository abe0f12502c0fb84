/// Turns decoded column elements into a `Column`'s values and a collection's index column into
/// per-entry item offsets.
extension RNTuple {
  /// Elements `range` of a leaf's column as typed values.
  func values(_ leaf: RNTupleLayout.Leaf, _ range: Range<Int>) throws(ROOTError) -> Column.Values {
    let bytes = try elements(of: leaf.column, range, type: leaf.type)
    /// One pass over the little-endian elements, each converted by `convert`.
    func fill<T>(_ width: Int, _ convert: (UnsafeRawBufferPointer, Int) -> T) -> [T] {
      let n = bytes.count / width
      return [T](unsafeUninitializedCapacity: n) { buffer, count in
        bytes.withUnsafeBytes { raw in
          for i in 0..<n { (buffer.baseAddress! + i).initialize(to: convert(raw, i)) }
        }
        count = n
      }
    }
    func load<T: FixedWidthInteger>(_: T.Type) -> [T] {
      fill(MemoryLayout<T>.size) { raw, i in
        T(littleEndian: raw.loadUnaligned(fromByteOffset: i &* MemoryLayout<T>.size, as: T.self))
      }
    }
    switch leaf.element {
    case .bool: return .bool(bytes.map { $0 != 0 })
    case .int8: return .int8(bytes.map { Int8(bitPattern: $0) })
    case .uint8: return .uint8(bytes)
    case .int16: return .int16(load(Int16.self))
    case .uint16: return .uint16(load(UInt16.self))
    case .int32: return .int32(load(Int32.self))
    case .uint32: return .uint32(load(UInt32.self))
    case .int64: return .int64(load(Int64.self))
    case .uint64: return .uint64(load(UInt64.self))
    case .float32:
      return .float32(
        fill(4) { raw, i in
          Float(
            bitPattern: UInt32(
              littleEndian: raw.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self)))
        })
    case .float64 where leaf.widen:
      return .float64(
        fill(4) { raw, i in
          Double(
            Float(
              bitPattern: UInt32(
                littleEndian: raw.loadUnaligned(fromByteOffset: i &* 4, as: UInt32.self))))
        })
    case .float64:
      return .float64(
        fill(8) { raw, i in
          Double(
            bitPattern: UInt64(
              littleEndian: raw.loadUnaligned(fromByteOffset: i &* 8, as: UInt64.self)))
        })
    case .string: return .string([])
    }
  }

  /// Item offsets of `entries` (entries + 1 values, counted over the whole item column in
  /// units of `perItem` elements of column `items`). An index column holds, per entry, the end
  /// of its items relative to its cluster; a cluster's first item is the item column's first
  /// element there.
  func itemOffsets(
    _ index: RNTupleLayout.IndexColumn, items: Int, perItem: Int, entries: Range<Int>
  ) throws(ROOTError) -> [Int] {
    guard perItem > 0 else { throw .corrupt("array of size 0") }
    let itemTotal = try pages(of: items).total
    var out: [Int] = []
    out.reserveCapacity(entries.count + 1)
    var cluster = clusters.firstIndex { $0.firstEntry + $0.entries > entries.lowerBound } ?? 0
    guard !entries.isEmpty, cluster < clusters.count else {
      let start = clusters.first { $0.firstEntry >= entries.lowerBound }?.columns[items]
      return [(start?.firstElement ?? itemTotal) / perItem]
    }
    // One element before the range, unless the range starts a cluster (then it starts at 0).
    let from =
      clusters[cluster].firstEntry == entries.lowerBound
      ? entries.lowerBound : entries.lowerBound - 1
    let raw = try elements(of: index.column, from..<entries.upperBound, type: index.type)
    /// The cluster-relative end offset stored for `entry`, checked to be a possible item index.
    func local(_ entry: Int) throws(ROOTError) -> Int {
      let i = entry - from
      let value = raw.withUnsafeBytes { b in
        index.type.width == 4
          ? Int(UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
          : Int(
            truncatingIfNeeded: UInt64(
              littleEndian: b.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))
      }
      guard value >= 0, value <= itemTotal else {
        throw .corrupt("collection offset \(value) at entry \(entry) (\(itemTotal) items)")
      }
      return value
    }
    func base(_ c: Int) throws(ROOTError) -> Int {
      let first = clusters[c].columns[items].firstElement
      guard first % perItem == 0 else { throw .corrupt("item column \(items) split mid-array") }
      return first / perItem
    }
    let start = clusters[cluster].firstEntry
    out.append(
      try base(cluster) + (entries.lowerBound == start ? 0 : local(entries.lowerBound - 1)))
    for entry in entries {
      while entry >= clusters[cluster].firstEntry + clusters[cluster].entries {
        cluster += 1
      }
      let end = try base(cluster) + (try local(entry))
      guard end >= out.last! else {
        throw .corrupt("collection offsets decrease at entry \(entry)")
      }
      out.append(end)
    }
    guard out.last! <= itemTotal / perItem else {
      throw .corrupt("collection offsets reach item \(out.last!) of \(itemTotal / perItem)")
    }
    return out
  }
}
