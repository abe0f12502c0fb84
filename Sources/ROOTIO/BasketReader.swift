internal import Dispatch
internal import Synchronization

/// One basket's entries as raw big-endian data plus entry boundaries.
struct RawBasket: Sendable {
  var firstEntry: Int
  var entries: Int
  /// The decompressed payload; entries' data is `data[..<border]` (an offset table may follow).
  var data: [UInt8]
  var border: Int
  /// Start of each entry in `data`, plus `border` at the end (nil: fixed-size entries).
  var offsets: [Int]?
  var entrySize: Int
}

/// Where a basket is: on disk (key offset and size) or embedded in the TTree record.
enum BasketSource: Sendable {
  case disk(seek: Int, bytes: Int)
  case embedded(EmbeddedBasket)
}

struct BasketRef: Sendable {
  var firstEntry: Int
  var entries: Int
  var source: BasketSource
}

extension TTree {
  /// The baskets of a branch in entry order (reference §4.1, §5), validated against `fEntries`.
  func baskets(of branch: Branch) throws(ROOTError) -> [BasketRef] {
    var refs: [BasketRef] = []
    var total = 0
    for i in 0..<branch.writeBasket {
      guard i < branch.basketSeek.count, i < branch.basketBytes.count,
        i < branch.basketEntry.count
      else { throw .corrupt("branch '\(branch.name)': basket arrays shorter than fWriteBasket") }
      let seek = branch.basketSeek[i]
      guard seek != 0 else { break }
      let first = branch.basketEntry[i]
      var next = branch.entries
      if i + 1 < branch.basketEntry.count, branch.basketEntry[i + 1] >= first,
        i + 1 < branch.writeBasket || branch.basketEntry[i + 1] > 0
      {
        next = branch.basketEntry[i + 1]
      }
      guard first == total, next >= first, next <= branch.entries else {
        throw .corrupt("branch '\(branch.name)': basket \(i) holds entries \(first)..<\(next)")
      }
      refs.append(
        BasketRef(
          firstEntry: first, entries: next - first,
          source: .disk(seek: seek, bytes: branch.basketBytes[i])))
      total = next
    }
    if total < branch.entries {
      for basket in branch.embedded {
        refs.append(
          BasketRef(firstEntry: total, entries: basket.entries, source: .embedded(basket)))
        total += basket.entries
      }
    }
    guard total == branch.entries else {
      throw .corrupt(
        "branch '\(branch.name)': baskets hold \(total) entries, the branch says \(branch.entries)")
    }
    return refs
  }

  /// Reads and decompresses one basket (reference §4.2–4.3).
  func raw(_ ref: BasketRef, branch: Branch) throws(ROOTError) -> RawBasket {
    switch ref.source {
    case .embedded(let e):
      var offsets: [Int]?
      if let stored = e.offsets {
        guard stored.count >= e.entries else {
          throw .corrupt(
            "embedded basket of '\(branch.name)': \(stored.count) offsets for \(e.entries) entries")
        }
        let list = Array(stored.prefix(e.entries)) + [e.data.count]
        for k in 0..<e.entries where list[k] < 0 || list[k] > list[k + 1] {
          throw .corrupt("embedded basket of '\(branch.name)': entry offset \(list[k])")
        }
        offsets = list
      }
      return RawBasket(
        firstEntry: ref.firstEntry, entries: ref.entries, data: e.data, border: e.data.count,
        offsets: offsets, entrySize: e.entrySize)
    case .disk(let seek, let bytes):
      let record = try file.file.read(at: seek, count: bytes, "basket of branch '\(branch.name)'")
      var c = Cursor(record)
      let key = try Key(&c)
      let header = try BasketHeader(&c, branch: branch.name)
      guard c.offset == key.keylen, key.nbytes == bytes else {
        throw .corrupt(
          "basket of branch '\(branch.name)': header ends at \(c.offset), fKeylen is \(key.keylen)")
      }
      guard header.entries == ref.entries else {
        throw .corrupt(
          "basket of branch '\(branch.name)' holds \(header.entries) entries, fBasketEntry says \(ref.entries)"
        )
      }
      let payload = try file.data(of: key, "basket of branch '\(branch.name)'", record: record)
      let border = header.last - key.keylen
      guard border >= 0, border <= payload.count else {
        throw .corrupt("basket of branch '\(branch.name)': fLast \(header.last) outside its data")
      }
      var offsets: [Int]?
      if payload.count > border {
        var t = Cursor(payload, offset: border)
        let n = try t.count("entry offset count")
        guard n >= header.entries, n <= t.remaining / 4 else {
          throw .corrupt("basket of branch '\(branch.name)': offset table of \(n) entries")
        }
        // Entry starts (key-relative in the file), checked to be in order and inside the data.
        let keylen = key.keylen
        let entries = header.entries
        let start = t.offset
        var valid = true
        var list = [Int](unsafeUninitializedCapacity: entries + 1) { buffer, count in
          payload.withUnsafeBytes { raw in
            var previous = 0
            for k in 0..<entries {
              let o =
                Int(
                  Int32(bigEndian: raw.loadUnaligned(fromByteOffset: start + 4 * k, as: Int32.self))
                )
                - keylen
              if o < previous || o > border { valid = false }
              previous = o
              buffer[k] = o
            }
          }
          count = entries
        }
        guard valid else {
          throw .corrupt("basket of branch '\(branch.name)': entry offsets out of order or range")
        }
        list.append(border)
        offsets = list
      } else if header.flag >= 80 {
        throw ROOTError(
          "branch '\(branch.name)': generated offset map (kGenerateOffsetMap) not supported")
      }
      return RawBasket(
        firstEntry: ref.firstEntry, entries: ref.entries, data: payload, border: border,
        offsets: offsets, entrySize: header.entrySize)
    }
  }

