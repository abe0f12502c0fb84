/// Parses TTree metadata (reference §3): TTree v16–20 (and TNtuple around one), TBranch v10–13,
/// TBranchElement v8–10, TLeaf v2 and its concrete classes, and embedded baskets.
struct TreeParser {
  /// Buffer position + 2 of each leaf read → the branch that holds it (for `fLeafCount`).
  var leafOwners: [Int: String] = [:]
  var branchStack: [String] = []
  var inlineLeafDepth = 0

  static func parse(_ data: [UInt8], key: Key, path: String, file: ROOTFile) throws(ROOTError)
    -> TTree
  {
    var c = Cursor(data, origin: key.keylen)
    var parser = TreeParser()
    if key.className == "TNtuple" || key.className == "TNtupleD" {
      _ = try ObjectStream.header(&c, key.className)
    } else if key.className != "TTree" {
      throw ROOTError("'\(path)' is a \(key.className), not a TTree")
    }
    return try parser.tree(&c, path: path, file: file)
  }

  mutating func tree(_ c: inout Cursor, path: String, file: ROOTFile) throws(ROOTError) -> TTree {
    let h = try ObjectStream.header(&c, "TTree")
    let v = h.version
    guard (16...20).contains(v) else { throw ROOTError("unsupported TTree version \(v)") }
    let (name, title) = try ObjectStream.named(&c)
    for part in ["TAttLine", "TAttFill", "TAttMarker"] {
      let ph = try ObjectStream.header(&c, part)
      guard ph.end != nil else { throw .corrupt("\(part) without a byte count") }
      ObjectStream.skip(to: ph, &c)
    }
    let entries = try c.i64("fEntries")
    guard entries >= 0 else { throw .corrupt("negative entry count") }
    try c.skip(8 * 3, "TTree byte totals")
    if v >= 18 { try c.skip(8, "fFlushedBytes") }
    try c.skip(8 + 4 * 3, "fWeight, fTimerInterval, fScanField, fUpdate")
    if v >= 17 { try c.skip(4, "fDefaultEntryOffsetLen") }
    var clusterRanges = 0
    if v >= 19 { clusterRanges = try c.count("fNClusterRange") }
    try c.skip(8 * 4, "fMaxEntries … fAutoSave")
    if v >= 18 { try c.skip(8, "fAutoFlush") }
    try c.skip(8, "fEstimate")
    if v >= 19 {
      for what in ["fClusterRangeEnd", "fClusterSize"] where try c.u8(what) != 0 {
        try c.skip(8 * clusterRanges, what)
      }
    }
    if v >= 20 {
      let io = try ObjectStream.header(&c, "TIOFeatures")
      ObjectStream.skip(to: io, &c)
    }
    var branches: [Branch] = []
    try ObjectStream.objArray(&c, "fBranches") { (c: inout Cursor, p) throws(ROOTError) in
      if let b = try self.branch(&c, p) { branches.append(b) }
    }
    return TTree(
      path: path, name: name, title: title, entries: Int(entries), version: v, branches: branches,
      file: file)
  }

  /// A branch element of a TObjArray; nil for a null slot.
  mutating func branch(_ c: inout Cursor, _ p: ObjectStream.Pointer) throws(ROOTError) -> Branch? {
    guard case .object(let className, _, let end) = p else { return nil }
    guard branchStack.count < 32 else { throw .corrupt("branches nested deeper than 32 levels") }
    var branch: Branch
    switch className {
    case "TBranch":
      branch = try plainBranch(&c, className: className)
    case "TBranchElement":
      let h = try ObjectStream.header(&c, "TBranchElement")
      guard (8...10).contains(h.version) else {
        throw ROOTError("unsupported TBranchElement version \(h.version)")
      }
      branch = try plainBranch(&c, className: className)
      branch.elementClassName = try c.tstring("fClassName")
      _ = try c.tstring("fParentName")
      _ = try c.tstring("fClonesName")
      _ = try c.u32("fCheckSum")
      if h.version >= 10 { _ = try c.i16("fClassVersion") } else { _ = try c.i32("fClassVersion") }
      branch.elementID = Int(try c.i32("fID"))
      branch.elementKind = Int(try c.i32("fType"))
      branch.streamerType = Int(try c.i32("fStreamerType"))
      ObjectStream.skip(to: h, &c)
    default:
      // TBranchObject, TBranchRef, …: keep the name so reading it gives a clear error.
      guard let end else { throw ROOTError("unsupported branch class \(className)") }
      var peek = c
      var name = "?"
      if (try? ObjectStream.header(&peek, className)) != nil,
        (try? ObjectStream.header(&peek, "TBranch")) != nil,
        let named = try? ObjectStream.named(&peek)
      {
        name = named.0
      }
      c.offset = end
      return Branch(
        name: name, title: "", className: className, entries: 0, entryOffsetLength: 0,
        writeBasket: 0, basketBytes: [], basketEntry: [], basketSeek: [], leaves: [],
        subBranches: [], embedded: [])
    }
    if let end { c.offset = end }
    return branch
  }

