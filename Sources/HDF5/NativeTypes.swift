internal import CHDF5

/// HDF5 datatype identifiers for element types: creating them, and recognising stored ones.
extension HDF5ElementType {
  /// A new datatype for the file (standard little-endian; h5py's enum for bool). Close it with
  /// `H5Tclose`.
  func makeFileType() -> hid_t {
    switch self {
    case .float32: H5Tcopy(chdf5_ieee_f32le())
    case .float64: H5Tcopy(chdf5_ieee_f64le())
    case .int8: H5Tcopy(chdf5_std_i8le())
    case .int16: H5Tcopy(chdf5_std_i16le())
    case .int32: H5Tcopy(chdf5_std_i32le())
    case .int64: H5Tcopy(chdf5_std_i64le())
    case .uint8: H5Tcopy(chdf5_std_u8le())
    case .uint16: H5Tcopy(chdf5_std_u16le())
    case .uint32: H5Tcopy(chdf5_std_u32le())
    case .uint64: H5Tcopy(chdf5_std_u64le())
    case .bool: Self.makeBoolType()
    }
  }

  /// A new datatype for values in memory, in this machine's byte order. Close it with `H5Tclose`.
  func makeMemoryType() -> hid_t {
    switch self {
    case .float32: H5Tcopy(chdf5_native_float())
    case .float64: H5Tcopy(chdf5_native_double())
    case .int8: H5Tcopy(chdf5_native_int8())
    case .int16: H5Tcopy(chdf5_native_int16())
    case .int32: H5Tcopy(chdf5_native_int32())
    case .int64: H5Tcopy(chdf5_native_int64())
    case .uint8: H5Tcopy(chdf5_native_uint8())
    case .uint16: H5Tcopy(chdf5_native_uint16())
    case .uint32: H5Tcopy(chdf5_native_uint32())
    case .uint64: H5Tcopy(chdf5_native_uint64())
    case .bool: Self.makeBoolType()
    }
  }

  /// h5py's bool: `enum (FALSE = 0, TRUE = 1)` over a native signed 1-byte integer.
  private static func makeBoolType() -> hid_t {
    let type = H5Tenum_create(chdf5_native_int8())
    guard type >= 0 else { return type }
    var no: Int8 = 0
    var yes: Int8 = 1
    _ = H5Tenum_insert(type, "FALSE", &no)
    _ = H5Tenum_insert(type, "TRUE", &yes)
    return type
  }

  /// The element type a stored datatype holds, or nil when the wrapper does not handle it
  /// (strings, compounds, half floats, other enums, …).
  static func stored(in type: hid_t) -> HDF5ElementType? {
    let size = H5Tget_size(type)
    switch H5Tget_class(type) {
    case H5T_FLOAT:
      return size == 4 ? .float32 : size == 8 ? .float64 : nil
    case H5T_INTEGER:
      let signed = H5Tget_sign(type) == H5T_SGN_2
      switch size {
      case 1: return signed ? .int8 : .uint8
      case 2: return signed ? .int16 : .uint16
      case 4: return signed ? .int32 : .uint32
      case 8: return signed ? .int64 : .uint64
      default: return nil
      }
    case H5T_ENUM:
      return isBoolEnum(type) ? .bool : nil
    default:
      return nil
    }
  }

  /// Whether `type` is a 1-byte enum with exactly `FALSE = 0` and `TRUE = 1` (h5py's bool).
  private static func isBoolEnum(_ type: hid_t) -> Bool {
    guard H5Tget_size(type) == 1, H5Tget_nmembers(type) == 2 else { return false }
    var members: [String: Int8] = [:]
    for index: UInt32 in 0..<2 {
      guard let name = H5Tget_member_name(type, index) else { return false }
      defer { H5free_memory(name) }
      var value: Int8 = -1
      guard H5Tget_member_value(type, index, &value) >= 0 else { return false }
      members[String(cString: name)] = value
    }
    return members == ["FALSE": 0, "TRUE": 1]
  }

  /// A short description of a stored datatype for error messages ("float32", "string", …).
  static func describe(_ type: hid_t) -> String {
    if let known = stored(in: type) { return known.rawValue }
    let bits = H5Tget_size(type) * 8
    switch H5Tget_class(type) {
    case H5T_FLOAT: return "\(bits)-bit float"
    case H5T_INTEGER: return "\(bits)-bit integer"
    case H5T_STRING: return "string"
    case H5T_ENUM: return "enum"
    case H5T_COMPOUND: return "compound"
    case H5T_ARRAY: return "array"
    case H5T_VLEN: return "variable-length sequence"
    case H5T_OPAQUE: return "opaque"
    case H5T_REFERENCE: return "reference"
    case H5T_BITFIELD: return "bitfield"
    default: return "unknown type"
    }
  }

  /// Checks that values stored as `stored` (described by `description`) can be transferred as
  /// `self`: numeric types convert into each other through HDF5; `bool` only pairs with `bool`.
  func checkTransfer(
    stored: HDF5ElementType?, description: String, at location: Location, _ operation: String
  ) throws(HDF5Error) {
    guard let stored else {
      throw location.error(
        .typeMismatch, operation, "it holds \(description) data, not numbers or bools")
    }
    guard stored.isNumeric == isNumeric else {
      throw location.error(
        .typeMismatch, operation,
        "it holds \(stored.rawValue) data, which HDF5 does not convert to or from \(rawValue)",
        hint: stored == .bool ? "use Bool for bool data" : "use a numeric Swift type")
    }
  }
}
