/// A basket's entries in the requested range: raw big-endian values and items per entry.
struct Decoded: Sendable {
  var data: [UInt8] = []
  var counts: [Int] = []
  var strings: [String] = []

  static func decode(_ raw: RawBasket, layout: BranchLayout, range: Range<Int>, branch: String)
    throws(ROOTError) -> Decoded
  {
    let lo = max(range.lowerBound - raw.firstEntry, 0)
    let hi = min(range.upperBound - raw.firstEntry, raw.entries)
    var out = Decoded()
    guard lo < hi else { return out }
    func entry(_ k: Int) throws(ROOTError) -> ArraySlice<UInt8> {
      guard let offsets = raw.offsets else {
        throw ROOTError("variable-size entries without an offset table")
      }
      return raw.data[offsets[k]..<offsets[k + 1]]
    }
    switch layout {
    case .fixed(let type, let inner):
      let per = inner.reduce(1, *) * type.width
      if raw.offsets == nil {
        let (needed, overflow) = raw.entries.multipliedReportingOverflow(by: per)
        guard !overflow, raw.data.count == needed else {
          throw ROOTError.corrupt(
            "basket of \(raw.entries) entries × \(per) bytes has \(raw.data.count) bytes")
        }
        out.data = Array(raw.data[(lo * per)..<(hi * per)])
      } else {
        out.data.reserveCapacity((hi - lo) * per)
        for k in lo..<hi {
          let bytes = try entry(k)
          guard bytes.count == per else {
            throw ROOTError.corrupt(
              "entry \(raw.firstEntry + k) has \(bytes.count) bytes, not \(per)")
          }
          out.data += bytes
        }
      }
    case .leafCount(let type, let inner, _):
      let item = inner.reduce(1, *) * type.width
      out.counts.reserveCapacity(hi - lo)
      guard let offsets = raw.offsets else {
        throw ROOTError("variable-size entries without an offset table")
      }
      out.data = Array(raw.data[offsets[lo]..<offsets[hi]])
      for k in lo..<hi {
        let length = offsets[k + 1] - offsets[k]
        guard item > 0, length % item == 0 else {
          throw ROOTError.corrupt(
            "entry \(raw.firstEntry + k): \(length) bytes is not a whole number of \(item)-byte items"
          )
        }
        out.counts.append(length / item)
      }
    case .vector(let type):
      out.counts.reserveCapacity(hi - lo)
      for k in lo..<hi {
        let bytes = try entry(k)
        var c = Cursor(Array(bytes))
        let word = try c.u32("vector byte count")
        _ = try c.u16("vector version")
        let size = try c.count("vector size")
        guard word & 0x4000_0000 != 0, Int(word & ~0x4000_0000) == 6 + size * type.width,
          bytes.count == 10 + size * type.width
        else {
          throw ROOTError.corrupt(
            "entry \(raw.firstEntry + k): std::vector header does not match its \(bytes.count) bytes"
          )
        }
        out.data += bytes.dropFirst(10)
        out.counts.append(size)
      }
    case .string:
      for k in lo..<hi {
        var c = Cursor(Array(try entry(k)))
        out.strings.append(try c.tstring("string entry"))
      }
    }
    return out
  }

  static func column(_ parts: [Decoded], layout: BranchLayout, entries: Int, branch: String)
    throws(ROOTError) -> Column
  {
    var data: [UInt8] = []
    data.reserveCapacity(parts.reduce(0) { $0 + $1.data.count })
    for p in parts { data += p.data }
    switch layout {
    case .string:
      let strings = parts.flatMap(\.strings)
      guard strings.count == entries else {
        throw ROOTError.corrupt("\(strings.count) of \(entries) entries")
      }
      return Column(
        type: .string, innerShape: [], offsets: nil, values: .string(strings), entries: entries)
    case .fixed(let type, let inner):
      let values = try convert(data, type)
      guard values.count == entries * inner.reduce(1, *) else {
        throw ROOTError.corrupt("decoded \(values.count) values for \(entries) entries")
      }
      return Column(type: type, innerShape: inner, offsets: nil, values: values, entries: entries)
    case .leafCount(let type, let inner, _):
      return try jagged(parts, data: data, type: type, inner: inner, entries: entries)
    case .vector(let type):
      return try jagged(parts, data: data, type: type, inner: [], entries: entries)
    }
  }

  static func jagged(
    _ parts: [Decoded], data: [UInt8], type: ElementType, inner: [Int], entries: Int
  )
    throws(ROOTError) -> Column
  {
    var offsets = [0]
    offsets.reserveCapacity(entries + 1)
    for p in parts { for n in p.counts { offsets.append(offsets.last! + n) } }
    guard offsets.count == entries + 1 else {
      throw ROOTError.corrupt("decoded \(offsets.count - 1) of \(entries) entries")
    }
    let values = try convert(data, type)
    return Column(type: type, innerShape: inner, offsets: offsets, values: values, entries: entries)
  }

  /// Big-endian bytes to native values.
  static func convert(_ data: [UInt8], _ type: ElementType) throws(ROOTError) -> Column.Values {
    guard type.width > 0, data.count % type.width == 0 else {
      throw ROOTError.corrupt(
        "\(data.count) bytes is not a whole number of \(type.rawValue) values")
    }
    func ints<T: FixedWidthInteger>(_: T.Type) -> [T] {
      let n = data.count / MemoryLayout<T>.size
      return [T](unsafeUninitializedCapacity: n) { buffer, count in
        data.withUnsafeBytes { raw in
          for i in 0..<n {
            buffer[i] = T(
              bigEndian: raw.loadUnaligned(fromByteOffset: i * MemoryLayout<T>.size, as: T.self))
          }
        }
        count = n
      }
    }
    switch type {
    case .bool: return .bool(data.map { $0 != 0 })
    case .int8: return .int8(data.map { Int8(bitPattern: $0) })
    case .uint8: return .uint8(data)
    case .int16: return .int16(ints(Int16.self))
    case .uint16: return .uint16(ints(UInt16.self))
    case .int32: return .int32(ints(Int32.self))
    case .uint32: return .uint32(ints(UInt32.self))
    case .int64: return .int64(ints(Int64.self))
    case .uint64: return .uint64(ints(UInt64.self))
    case .float32: return .float32(ints(UInt32.self).map(Float.init(bitPattern:)))
    case .float64: return .float64(ints(UInt64.self).map(Double.init(bitPattern:)))
    case .string: throw ROOTError("strings are not numeric")
    }
  }
}
