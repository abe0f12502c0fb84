/// An RNTuple's fields and columns (specification 1.0, "Header Envelope" and "Schema Extension
/// Record Frame"). Field and column IDs are their positions in the serialized lists, the footer's
/// schema extension continuing the header's numbering. A field is a node of the C++ type tree
/// (a `std::vector<float>` is a collection field with a `float` child `_0`); columns hold the
/// data of one field each.
struct RNTupleSchema: Sendable {
  struct Field: Sendable {
    var name: String
    var typeName: String
    var typeAlias: String
    var parent: Int
    /// 0 leaf, 1 collection, 2 record, 3 variant, 4 ROOT-streamed object.
    var role: Int
    /// 0x01 repetitive (fixed-size array), 0x02 projected, 0x04 type checksum.
    var flags: Int
    var arraySize: Int
  }

  struct ColumnRecord: Sendable {
    var type: Int
    var bits: Int
    var field: Int
    var flags: Int
    var representation: Int
    var firstElement: Int64
  }

  var name = ""
  var fields: [Field] = []
  var columns: [ColumnRecord] = []

  /// Parses the header envelope's payload.
  init(header c: inout EnvelopeCursor) throws(ROOTError) {
    try c.featureFlags("the header")
    name = try c.string("RNTuple name")
    _ = try c.string("RNTuple description")
    _ = try c.string("writer identifier")
    try describe(&c)
  }

  /// Adds the four list frames of a schema description (fields, columns, alias columns, extra
  /// type information).
  mutating func describe(_ c: inout EnvelopeCursor) throws(ROOTError) {
    let fieldList = try c.frame("field list", list: true)
    try c.within(fieldList) { (c: inout EnvelopeCursor) throws(ROOTError) in
      for _ in 0..<fieldList.items {
        let frame = try c.frame("field record", list: false)
        fields.append(
          try c.within(frame) { (c: inout EnvelopeCursor) throws(ROOTError) in
            try Self.field(&c)
          })
      }
    }
    let columnList = try c.frame("column list", list: true)
    try c.within(columnList) { (c: inout EnvelopeCursor) throws(ROOTError) in
      for _ in 0..<columnList.items {
        let frame = try c.frame("column record", list: false)
        columns.append(
          try c.within(frame) { (c: inout EnvelopeCursor) throws(ROOTError) in
            try Self.column(&c)
          })
      }
    }
    // Alias columns belong to projected fields, which are reported unsupported by field; the
    // extra type information is ROOT streamer info, not needed for the supported types.
    for what in ["alias column list", "extra type information list"] {
      let frame = try c.frame(what, list: true)
      c.offset = frame.end
    }
  }

  static func field(_ c: inout EnvelopeCursor) throws(ROOTError) -> Field {
    _ = try c.u32("field version")
    _ = try c.u32("type version")
    let parent = try c.u32("parent field ID")
    let role = try c.u16("structural role")
    let flags = try c.u16("field flags")
    var field = Field(
      name: try c.string("field name"), typeName: try c.string("type name"),
      typeAlias: try c.string("type alias"), parent: parent, role: role, flags: flags,
      arraySize: 0)
    _ = try c.string("field description")
    if flags & 0x01 != 0 { field.arraySize = try c.count64("array size of '\(field.name)'") }
    return field
  }

  static func column(_ c: inout EnvelopeCursor) throws(ROOTError) -> ColumnRecord {
    var column = ColumnRecord(
      type: try c.u16("column type"), bits: try c.u16("column bits"),
      field: try c.u32("column field ID"), flags: try c.u16("column flags"),
      representation: try c.u16("representation index"), firstElement: 0)
    if column.flags & 0x01 != 0 { column.firstElement = try c.i64("first element index") }
    return column
  }

  /// Each field's children, in ID order.
  func children() -> [[Int]] {
    var out = [[Int]](repeating: [], count: fields.count)
    for (id, field) in fields.enumerated() where field.parent != id && field.parent < fields.count {
      out[field.parent].append(id)
    }
    return out
  }

  /// Each field's columns, in ID order.
  func columnsByField() -> [[Int]] {
    var out = [[Int]](repeating: [], count: fields.count)
    for (id, column) in columns.enumerated() where column.field < fields.count {
      out[column.field].append(id)
    }
    return out
  }

  /// The dotted path of a field from its top-level ancestor ("jets.pt"), skipping the `_0`
  /// children of collections and arrays.
  func path(of id: Int) -> String {
    var names: [String] = []
    var current = id
    var steps = 0
    while steps < fields.count {
      let field = fields[current]
      let parent = field.parent
      let skip = parent != current && fields[parent].role != 2 && field.name == "_0"
      if !skip { names.append(field.name) }
      if parent == current || parent >= fields.count { break }
      current = parent
      steps += 1
    }
    return names.reversed().joined(separator: ".")
  }
}