  /// The TBranch part (reference §3.3).
  mutating func plainBranch(_ c: inout Cursor, className: String) throws(ROOTError) -> Branch {
    let h = try ObjectStream.header(&c, "TBranch")
    let v = h.version
    guard (10...13).contains(v) else { throw ROOTError("unsupported TBranch version \(v)") }
    let (name, title) = try ObjectStream.named(&c)
    branchStack.append(name)
    defer { branchStack.removeLast() }
    let fill = try ObjectStream.header(&c, "TAttFill")
    ObjectStream.skip(to: fill, &c)
    _ = try c.i32("fCompress")
    _ = try c.i32("fBasketSize")
    let entryOffsetLength = try c.count("fEntryOffsetLen")
    let writeBasket = try c.count("fWriteBasket")
    _ = try c.i64("fEntryNumber")
    if v >= 13 {
      let io = try ObjectStream.header(&c, "TIOFeatures")
      ObjectStream.skip(to: io, &c)
    }
    _ = try c.i32("fOffset")
    let maxBaskets = try c.count("fMaxBaskets")
    guard maxBaskets <= c.remaining / 8 + 1, writeBasket <= maxBaskets else {
      throw .corrupt("branch '\(name)': fMaxBaskets \(maxBaskets), fWriteBasket \(writeBasket)")
    }
    _ = try c.i32("fSplitLevel")
    let entries = try c.i64("fEntries")
    guard entries >= 0 else { throw .corrupt("branch '\(name)': negative entry count") }
    if v >= 11 { _ = try c.i64("fFirstEntry") }
    try c.skip(16, "fTotBytes, fZipBytes")
    var subBranches: [Branch] = []
    try ObjectStream.objArray(&c, "fBranches") { (c: inout Cursor, p) throws(ROOTError) in
      if let b = try self.branch(&c, p) { subBranches.append(b) }
    }
    var leaves: [Leaf] = []
    try ObjectStream.objArray(&c, "fLeaves") { (c: inout Cursor, p) throws(ROOTError) in
      if let leaf = try self.leaf(&c, p) { leaves.append(leaf) }
    }
    var embedded: [EmbeddedBasket] = []
    try ObjectStream.objArray(&c, "fBaskets") { (c: inout Cursor, p) throws(ROOTError) in
      if let basket = try Self.embeddedBasket(&c, p, branch: name) { embedded.append(basket) }
    }
    func array(_ what: String, width: Int) throws(ROOTError) -> [Int] {
      guard try c.u8(what) != 0 else { return [] }
      var out: [Int] = []
      out.reserveCapacity(maxBaskets)
      for _ in 0..<maxBaskets {
        out.append(width == 4 ? Int(try c.i32(what)) : Int(try c.i64(what)))
      }
      return out
    }
    let basketBytes = try array("fBasketBytes", width: 4)
    let basketEntry = try array("fBasketEntry", width: 8)
    let basketSeek = try array("fBasketSeek", width: 8)
    _ = try c.tstring("fFileName")
    if let end = h.end, c.offset != end {
      throw .corrupt("branch '\(name)' ends at \(c.offset), its byte count says \(end)")
    }
    return Branch(
      name: name, title: title, className: className, entries: Int(entries),
      entryOffsetLength: entryOffsetLength, writeBasket: writeBasket, basketBytes: basketBytes,
      basketEntry: basketEntry, basketSeek: basketSeek, leaves: leaves, subBranches: subBranches,
      embedded: embedded)
  }

  static let leafClasses: Set<String> = [
    "TLeafO", "TLeafB", "TLeafS", "TLeafI", "TLeafL", "TLeafG", "TLeafF", "TLeafD", "TLeafC",
    "TLeafElement", "TLeafF16", "TLeafD32",
  ]

