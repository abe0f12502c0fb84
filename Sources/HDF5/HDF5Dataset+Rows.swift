internal import CHDF5

/// Row ranges (hyperslabs over the first dimension): batch reads and writes, and appending.
extension HDF5Dataset {
  /// Reads rows `rows` (all of each row), converting numeric data to `T`.
  public func read<T: HDF5Scalar>(
    rows: Range<Int>, as type: T.Type = T.self
  ) throws(HDF5Error) -> [T] {
    try HDF5Library.locked { () throws(HDF5Error) -> [T] in
      let operation = "read rows \(rows) of dataset"
      let id = try handle.open(operation)
      let shape = try Self.extent(of: id, at: location, operation).shape
      let rowSize = try checkRows(rows, shape, operation)
      return try using(H5Dget_space(id), close: H5Sclose, at: location, operation) {
        (space) throws(HDF5Error) -> [T] in
        guard Dataspace.selectRows(rows, of: shape, in: space) >= 0 else {
          throw location.failure(operation)
        }
        return try transferIn(
          T.self, id, file: space, memory: [rows.count] + shape.dropFirst(),
          count: rows.count * rowSize, operation)
      }
    }
  }

  /// Overwrites whole rows from `row` on with `values` (a multiple of the row size); the rows
  /// must already exist: use `append(rows:)` to grow the dataset.
  public func write<T: HDF5Scalar>(_ values: [T], atRow row: Int) throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "write rows at \(row) of dataset"
      let id = try handle.open(operation)
      let shape = try Self.extent(of: id, at: location, operation).shape
      let count = try rowCount(of: values.count, shape, operation)
      let rows = row..<(row + min(count, Int.max - max(row, 0)))
      _ = try checkRows(
        rows, shape, operation, hint: "use append(rows:) on a dataset with unlimited rows")
      try writeRows(values, rows, id, shape, operation)
    }
  }

  /// Grows the first dimension by as many rows as `values` holds and writes them there. The
  /// dataset must have been created with `unlimitedRows` (or room below its maximum shape).
  public func append<T: HDF5Scalar>(rows values: [T]) throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "append to dataset"
      let id = try handle.open(operation)
      let (shape, maximum) = try Self.extent(of: id, at: location, operation)
      let count = try rowCount(of: values.count, shape, operation)
      let old = shape[0]
      let (new, overflow) = old.addingReportingOverflow(count)
      if overflow || maximum[0].map({ new > $0 }) == true {
        throw location.error(
          .outOfRange, operation,
          "it holds at most \(maximum[0].map(String.init) ?? "Int.max") rows: "
            + "\(old) now, \(count) more asked",
          hint: "create it with HDF5DatasetOptions(unlimitedRows: true)")
      }
      let grown = [new] + shape.dropFirst()
      _ = try Dataspace.elementCount(grown, at: location, operation)
      guard count > 0 else { return }
      guard H5Dset_extent(id, grown.map { hsize_t($0) }) >= 0 else {
        throw location.failure(operation)
      }
      try writeRows(values, old..<new, id, grown, operation)
    }
  }

  private func writeRows<T: HDF5Scalar>(
    _ values: [T], _ rows: Range<Int>, _ id: hid_t, _ shape: [Int], _ operation: String
  ) throws(HDF5Error) {
    try using(H5Dget_space(id), close: H5Sclose, at: location, operation) {
      (space) throws(HDF5Error) in
      guard Dataspace.selectRows(rows, of: shape, in: space) >= 0 else {
        throw location.failure(operation)
      }
      try transferOut(values, id, file: space, memory: [rows.count] + shape.dropFirst(), operation)
    }
  }

  /// Checks that `rows` lies inside `shape`'s first dimension; returns the elements per row.
  private func checkRows(
    _ rows: Range<Int>, _ shape: [Int], _ operation: String, hint: String? = nil
  ) throws(HDF5Error) -> Int {
    guard let first = shape.first else {
      throw location.error(.invalidArgument, operation, "it is a scalar and has no rows")
    }
    guard rows.lowerBound >= 0, rows.upperBound <= first else {
      throw location.error(
        .outOfRange, operation, "rows \(rows) are outside its \(first) rows (shape \(shape))",
        hint: hint)
    }
    return shape.dropFirst().reduce(1, *)
  }

  /// How many whole rows `count` elements make for `shape`, or an error when they do not.
  private func rowCount(
    of count: Int, _ shape: [Int], _ operation: String
  ) throws(HDF5Error) -> Int {
    guard !shape.isEmpty else {
      throw location.error(.invalidArgument, operation, "it is a scalar and has no rows")
    }
    let rowSize = shape.dropFirst().reduce(1, *)
    guard rowSize > 0 else {
      guard count == 0 else {
        throw location.error(.invalidArgument, operation, "its rows (shape \(shape)) are empty")
      }
      return 0
    }
    guard count % rowSize == 0 else {
      throw location.error(
        .invalidArgument, operation,
        "\(count) values are not whole rows of \(rowSize) (shape \(shape))")
    }
    return count / rowSize
  }

  /// For readers of files from elsewhere: refuses a dataset whose shape claims vastly more data
  /// than the file stores for it. HDF5 reads unwritten chunks as fill values (a property this
  /// wrapper keeps for files it writes), so a hostile or broken input can declare
  /// [2^40, 11, 11] in a few kilobytes and keep a batch reader busy for days. Beyond 1 GiB of
  /// values, more than 1100 value bytes per stored byte (deflate's ceiling is about 1032) is an
  /// error naming the shape and the stored size.
  public func requirePlausibleSize() throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "read dataset"
      let id = try handle.open(operation)
      let shape = try Self.extent(of: id, at: location, operation).shape
      try Self.checkPlausible(
        id, shape, byteCount: elementType?.byteCount ?? 8, at: location, operation)
    }
  }

  static func checkPlausible(
    _ id: hid_t, _ shape: [Int], byteCount: Int, at location: Location, _ operation: String
  ) throws(HDF5Error) {
    let count = try Dataspace.elementCount(shape, at: location, operation)
    let (logical, overflow) = count.multipliedReportingOverflow(by: byteCount)
    let stored = Int(clamping: H5Dget_storage_size(id))
    guard overflow || logical > 1 << 30 else { return }
    let (bound, boundOverflow) = max(stored, 1).multipliedReportingOverflow(by: 1100)
    guard overflow || (!boundOverflow && logical > bound) else { return }
    throw location.error(
      .tooLarge, operation,
      "its shape \(shape) holds \(overflow ? "more than Int.max" : "\(logical)") bytes of values, "
        + "but the file stores only \(stored) bytes for it",
      hint: "the file is damaged or hostile: unwritten chunks would be read as fill values")
  }
}
