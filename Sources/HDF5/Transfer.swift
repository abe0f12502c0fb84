internal import CHDF5

/// Moving elements between Swift arrays and a dataset's selection (call holding the lock).
extension HDF5Dataset {
  /// Reads `count` elements selected in `file` (a dataspace, or `H5S_ALL`) into an array of
  /// `T`; `memory` is the shape of the selection (nil with `H5S_ALL`).
  func transferIn<T: HDF5Scalar>(
    _: T.Type, _ id: hid_t, file: hid_t, memory: [Int]?, count: Int, _ operation: String
  ) throws(HDF5Error) -> [T] {
    try T.hdf5ElementType.checkTransfer(
      stored: elementType, description: storedType, at: location, operation)
    try Dataspace.checkTransfer(
      count, byteCount: MemoryLayout<T>.stride, at: location, operation)
    guard count > 0 else { return [] }
    return try withMemory(T.self, memory, operation) { (type, space) throws(HDF5Error) -> [T] in
      let values = readArray(T.self, count: count) { buffer in
        H5Dread(id, type, space, file, chdf5_p_default(), buffer)
      }
      guard let values else { throw location.failure(operation) }
      return values
    }
  }

  /// Writes `values` to the elements selected in `file`; `memory` as for `transferIn`.
  func transferOut<T: HDF5Scalar>(
    _ values: [T], _ id: hid_t, file: hid_t, memory: [Int]?, _ operation: String
  ) throws(HDF5Error) {
    try T.hdf5ElementType.checkTransfer(
      stored: elementType, description: storedType, at: location, operation)
    try Dataspace.checkTransfer(
      values.count, byteCount: MemoryLayout<T>.stride, at: location, operation)
    guard !values.isEmpty else { return }
    try withMemory(T.self, memory, operation) { (type, space) throws(HDF5Error) in
      let status = values.withUnsafeBytes { bytes in
        H5Dwrite(id, type, space, file, chdf5_p_default(), bytes.baseAddress)
      }
      guard status >= 0 else { throw location.failure(operation) }
    }
  }

  /// Runs `body` with `T`'s native memory type and a dataspace of shape `memory` (`H5S_ALL`
  /// when nil).
  private func withMemory<T: HDF5Scalar, R>(
    _: T.Type, _ memory: [Int]?, _ operation: String,
    _ body: (hid_t, hid_t) throws(HDF5Error) -> R
  ) throws(HDF5Error) -> R {
    try using(
      T.hdf5ElementType.makeMemoryType(), close: H5Tclose, at: location, operation
    ) { (type) throws(HDF5Error) -> R in
      guard let memory else { return try body(type, chdf5_s_all()) }
      return try using(Dataspace.create(memory), close: H5Sclose, at: location, operation) {
        (space) throws(HDF5Error) -> R in try body(type, space)
      }
    }
  }
}

/// A new array of `count` elements that `read` fills through a raw pointer (an `H5Dread` or
/// `H5Aread`), or nil when `read` fails. Bytes other than 0 and 1 in a `Bool` array become true.
func readArray<T: HDF5Scalar>(
  _: T.Type, count: Int, _ read: (UnsafeMutableRawPointer?) -> herr_t
) -> [T]? {
  var status: herr_t = -1
  let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
    let bytes = UnsafeMutableRawBufferPointer(buffer)
    status = read(bytes.baseAddress)
    guard status >= 0 else { return }
    if T.self == Bool.self {
      for index in 0..<count where bytes[index] > 1 { bytes[index] = 1 }
    }
    initialized = count
  }
  return status >= 0 ? values : nil
}
