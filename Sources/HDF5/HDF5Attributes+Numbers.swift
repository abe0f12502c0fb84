internal import CHDF5

/// Numeric and bool attributes: scalars and 1-D arrays. Reads convert numeric data to the
/// requested type through HDF5, as dataset reads do.
extension HDF5Attributes {
  /// Sets `name` to the scalar `value` (h5py reads a numpy scalar, e.g. `numpy.int64`).
  public func set<T: HDF5Scalar>(_ name: String, to value: T) throws(HDF5Error) {
    try write(name, [value], shape: [])
  }

  /// Sets `name` to the 1-D array `values`.
  public func set<T: HDF5Scalar>(_ name: String, to values: [T]) throws(HDF5Error) {
    try write(name, values, shape: [values.count])
  }

  /// The single value of numeric attribute `name` (a scalar or a one-element array).
  public func scalar<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws(HDF5Error)
    -> T
  {
    let values = try read(name, T.self, single: true)
    return values[0]
  }

  /// All values of numeric attribute `name`, flattened in row-major order.
  public func array<T: HDF5Scalar>(_ name: String, as type: T.Type = T.self) throws(HDF5Error)
    -> [T]
  {
    try read(name, T.self, single: false)
  }

  /// `scalar(name, as: Int.self)`.
  public func int(_ name: String) throws(HDF5Error) -> Int { try scalar(name, as: Int.self) }

  /// `scalar(name, as: Double.self)`.
  public func double(_ name: String) throws(HDF5Error) -> Double {
    try scalar(name, as: Double.self)
  }

  private func write<T: HDF5Scalar>(
    _ name: String, _ values: [T], shape: [Int]
  ) throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "write attribute '\(name)' of"
      let element = T.hdf5ElementType
      try using(element.makeFileType(), close: H5Tclose, at: location, operation) {
        (fileType) throws(HDF5Error) in
        try using(element.makeMemoryType(), close: H5Tclose, at: location, operation) {
          (memoryType) throws(HDF5Error) in
          try create(name, type: fileType, shape: shape, operation) { attribute in
            values.isEmpty
              ? 0 : values.withUnsafeBytes { H5Awrite(attribute, memoryType, $0.baseAddress) }
          }
        }
      }
    }
  }

  private func read<T: HDF5Scalar>(
    _ name: String, _: T.Type, single: Bool
  ) throws(HDF5Error) -> [T] {
    try HDF5Library.locked { () throws(HDF5Error) -> [T] in
      let operation = "read attribute '\(name)' of"
      return try open(name, operation) { (attribute, type, _, count) throws(HDF5Error) -> [T] in
        try T.hdf5ElementType.checkTransfer(
          stored: HDF5ElementType.stored(in: type),
          description: HDF5ElementType.describe(type), at: location, operation)
        guard !single || count == 1 else {
          throw location.error(
            .typeMismatch, operation, "it holds \(count) values, not one",
            hint: "read it with array(_:as:)")
        }
        try Dataspace.checkTransfer(
          count, byteCount: MemoryLayout<T>.stride, at: location, operation)
        guard count > 0 else { return [] }
        return try using(
          T.hdf5ElementType.makeMemoryType(), close: H5Tclose, at: location, operation
        ) { (memoryType) throws(HDF5Error) -> [T] in
          let values = readArray(T.self, count: count) { H5Aread(attribute, memoryType, $0) }
          guard let values else { throw location.failure(operation) }
          return values
        }
      }
    }
  }
}
