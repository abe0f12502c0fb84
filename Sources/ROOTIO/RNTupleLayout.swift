/// How one readable RNTuple field maps onto columns, found by walking the field tree
/// (specification 1.0, "Mapping of C++ Types to Fields and Columns"):
///
/// - a leaf of a primitive type has one column; under `std::array<T,N>` (a repetitive field)
///   each entry holds N (×…) values;
/// - `std::vector<T>` / `ROOT::VecOps::RVec<T>` (a collection) has an index column whose
///   elements are each entry's end offset into its items, relative to the cluster;
/// - `std::string` has an index column and a `Char` column;
/// - records (structs, untyped records) have no columns: their leaves are read one by one, named
///   with dots ("jets.pt"), and a record inside a vector gives jagged leaves.
///
/// Everything else is reported unsupported, naming the feature.
enum RNTupleLayout: Sendable {
  case flat(Leaf)
  case jagged(index: IndexColumn, Leaf)
  case string(index: IndexColumn, chars: Int)

  struct Leaf: Sendable {
    var column: Int
    var type: RNTupleColumnType
    var element: ElementType
    /// A `Real32` column read into a `double` field (ROOT's `Double32_t`).
    var widen: Bool
    var inner: [Int]
  }

  struct IndexColumn: Sendable {
    var column: Int
    var type: RNTupleColumnType
  }

  /// Element types of the field type names this reader maps (normalized names).
  static let elementTypes: [String: ElementType] = [
    "bool": .bool, "char": .int8, "std::int8_t": .int8, "std::uint8_t": .uint8,
    "std::byte": .uint8, "std::int16_t": .int16, "std::uint16_t": .uint16,
    "std::int32_t": .int32, "std::uint32_t": .uint32, "std::int64_t": .int64,
    "std::uint64_t": .uint64, "float": .float32, "double": .float64,
  ]

  /// The element type a column holds.
  static func element(of column: RNTupleColumnType) -> ElementType? {
    switch column.code {
    case 0x00: return .bool
    case 0x01, 0x04: return .uint8
    case 0x02, 0x03: return .int8
    case 0x05, 0x11: return .int16
    case 0x06, 0x12: return .uint16
    case 0x07, 0x13: return .int32
    case 0x08, 0x14: return .uint32
    case 0x09, 0x15: return .int64
    case 0x0A, 0x16: return .uint64
    case 0x0C, 0x18: return .float32
    case 0x0D, 0x19: return .float64
    default: return nil
    }
  }

  /// Every readable leaf path of the schema with its layout or the reason it is unsupported.
  static func resolve(_ schema: RNTupleSchema) -> [(
    name: String, type: String, layout: Result<RNTupleLayout, ROOTError>
  )] {
    var walker = Walker(schema: schema)
    for (id, field) in schema.fields.enumerated() where field.parent == id {
      walker.walk(id, collection: nil, inner: [], depth: 0, shown: nil)
    }
    return walker.out
  }

  struct Walker {
    let schema: RNTupleSchema
    let children: [[Int]]
    let columns: [[Int]]
    var out: [(name: String, type: String, layout: Result<RNTupleLayout, ROOTError>)] = []

    init(schema: RNTupleSchema) {
      self.schema = schema
      children = schema.children()
      columns = schema.columnsByField()
    }

    /// Walks field `id`; `shown` is the type to show for it (a vector's or array's type for its
    /// `_0` child).
    mutating func walk(
      _ id: Int, collection: IndexColumn?, inner: [Int], depth: Int, shown: String?
    ) {
      let field = schema.fields[id]
      let name = schema.path(of: id)
      let type = shown ?? (field.typeName.isEmpty ? "(untyped)" : field.typeName)
      func unsupported(_ why: String) {
        out.append((name, type, .failure(ROOTError("\(type) is not supported (\(why))"))))
      }
      guard depth < 32 else { return unsupported("fields nested deeper than 32 levels") }
      guard field.flags & 0x02 == 0 else { return unsupported("projected field") }
      switch field.role {
      case 0:
        leaf(id, name: name, type: type, collection: collection, inner: inner, depth: depth)
      case 1:
        let known = ["std::vector<", "ROOT::VecOps::RVec<", "ROOT::RVec<"]
        guard field.typeName.isEmpty || known.contains(where: field.typeName.hasPrefix) else {
          return unsupported("only std::vector and ROOT::RVec collections are read")
        }
        guard collection == nil, inner.isEmpty else {
          return unsupported("nested collections, e.g. a vector of vectors")
        }
        do throws(ROOTError) {
          let index = try indexColumn(of: id)
          for child in children[id] {
            walk(
              child, collection: index, inner: inner, depth: depth + 1,
              shown: schema.fields[child].name == "_0" ? type : nil)
          }
        } catch { out.append((name, type, .failure(error))) }
      case 2:
        for child in children[id] {
          walk(child, collection: collection, inner: inner, depth: depth + 1, shown: nil)
        }
      case 3: unsupported("std::variant")
      case 4: unsupported("objects stored with the ROOT streamer")
      default: unsupported("structural role \(field.role)")
      }
    }

