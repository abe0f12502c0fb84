internal import HDF5

/// A test split (HDF5) open for the duration of `body`: the one place the model kinds open one.
enum TestSplit {
  static func reading<Result>(
    _ path: String, root: String, _ body: (HDF5File) throws -> Result
  ) throws -> Result {
    let file = try HDF5File.open(root + "/" + path)
    defer { file.close() }
    return try body(file)
  }
}