  /// Reads `branch` over `entries` (default: all), decompressing baskets in parallel.
  public func read(_ name: String, entries range: Range<Int>? = nil) throws(ROOTError) -> Column {
    let branch = try self.branch(name)
    do throws(ROOTError) {
      let layout = try BranchLayout.of(branch)
      let wanted = range ?? 0..<branch.entries
      guard wanted.lowerBound >= 0, wanted.upperBound <= branch.entries else {
        throw ROOTError("entries \(wanted) outside 0..<\(branch.entries)")
      }
      let refs = try baskets(of: branch).filter {
        $0.firstEntry < wanted.upperBound && $0.firstEntry + $0.entries > wanted.lowerBound
          || ($0.entries == 0 && wanted.isEmpty)
      }
      let parts = Mutex<[Int: Result<Decoded, ROOTError>]>([:])
      DispatchQueue.concurrentPerform(iterations: refs.count) { i in
        let result = Result { () throws(ROOTError) -> Decoded in
          let raw = try self.raw(refs[i], branch: branch)
          return try Decoded.decode(raw, layout: layout, range: wanted, branch: branch.name)
        }
        parts.withLock { $0[i] = result }
      }
      var decoded: [Decoded] = []
      for i in refs.indices {
        switch parts.withLock({ $0[i]! }) {
        case .success(let d): decoded.append(d)
        case .failure(let e): throw e
        }
      }
      return try Decoded.column(decoded, layout: layout, entries: wanted.count, branch: branch.name)
    } catch {
      throw error.context("\(file.path): tree '\(path)', branch '\(name)'")
    }
  }
}

extension TTree {
  /// How many baskets hold a branch (on disk and embedded).
  public func basketCount(_ name: String) throws(ROOTError) -> Int {
    try baskets(of: try branch(name)).count
  }
}

extension TTree {
  /// Reads several branches at once (each also decompresses its baskets in parallel).
  public func read(_ names: [String], entries range: Range<Int>? = nil) throws(ROOTError)
    -> [String: Column]
  {
    try Column.readConcurrently(names) { name throws(ROOTError) in
      try self.read(name, entries: range)
    }
  }
}

extension Column {
  /// Reads the columns `names` in parallel (one worker per core), keyed by name; the first
  /// failure, in the order of `names`, is thrown. Shared by TTree and RNTuple reads.
  static func readConcurrently(
    _ names: [String], _ read: @Sendable (String) throws(ROOTError) -> Column
  ) throws(ROOTError) -> [String: Column] {
    let results = Mutex<[String: Result<Column, ROOTError>]>([:])
    DispatchQueue.concurrentPerform(iterations: names.count) { i in
      let result = Result { () throws(ROOTError) -> Column in try read(names[i]) }
      results.withLock { $0[names[i]] = result }
    }
    var out: [String: Column] = [:]
    for name in names {
      switch results.withLock({ $0[name]! }) {
      case .success(let c): out[name] = c
      case .failure(let e): throw e
      }
    }
    return out
  }
}
