internal import CHDF5

/// Shapes and dataspaces: validation, conversion between `Int` and `hsize_t`, selections.
enum Dataspace {
  /// The number of elements in `shape` (1 for a scalar), or an error when a dimension is
  /// negative, or the product overflows `Int` or exceeds `HDF5Limits.maximumElementCount`.
  /// Zero-length dimensions count as 1 for the limit, so no partial product can overflow.
  static func elementCount(
    _ shape: [Int], at location: Location, _ operation: String
  ) throws(HDF5Error) -> Int {
    var bound = 1
    for dimension in shape {
      guard dimension >= 0 else {
        throw location.error(.invalidArgument, operation, "negative dimension in shape \(shape)")
      }
      let (product, overflow) = bound.multipliedReportingOverflow(by: max(dimension, 1))
      guard !overflow else {
        throw location.error(
          .tooLarge, operation, "shape \(shape) has more elements than Int holds")
      }
      bound = product
    }
    guard bound <= HDF5Limits.maximumElementCount else {
      throw location.error(
        .tooLarge, operation,
        "shape \(shape) has \(bound) elements, over the limit of \(HDF5Limits.maximumElementCount)")
    }
    return shape.contains(0) ? 0 : bound
  }

  /// Checks that `count` elements of `byteCount` bytes fit one transfer.
  static func checkTransfer(
    _ count: Int, byteCount: Int, at location: Location, _ operation: String
  ) throws(HDF5Error) {
    let (bytes, overflow) = count.multipliedReportingOverflow(by: byteCount)
    guard !overflow, bytes <= HDF5Limits.maximumTransferBytes else {
      throw location.error(
        .tooLarge, operation,
        "\(count) elements of \(byteCount) bytes exceed the limit of "
          + "\(HDF5Limits.maximumTransferBytes) bytes in one transfer",
        hint: "read or write it in row ranges")
    }
  }

  /// The current and maximum dimensions of `space`; a maximum of nil means unlimited.
  static func dimensions(
    of space: hid_t, at location: Location, _ operation: String
  ) throws(HDF5Error) -> (shape: [Int], maximum: [Int?]) {
    let rank = H5Sget_simple_extent_ndims(space)
    guard rank >= 0 else { throw location.failure(operation) }
    var current = [hsize_t](repeating: 0, count: Int(rank))
    var maximum = [hsize_t](repeating: 0, count: Int(rank))
    guard H5Sget_simple_extent_dims(space, &current, &maximum) >= 0 else {
      throw location.failure(operation)
    }
    var shape: [Int] = []
    for dimension in current {
      guard dimension <= UInt64(Int.max) else {
        throw location.error(.tooLarge, operation, "a dimension of \(dimension) overflows Int")
      }
      shape.append(Int(dimension))
    }
    _ = try elementCount(shape, at: location, operation)
    let unlimited = chdf5_s_unlimited()
    return (shape, maximum.map { $0 == unlimited || $0 > UInt64(Int.max) ? nil : Int($0) })
  }

  /// A new simple dataspace (scalar when `shape` is empty). Close it with `H5Sclose`.
  static func create(_ shape: [Int], maximum: [Int?]? = nil) -> hid_t {
    guard !shape.isEmpty else { return H5Screate(H5S_SCALAR) }
    let current = shape.map { hsize_t($0) }
    guard let maximum else { return H5Screate_simple(Int32(shape.count), current, nil) }
    let limits = maximum.map { $0.map { hsize_t($0) } ?? chdf5_s_unlimited() }
    return H5Screate_simple(Int32(shape.count), current, limits)
  }

  /// Selects rows `rows` (whole rows; `shape` is the dataspace's shape) in `space`.
  static func selectRows(_ rows: Range<Int>, of shape: [Int], in space: hid_t) -> herr_t {
    let start = [hsize_t(rows.lowerBound)] + shape.dropFirst().map { _ in 0 }
    let count = [hsize_t(rows.count)] + shape.dropFirst().map { hsize_t($0) }
    return H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, count, nil)
  }
}
