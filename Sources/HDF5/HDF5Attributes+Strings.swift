internal import CHDF5

/// String attributes: one string, or a list of strings. Written as variable-length UTF-8;
/// read from variable- or fixed-length strings. A string stops at its first NUL character.
extension HDF5Attributes {
  /// Sets `name` to the string `value` (h5py reads a `str`).
  public func set(_ name: String, to value: String) throws(HDF5Error) {
    try write(name, [value], shape: [])
  }

  /// Sets `name` to the list `values` (h5py reads an array of `str`).
  public func set(_ name: String, to values: [String]) throws(HDF5Error) {
    try write(name, values, shape: [values.count])
  }

  /// The string attribute `name` (a scalar or a one-element array).
  public func string(_ name: String) throws(HDF5Error) -> String {
    let values = try read(name, single: true)
    return values[0]
  }

  /// The strings of attribute `name`, flattened in row-major order (one for a scalar).
  public func strings(_ name: String) throws(HDF5Error) -> [String] {
    try read(name, single: false)
  }

  private func write(_ name: String, _ values: [String], shape: [Int]) throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "write attribute '\(name)' of"
      try using(
        Self.makeVariableStringType(H5T_CSET_UTF8), close: H5Tclose, at: location, operation
      ) { (type) throws(HDF5Error) in
        let pointers = values.map(Self.copyCString)
        defer { pointers.forEach { $0.deallocate() } }
        try create(name, type: type, shape: shape, operation) { attribute in
          pointers.isEmpty
            ? 0
            : pointers.withUnsafeBufferPointer {
              H5Awrite(attribute, type, $0.baseAddress)
            }
        }
      }
    }
  }

  private func read(_ name: String, single: Bool) throws(HDF5Error) -> [String] {
    try HDF5Library.locked { () throws(HDF5Error) -> [String] in
      let operation = "read attribute '\(name)' of"
      return try open(name, operation) {
        (attribute, type, space, count) throws(HDF5Error) -> [String] in
        guard H5Tget_class(type) == H5T_STRING else {
          throw location.error(
            .typeMismatch, operation,
            "it holds \(HDF5ElementType.describe(type)) data, not strings")
        }
        guard !single || count == 1 else {
          throw location.error(
            .typeMismatch, operation, "it holds \(count) strings, not one",
            hint: "read it with strings(_:)")
        }
        guard count > 0 else { return [] }
        let strings =
          H5Tis_variable_str(type) > 0
          ? Self.readVariable(attribute, type, space, count)
          : Self.readFixed(attribute, type, count)
        guard let strings else { throw location.failure(operation) }
        return strings
      }
    }
  }

  private static func readVariable(
    _ attribute: hid_t, _ stored: hid_t, _ space: hid_t, _ count: Int
  ) -> [String]? {
    let type = makeVariableStringType(H5Tget_cset(stored))
    guard type >= 0 else { return nil }
    defer { _ = H5Tclose(type) }
    var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
    guard H5Aread(attribute, type, &pointers) >= 0 else { return nil }
    defer { _ = chdf5_reclaim(type, space, &pointers) }
    return pointers.map { $0.map { String(cString: $0) } ?? "" }
  }

  private static func readFixed(_ attribute: hid_t, _ stored: hid_t, _ count: Int) -> [String]? {
    let size = H5Tget_size(stored)
    let type = H5Tcopy(stored)
    guard size > 0, type >= 0 else { return nil }
    defer { _ = H5Tclose(type) }
    var bytes = [UInt8](repeating: 0, count: size * count)
    guard H5Aread(attribute, type, &bytes) >= 0 else { return nil }
    let spacePadded = H5Tget_strpad(stored) == H5T_STR_SPACEPAD
    return (0..<count).map { index in
      var text = bytes[(index * size)..<((index + 1) * size)].prefix { $0 != 0 }
      if spacePadded { while text.last == 0x20 { text.removeLast() } }
      return String(decoding: text, as: UTF8.self)
    }
  }

  /// A variable-length C string type in `encoding`. Close it with `H5Tclose`.
  private static func makeVariableStringType(_ encoding: H5T_cset_t) -> hid_t {
    let type = H5Tcopy(chdf5_c_s1())
    guard type >= 0 else { return type }
    guard H5Tset_size(type, chdf5_variable()) >= 0, H5Tset_cset(type, encoding) >= 0 else {
      _ = H5Tclose(type)
      return -1
    }
    return type
  }

  /// A NUL-terminated copy of `string`'s UTF-8; deallocate it.
  private static func copyCString(_ string: String) -> UnsafeMutablePointer<CChar> {
    let bytes = string.utf8CString
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    bytes.withUnsafeBufferPointer { pointer.initialize(from: $0.baseAddress!, count: $0.count) }
    return pointer
  }
}
