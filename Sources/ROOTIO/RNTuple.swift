internal import Dispatch
internal import Synchronization

/// An RNTuple (ROOT's columnar successor of TTree, format 1.0, ROOT ≥ 6.34 and uproot ≥ 5.6):
/// its schema, clusters and entry count. Values are read with `read(_:entries:)`, which returns
/// the same `Column` a TTree branch read does, so `convert` treats fields like branches.
///
/// Reading: the anchor (a classic key) locates the header (fields, columns) and footer envelopes;
/// the footer lists cluster groups, each with a page list envelope giving every cluster's
/// entry range and, per column, its pages. A field's values are its column's elements, found
/// page by page across clusters (see `RNTuplePageReader`).
public struct RNTuple: Sendable {
  public static let className = "ROOT::RNTuple"
  public let path: String
  public let name: String
  public let entries: Int
  /// Every leaf field, dotted for records ("jets.pt"), readable or not (see `problem`).
  public let fields: [RNTupleField]
  let schema: RNTupleSchema
  let clusters: [RNTupleCluster]
  let layouts: [String: Result<RNTupleLayout, ROOTError>]
  let file: ROOTFile

  init(anchor: RNTupleAnchor, path: String, file: ROOTFile) throws(ROOTError) {
    var header = try file.envelope(
      anchor.header, length: anchor.headerLength, type: 1, "header envelope")
    var schema = try RNTupleSchema(header: &header)
    var footer = try file.envelope(
      anchor.footer, length: anchor.footerLength, type: 2, "footer envelope")
    clusters = try RNTupleCluster.clusters(footer: &footer, schema: &schema, file: file)
    for (id, field) in schema.fields.enumerated() where field.parent >= schema.fields.count {
      throw .corrupt("field \(id) '\(field.name)' has parent \(field.parent)")
    }
    // A cluster written before the schema extension added columns lists fewer; reading such a
    // column there fails (`pages(of:)`), the other fields still read.
    self.schema = schema
    self.path = path
    self.file = file
    name = schema.name
    entries = clusters.last.map { $0.firstEntry + $0.entries } ?? 0
    var layouts: [String: Result<RNTupleLayout, ROOTError>] = [:]
    var fields: [RNTupleField] = []
    for (name, type, layout) in RNTupleLayout.resolve(schema) where layouts[name] == nil {
      layouts[name] = layout
      fields.append(RNTupleField(name: name, typeName: type, layout: layout))
    }
    self.layouts = layouts
    self.fields = fields
  }

  /// Reads field `name` over `entries` (default: all).
  public func read(_ name: String, entries range: Range<Int>? = nil) throws(ROOTError) -> Column {
    try read(name, entries: range, runs: [:])
  }

  /// Reads a field, taking its collection's index from `runs` (by index column) when there.
  func read(_ name: String, entries range: Range<Int>?, runs: [Int: IndexRun]) throws(ROOTError)
    -> Column
  {
    guard let layout = layouts[name] else {
      throw ROOTError(
        "\(file.path): RNTuple '\(path)' has no field '\(name)'",
        hint: "fields: \(fields.prefix(20).map(\.name).joined(separator: ", "))")
    }
    do throws(ROOTError) {
      let wanted = range ?? 0..<entries
      guard wanted.lowerBound >= 0, wanted.upperBound <= entries else {
        throw ROOTError("entries \(wanted) outside 0..<\(entries)")
      }
      switch try layout.get() {
      case .flat(let leaf):
        let n = leaf.inner.reduce(1, *)
        let (end, overflow) = wanted.upperBound.multipliedReportingOverflow(by: n)
        guard !overflow else { throw .corrupt("\(entries) entries of \(n) values") }
        let values = try self.values(leaf, wanted.lowerBound * n..<end)
        return Column(
          type: leaf.element, innerShape: leaf.inner, offsets: nil, values: values,
          entries: wanted.count)
      case .jagged(let index, let leaf):
        let n = leaf.inner.reduce(1, *)
        let run = try run(of: index, wanted, runs)
        let (start, offsets) = try itemOffsets(
          run, items: leaf.column, perItem: n, entries: wanted)
        let values = try self.values(leaf, start * n..<(start + offsets.last!) * n)
        return Column(
          type: leaf.element, innerShape: leaf.inner, offsets: offsets,
          values: values, entries: wanted.count)
      case .string(let index, let chars):
        let run = try run(of: index, wanted, runs)
        let (start, offsets) = try itemOffsets(run, items: chars, perItem: 1, entries: wanted)
        let type = try RNTupleColumnType(code: 0x02, bits: 8)
        let bytes = try elements(
          of: chars, start..<start + offsets.last!, type: type, as: UInt8.self)
        let strings = (0..<wanted.count).map { k in
          String(
            decoding: bytes[offsets[k]..<offsets[k + 1]],
            as: UTF8.self)
        }
        return Column(
          type: .string, innerShape: [], offsets: nil, values: .string(strings),
          entries: wanted.count)
      }
    } catch {
      throw error.context("\(file.path): RNTuple '\(path)', field '\(name)'")
    }
  }