  mutating func leaf(_ c: inout Cursor, _ p: ObjectStream.Pointer) throws(ROOTError) -> Leaf? {
    guard case .object(let className, let position, let end) = p else { return nil }
    guard Self.leafClasses.contains(className) else {
      guard let end else { throw ROOTError("unsupported leaf class \(className)") }
      c.offset = end
      return Leaf(
        className: className, name: "?", title: "", length: 0, lengthType: 0, isRange: false,
        isUnsigned: false)
    }
    let outer = try ObjectStream.header(&c, className)
    let inner = try ObjectStream.header(&c, "TLeaf")
    guard inner.version == 2 else { throw ROOTError("unsupported TLeaf version \(inner.version)") }
    let (name, title) = try ObjectStream.named(&c)
    let length = try c.count("fLen")
    let lengthType = try c.count("fLenType")
    _ = try c.i32("fOffset")
    let isRange = try c.u8("fIsRange") != 0
    let isUnsigned = try c.u8("fIsUnsigned") != 0
    var countBranch: String?
    switch try ObjectStream.pointer(&c) {
    case .null: break
    case .reference(let r):
      guard let owner = leafOwners[r] else {
        throw .corrupt("leaf '\(name)': counter leaf reference \(r) not found")
      }
      countBranch = owner
    case .object(let cls, let pos, let e):
      // A counter leaf streamed inline (rare): parse and register it.
      guard inlineLeafDepth < 4 else { throw .corrupt("counter leaves nested inline") }
      inlineLeafDepth += 1
      defer { inlineLeafDepth -= 1 }
      var copy = c
      if let counter = try self.leaf(&copy, .object(className: cls, position: pos, end: e)) {
        _ = counter
        countBranch = leafOwners[pos]
      }
      c = copy
    }
    ObjectStream.skip(to: inner, &c)
    var elementType: Int?
    if className == "TLeafElement" {
      _ = try c.i32("fID")
      elementType = Int(try c.i32("fType"))
    }
    ObjectStream.skip(to: outer, &c)
    if let end { c.offset = end }
    if let owner = branchStack.last { leafOwners[position] = owner }
    return Leaf(
      className: className, name: name, title: title, length: length, lengthType: lengthType,
      isRange: isRange, isUnsigned: isUnsigned, countBranch: countBranch, elementType: elementType)
  }

  /// An element of `fBaskets` (reference §5); only baskets whose buffer is present count.
  static func embeddedBasket(_ c: inout Cursor, _ p: ObjectStream.Pointer, branch: String)
    throws(ROOTError) -> EmbeddedBasket?
  {
    guard case .object(let className, _, let end) = p else { return nil }
    guard className == "TBasket", let end else {
      throw ROOTError("branch '\(branch)': unexpected \(className) in fBaskets")
    }
    defer { c.offset = end }
    let key = try Key(&c)
    let header = try BasketHeader(&c, branch: branch)
    var offsets: [Int]?
    if header.flag != 0, header.flag % 10 != 2, header.flag < 80 {
      let n = try c.count("embedded basket offsets")
      guard n <= c.remaining / 4 else { throw .corrupt("embedded basket offset count \(n)") }
      var list: [Int] = []
      for _ in 0..<n { list.append(Int(try c.i32("entry offset")) - key.keylen) }
      offsets = list
      if header.flag > 40 {
        let m = try c.count("displacement count")
        try c.skip(4 * m, "displacements")
      }
    }
    guard header.flag == 1 || header.flag > 10, header.flag < 80 else { return nil }
    guard header.last >= key.keylen else { throw .corrupt("embedded basket fLast \(header.last)") }
    try c.skip(key.keylen, "embedded basket key placeholder")
    let data = Array(try c.take(header.last - key.keylen, "embedded basket data"))
    return EmbeddedBasket(
      entries: header.entries, keylen: key.keylen, entrySize: header.entrySize, offsets: offsets,
      data: data)
  }
}

/// The basket header after a TBasket key's strings (reference §4.2).
struct BasketHeader {
  var version: Int
  var entrySize: Int
  var ioBits: Int
  var entries: Int
  var last: Int
  var flag: Int

  init(_ c: inout Cursor, branch: String) throws(ROOTError) {
    version = Int(try c.u16("basket version"))
    _ = try c.i32("fBufferSize")
    var size = Int(try c.i32("fNevBufSize"))
    ioBits = 0
    if size < 0 {
      size = -size
      ioBits = Int(try c.u8("fIOBits"))
    }
    entrySize = size
    entries = try c.count("fNevBuf")
    last = try c.count("fLast")
    flag = Int(try c.u8("basket flag"))
  }
}