    mutating func leaf(
      _ id: Int, name: String, type: String, collection: IndexColumn?, inner: [Int], depth: Int
    ) {
      let field = schema.fields[id]
      let attached = columns[id]
      let result: Result<RNTupleLayout, ROOTError>
      if field.flags & 0x01 != 0, attached.isEmpty, children[id].count == 1 {
        // Arrays of up to 2^24 values per entry (a bigger one is a corrupt size).
        guard field.arraySize > 0, field.arraySize <= 1 << 24,
          inner.reduce(field.arraySize, *) <= 1 << 24
        else {
          return out.append(
            (name, type, .failure(.corrupt("array of \(field.arraySize) values per entry"))))
        }
        return walk(
          children[id][0], collection: collection, inner: inner + [field.arraySize],
          depth: depth + 1, shown: type)
      } else if attached.isEmpty, children[id].count == 1, field.flags & 0x01 == 0 {
        // std::atomic<T> and enums: a leaf whose one child `_0` holds the data.
        return walk(
          children[id][0], collection: collection, inner: inner, depth: depth + 1, shown: type)
      }
      result = Result { () throws(ROOTError) -> RNTupleLayout in
        if field.flags & 0x01 != 0 {
          throw ROOTError("\(type) is not supported (std::bitset)")
        }
        if field.typeName == "std::string" {
          guard collection == nil, inner.isEmpty else {
            throw ROOTError("\(type) is not supported (strings inside collections or arrays)")
          }
          guard attached.count == 2 else {
            throw ROOTError("\(type) is not supported (\(attached.count) columns)")
          }
          let chars = try columnType(attached[1])
          guard chars.code == 0x02 else { throw ROOTError("string characters in \(chars.name)") }
          return .string(index: try indexColumn(of: id), chars: attached[1])
        }
        guard let element = RNTupleLayout.elementTypes[field.typeName] else {
          throw ROOTError("\(type) is not supported")
        }
        guard attached.count == 1 else {
          throw ROOTError(
            "\(type) with \(attached.count) columns is not supported (several column representations)"
          )
        }
        let column = try columnType(attached[0])
        let stored = RNTupleLayout.element(of: column)
        let widen = element == .float64 && stored == .float32
        guard stored == element || widen else {
          throw ROOTError("\(type) stored as column type \(column.name) is not supported")
        }
        let leaf = Leaf(
          column: attached[0], type: column, element: element, widen: widen, inner: inner)
        return collection.map { .jagged(index: $0, leaf) } ?? .flat(leaf)
      }
      out.append((name, type, result))
    }

    func columnType(_ id: Int) throws(ROOTError) -> RNTupleColumnType {
      let record = schema.columns[id]
      guard record.firstElement == 0 else {
        throw ROOTError("deferred column \(id) (a field added while writing) is not supported")
      }
      return try RNTupleColumnType(code: record.type, bits: record.bits)
    }

    func indexColumn(of field: Int) throws(ROOTError) -> IndexColumn {
      guard let id = columns[field].first else {
        throw ROOTError("collection '\(schema.fields[field].name)' has no index column")
      }
      let type = try columnType(id)
      guard type.isIndex,
        columns[field].count == (schema.fields[field].typeName == "std::string" ? 2 : 1)
      else {
        throw ROOTError("collection index stored as column type \(type.name) is not supported")
      }
      return IndexColumn(column: id, type: type)
    }
  }
}