  /// The index of a collection over `entries`: from `runs` if decoded there, else decoded now.
  func run(of index: RNTupleLayout.IndexColumn, _ entries: Range<Int>, _ runs: [Int: IndexRun])
    throws(ROOTError) -> IndexRun
  {
    if let known = runs[index.column] { return known }
    return try indexRun(index, entries: entries)
  }

  /// Reads several fields at once (each also reads its pages in parallel); the index column of
  /// a collection is decoded once for all its fields.
  public func read(_ names: [String], entries range: Range<Int>? = nil) throws(ROOTError)
    -> [String: Column]
  {
    let wanted = range ?? 0..<entries
    var indexes: [RNTupleLayout.IndexColumn] = []
    for name in names {
      switch try? layouts[name]?.get() {
      case .jagged(let index, _), .string(let index, _):
        if !indexes.contains(where: { $0.column == index.column }) { indexes.append(index) }
      default: break
      }
    }
    let decoded = Mutex<[Int: IndexRun]>([:])
    let found = indexes
    if wanted.lowerBound >= 0, wanted.upperBound <= entries {
      DispatchQueue.concurrentPerform(iterations: found.count) { i in
        // A failure here is reported by the field's own read, with its name.
        if let run = try? self.indexRun(found[i], entries: wanted) {
          decoded.withLock { $0[found[i].column] = run }
        }
      }
    }
    let runs = decoded.withLock { $0 }
    return try Column.readConcurrently(names) { name throws(ROOTError) in
      try self.read(name, entries: range, runs: runs)
    }
  }

  /// The field named `name` (errors list the fields there are).
  public func field(_ name: String) throws(ROOTError) -> RNTupleField {
    guard let field = fields.first(where: { $0.name == name }) else {
      throw ROOTError(
        "\(file.path): RNTuple '\(path)' has no field '\(name)'",
        hint: "fields: \(fields.prefix(20).map(\.name).joined(separator: ", "))")
    }
    return field
  }

  /// How many pages hold a field's values (its data column, over all clusters).
  public func pageCount(_ name: String) throws(ROOTError) -> Int {
    switch try layouts[name]?.get() {
    case .flat(let leaf), .jagged(_, let leaf): return try pages(of: leaf.column).pages.count
    case .string(_, let chars): return try pages(of: chars).pages.count
    case nil: throw ROOTError("\(file.path): RNTuple '\(path)' has no field '\(name)'")
    }
  }

  /// How many clusters the RNTuple has.
  public var clusterCount: Int { clusters.count }
}

/// One leaf field of an RNTuple as `inspect` lists it.
public struct RNTupleField: Sendable {
  public var name: String
  /// The C++ type name as stored ("std::vector<float>"); "(untyped)" for untyped records.
  public var typeName: String
  /// Why the field cannot be read; nil when it can.
  public var problem: String?
  /// What `read` returns: "float32", "vector<float32>  jagged", "float32[3]", "string".
  public var shape: String

  init(name: String, typeName: String, layout: Result<RNTupleLayout, ROOTError>) {
    self.name = name
    self.typeName = typeName
    switch layout {
    case .failure(let error):
      problem = error.message
      shape = "unsupported"
    case .success(.flat(let leaf)):
      shape = leaf.element.rawValue + leaf.inner.map { "[\($0)]" }.joined()
    case .success(.jagged(_, let leaf)):
      shape = "vector<\(leaf.element.rawValue)\(leaf.inner.map { "[\($0)]" }.joined())>  jagged"
    case .success(.string):
      shape = "string"
    }
  }

  public var isReadable: Bool { problem == nil }
}
