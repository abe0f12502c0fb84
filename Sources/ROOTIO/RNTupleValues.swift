/// Turns decoded column elements into a `Column`'s values, and a collection's index column into
/// per-entry item offsets.
extension RNTuple {
  /// Elements `range` of a leaf's column as typed values.
  func values(_ leaf: RNTupleLayout.Leaf, _ range: Range<Int>) throws(ROOTError) -> Column.Values {
    func typed<T>(_: T.Type) throws(ROOTError) -> [T] {
      try elements(of: leaf.column, range, type: leaf.type, as: T.self)
    }
    switch leaf.element {
    // A Bit column decodes to bytes 0 and 1: Bool's own representation.
    case .bool: return .bool(try typed(Bool.self))
    case .int8: return .int8(try typed(Int8.self))
    case .uint8: return .uint8(try typed(UInt8.self))
    case .int16: return .int16(try typed(Int16.self))
    case .uint16: return .uint16(try typed(UInt16.self))
    case .int32: return .int32(try typed(Int32.self))
    case .uint32: return .uint32(try typed(UInt32.self))
    case .int64: return .int64(try typed(Int64.self))
    case .uint64: return .uint64(try typed(UInt64.self))
    case .float32: return .float32(try typed(Float.self))
    case .float64 where leaf.widen: return .float64(try typed(Float.self).map { Double($0) })
    case .float64: return .float64(try typed(Double.self))
    case .string: return .string([])
    }
  }

  /// A collection's index column over a range of entries: each entry's end offset relative to
  /// its cluster (`ends[k - from]` for entry k), with the element before the range when the
  /// range starts inside a cluster. Decoded once and shared by every field of the collection.
  struct IndexRun: Sendable {
    var from: Int
    var ends: [Int]
  }

  func indexRun(_ index: RNTupleLayout.IndexColumn, entries: Range<Int>) throws(ROOTError)
    -> IndexRun
  {
    guard let cluster = clusters.first(where: { $0.firstEntry + $0.entries > entries.lowerBound }),
      !entries.isEmpty
    else { return IndexRun(from: entries.lowerBound, ends: []) }
    let from =
      cluster.firstEntry == entries.lowerBound ? entries.lowerBound : entries.lowerBound - 1
    let range = from..<entries.upperBound
    if index.type.width == 4 {
      let raw = try elements(of: index.column, range, type: index.type, as: UInt32.self)
      return IndexRun(from: from, ends: raw.map { Int($0) })
    }
    // 64-bit ends read as Int: values past Int.max become negative and `itemOffsets` refuses them.
    guard MemoryLayout<Int>.size == 8 else { throw ROOTError("64-bit index on a 32-bit host") }
    return IndexRun(
      from: from, ends: try elements(of: index.column, range, type: index.type, as: Int.self))
  }

  /// Where the items of `entries` start (counted over the whole item column in units of
  /// `perItem` elements of column `items`) and their offsets from there (entries + 1 values): a
  /// cluster's first item is the item column's first element there, plus the cluster-relative
  /// ends of `run`.
  func itemOffsets(_ run: IndexRun, items: Int, perItem: Int, entries: Range<Int>)
    throws(ROOTError) -> (start: Int, offsets: [Int])
  {
    guard perItem > 0 else { throw .corrupt("array of size 0") }
    let itemTotal = try pages(of: items).total
    let limit = itemTotal / perItem
    guard
      var cluster = clusters.firstIndex(where: {
        $0.firstEntry + $0.entries > entries.lowerBound
      }), !entries.isEmpty
    else {
      let start = clusters.first { $0.firstEntry >= entries.lowerBound }?.columns[items]
      return ((start?.firstElement ?? itemTotal) / perItem, [0])
    }
    guard run.ends.count == entries.upperBound - run.from else {
      throw .corrupt("index of \(run.ends.count) entries for \(entries)")
    }
    func base(_ c: Int) throws(ROOTError) -> Int {
      let first = clusters[c].columns[items].firstElement
      guard first % perItem == 0 else { throw .corrupt("item column \(items) split mid-array") }
      return first / perItem
    }
    let first = clusters[cluster].firstEntry == entries.lowerBound ? 0 : run.ends[0]
    guard first >= 0, first <= limit else { throw .corrupt("collection offset \(first)") }
    let start = try base(cluster) + first
    var clusterBase = try base(cluster) - start
    var clusterEnd = clusters[cluster].firstEntry + clusters[cluster].entries
    let skip = entries.lowerBound - run.from
    let count = entries.count
    var failure: ROOTError?
    let offsets = [Int](unsafeUninitializedCapacity: count + 1) { out, initialized in
      initialized = 0
      run.ends.withUnsafeBufferPointer { ends in
        out[0] = 0
        var previous = 0
        for k in 0..<count {
          let entry = entries.lowerBound + k
          while entry >= clusterEnd {
            cluster += 1
            do throws(ROOTError) {
              clusterBase = try base(cluster) - start
            } catch {
              failure = error
              return
            }
            clusterEnd = clusters[cluster].firstEntry + clusters[cluster].entries
          }
          let local = ends[skip + k]
          guard local >= 0, local <= limit, clusterBase + local >= previous else {
            failure = .corrupt("collection offset \(local) at entry \(entry) (\(limit) items)")
            return
          }
          previous = clusterBase + local
          out[k + 1] = previous
        }
        initialized = count + 1
      }
    }
    if let failure { throw failure }
    guard start + offsets[count] <= limit else {
      throw .corrupt("collection offsets reach item \(start + offsets[count]) of \(limit)")
    }
    return (start, offsets)
  }
}
