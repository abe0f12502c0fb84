internal import CHDF5

/// A dataset: an n-dimensional array of one element type.
///
/// Rows are the first dimension; a row holds the product of the other dimensions, in row-major
/// (C) order, as numpy lays them out. Values move as flat arrays of an `HDF5Scalar` type.
///
/// Reading or writing with a Swift type other than the stored one converts through HDF5 for
/// numeric types (as C casts do; out-of-range values are clamped to the target's range). `bool`
/// data is read and written only as `Bool`; other pairings throw `.typeMismatch`.
///
/// Datasets with a null dataspace (h5py's `Empty`) are refused when opened.
public final class HDF5Dataset {
  let handle: Handle
  /// The stored element type, or nil when it is not one the wrapper handles (strings,
  /// compounds, half floats, …); such datasets can be listed and described but not read.
  public let elementType: HDF5ElementType?
  /// The stored type for messages: "float32", "string", "compound", "16-bit float", …
  public let storedType: String

  /// Wraps an open dataset identifier (call while holding the lock).
  init(_ handle: Handle) throws(HDF5Error) {
    self.handle = handle
    let operation = "open dataset"
    let id = try handle.open(operation)
    let type = H5Dget_type(id)
    guard type >= 0 else { throw handle.location.failure(operation) }
    defer { _ = H5Tclose(type) }
    elementType = HDF5ElementType.stored(in: type)
    storedType = HDF5ElementType.describe(type)
    _ = try Self.extent(of: id, at: handle.location, operation)
  }

  /// The dataset's path in its file.
  public var name: String { handle.location.path ?? "/" }
  /// The file's path.
  public var filePath: String { handle.location.file }
  /// The dataset's attributes.
  public var attributes: HDF5Attributes { HDF5Attributes(owner: handle) }

  /// The current shape (`[]` for a scalar); the first dimension grows with `append(rows:)`.
  public var shape: [Int] {
    get throws(HDF5Error) {
      try HDF5Library.locked { () throws(HDF5Error) -> [Int] in try currentExtent().shape }
    }
  }

  /// The largest shape the dataset can grow to; nil entries are unlimited.
  public var maximumShape: [Int?] {
    get throws(HDF5Error) {
      try HDF5Library.locked { () throws(HDF5Error) -> [Int?] in try currentExtent().maximum }
    }
  }

  /// Reads every element, converting numeric data to `T`.
  public func read<T: HDF5Scalar>(as type: T.Type = T.self) throws(HDF5Error) -> [T] {
    try HDF5Library.locked { () throws(HDF5Error) -> [T] in
      let operation = "read dataset"
      let id = try handle.open(operation)
      let shape = try Self.extent(of: id, at: location, operation).shape
      let count = try Dataspace.elementCount(shape, at: location, operation)
      return try transferIn(
        T.self, id, file: chdf5_s_all(), memory: nil, count: count, operation)
    }
  }

  /// Replaces every element; `values` holds them all in row-major order.
  public func write<T: HDF5Scalar>(_ values: [T]) throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "write dataset"
      let id = try handle.open(operation)
      let shape = try Self.extent(of: id, at: location, operation).shape
      let count = try Dataspace.elementCount(shape, at: location, operation)
      guard values.count == count else {
        throw location.error(
          .invalidArgument, operation,
          "shape \(shape) holds \(count) elements, got \(values.count)")
      }
      try transferOut(values, id, file: chdf5_s_all(), memory: nil, operation)
    }
  }

  /// Closes the dataset's handle; later calls on this object throw `.closed`.
  public func close() { handle.close() }

  var location: Location { handle.location }

  private func currentExtent() throws(HDF5Error) -> (shape: [Int], maximum: [Int?]) {
    let operation = "read shape of dataset"
    return try Self.extent(of: try handle.open(operation), at: location, operation)
  }

  /// The current and maximum shape of dataset `id`.
  static func extent(
    of id: hid_t, at location: Location, _ operation: String
  ) throws(HDF5Error) -> (shape: [Int], maximum: [Int?]) {
    try using(H5Dget_space(id), close: H5Sclose, at: location, operation) {
      (space) throws(HDF5Error) -> (shape: [Int], maximum: [Int?]) in
      guard H5Sget_simple_extent_type(space) != H5S_NULL else {
        throw location.error(.typeMismatch, operation, "it has an empty (null) dataspace")
      }
      return try Dataspace.dimensions(of: space, at: location, operation)
    }
  }
}
