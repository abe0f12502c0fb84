internal import Dispatch

/// A basket's entries in the requested range, converted to native values (in parallel, one
/// basket per task), with items per entry for jagged branches.
struct Decoded: Sendable {
  /// Big-endian values to convert: `bytes[range]` (the basket payload, or gathered vector data).
  var bytes: [UInt8] = []
  var range: Range<Int> = 0..<0
  var counts: [Int] = []
  var strings: [String] = []

  static func decode(_ raw: RawBasket, layout: BranchLayout, range: Range<Int>, branch: String)
    throws(ROOTError) -> Decoded
  {
    let lo = max(range.lowerBound - raw.firstEntry, 0)
    let hi = min(range.upperBound - raw.firstEntry, raw.entries)
    var out = Decoded()
    guard lo < hi else { return out }
    func offsets() throws(ROOTError) -> [Int] {
      guard let offsets = raw.offsets else {
        throw ROOTError("variable-size entries without an offset table")
      }
      return offsets
    }
    switch layout {
    case .fixed(let type, let inner):
      let per = inner.reduce(1, *) * type.width
      if raw.offsets == nil {
        let (needed, overflow) = raw.entries.multipliedReportingOverflow(by: per)
        guard !overflow, raw.border == needed else {
          throw ROOTError.corrupt(
            "basket of \(raw.entries) entries × \(per) bytes has \(raw.border) bytes")
        }
        (out.bytes, out.range) = (raw.data, lo * per..<hi * per)
      } else {
        let offsets = try offsets()
        for k in lo..<hi where offsets[k + 1] - offsets[k] != per {
          throw ROOTError.corrupt(
            "entry \(raw.firstEntry + k) has \(offsets[k + 1] - offsets[k]) bytes, not \(per)")
        }
        (out.bytes, out.range) = (raw.data, offsets[lo]..<offsets[hi])
      }
    case .leafCount(let type, let inner, _):
      let item = inner.reduce(1, *) * type.width
      let offsets = try offsets()
      out.counts.reserveCapacity(hi - lo)
      for k in lo..<hi {
        let length = offsets[k + 1] - offsets[k]
        guard item > 0, length % item == 0 else {
          throw ROOTError.corrupt(
            "entry \(raw.firstEntry + k): \(length) bytes is not a whole number of \(item)-byte items"
          )
        }
        out.counts.append(length / item)
      }
      (out.bytes, out.range) = (raw.data, offsets[lo]..<offsets[hi])
    case .vector(let type):
      let offsets = try offsets()
      out.counts.reserveCapacity(hi - lo)
      var gathered: [UInt8] = []
      gathered.reserveCapacity(offsets[hi] - offsets[lo])
      for k in lo..<hi {
        let start = offsets[k]
        let length = offsets[k + 1] - start
        var c = Cursor(raw.data, offset: start)
        guard length >= 10 else {
          throw ROOTError.corrupt("entry \(raw.firstEntry + k): short std::vector")
        }
        let word = try c.u32("vector byte count")
        _ = try c.u16("vector version")
        let size = try c.count("vector size")
        guard word & 0x4000_0000 != 0, Int(word & ~0x4000_0000) == 6 + size * type.width,
          length == 10 + size * type.width
        else {
          throw ROOTError.corrupt(
            "entry \(raw.firstEntry + k): std::vector header does not match its \(length) bytes")
        }
        gathered += raw.data[(start + 10)..<(start + length)]
        out.counts.append(size)
      }
      (out.bytes, out.range) = (gathered, 0..<gathered.count)
    case .string:
      let offsets = try offsets()
      for k in lo..<hi {
        var c = Cursor(Array(raw.data[offsets[k]..<offsets[k + 1]]))
        out.strings.append(try c.tstring("string entry"))
      }
    }
    return out
  }

  static func column(_ parts: [Decoded], layout: BranchLayout, entries: Int, branch: String)
    throws(ROOTError) -> Column
  {
    switch layout {
    case .string:
      let strings = parts.flatMap(\.strings)
      guard strings.count == entries else {
        throw ROOTError.corrupt("\(strings.count) of \(entries) entries")
      }
      return Column(
        type: .string, innerShape: [], offsets: nil, values: .string(strings), entries: entries)
    case .fixed(let type, let inner):
      let values = try convert(parts, type)
      guard values.count == entries * inner.reduce(1, *) else {
        throw ROOTError.corrupt("decoded \(values.count) values for \(entries) entries")
      }
      return Column(type: type, innerShape: inner, offsets: nil, values: values, entries: entries)
    case .leafCount(let type, let inner, _):
      return try jagged(parts, type: type, inner: inner, entries: entries)
    case .vector(let type):
      return try jagged(parts, type: type, inner: [], entries: entries)
    }
  }

  static func jagged(_ parts: [Decoded], type: ElementType, inner: [Int], entries: Int)
    throws(ROOTError) -> Column
  {
    guard parts.reduce(0, { $0 + $1.counts.count }) == entries else {
      throw ROOTError.corrupt(
        "decoded \(parts.reduce(0) { $0 + $1.counts.count }) of \(entries) entries")
    }
    let offsets = [Int](unsafeUninitializedCapacity: entries + 1) { buffer, count in
      var i = 0
      var total = 0
      buffer[0] = 0
      for p in parts {
        p.counts.withUnsafeBufferPointer { counts in
          for n in counts {
            total &+= n
            i += 1
            buffer[i] = total
          }
        }
      }
      count = entries + 1
    }
    let values = try convert(parts, type)
    guard values.count == offsets.last! * inner.reduce(1, *) else {
      throw ROOTError.corrupt("decoded \(values.count) values for \(offsets.last!) items")
    }
    return Column(type: type, innerShape: inner, offsets: offsets, values: values, entries: entries)
  }

  /// Converts every part's big-endian bytes into one native array, allocated once and filled
  /// in parallel (each part writes its own slice).
  static func convert(_ parts: [Decoded], _ type: ElementType) throws(ROOTError) -> Column.Values {
    let width = type.width
    var starts: [Int] = []
    var total = 0
    for p in parts {
      guard width > 0, p.range.count % width == 0, p.range.lowerBound >= 0,
        p.range.upperBound <= p.bytes.count
      else {
        throw ROOTError.corrupt(
          "\(p.range.count) bytes is not a whole number of \(type.rawValue) values")
      }
      starts.append(total)
      total += p.range.count / width
    }
    let offsets = starts
    let count = total
    func fill<R>(_ convert: @escaping @Sendable (UnsafeRawBufferPointer, Int) -> R) -> [R] {
      [R](unsafeUninitializedCapacity: count) { buffer, initialized in
        let out = SendablePointer(buffer.baseAddress)
        DispatchQueue.concurrentPerform(iterations: parts.count) { i in
          let part = parts[i]
          part.bytes.withUnsafeBytes { all in
            let raw = UnsafeRawBufferPointer(rebasing: all[part.range])
            let n = raw.count / width
            let base = out.pointer! + offsets[i]
            for j in 0..<n { (base + j).initialize(to: convert(raw, j)) }
          }
        }
        initialized = count
      }
    }
    func load<T: FixedWidthInteger & SendableMetatype>(
      _: T.Type
    ) -> @Sendable (UnsafeRawBufferPointer, Int) -> T {
      { raw, j in
        T(bigEndian: raw.loadUnaligned(fromByteOffset: j &* MemoryLayout<T>.size, as: T.self))
      }
    }
    switch type {
    case .bool: return .bool(fill { raw, j in raw[j] != 0 })
    case .int8: return .int8(fill { raw, j in Int8(bitPattern: raw[j]) })
    case .uint8: return .uint8(fill { raw, j in raw[j] })
    case .int16: return .int16(fill(load(Int16.self)))
    case .uint16: return .uint16(fill(load(UInt16.self)))
    case .int32: return .int32(fill(load(Int32.self)))
    case .uint32: return .uint32(fill(load(UInt32.self)))
    case .int64: return .int64(fill(load(Int64.self)))
    case .uint64: return .uint64(fill(load(UInt64.self)))
    case .float32:
      let l = load(UInt32.self)
      return .float32(fill { raw, j in Float(bitPattern: l(raw, j)) })
    case .float64:
      let l = load(UInt64.self)
      return .float64(fill { raw, j in Double(bitPattern: l(raw, j)) })
    case .string: return .string([])
    }
  }
}

/// A pointer handed to parallel workers that write disjoint ranges.
struct SendablePointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>?
  init(_ pointer: UnsafeMutablePointer<T>?) { self.pointer = pointer }
}
