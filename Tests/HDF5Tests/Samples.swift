import HDF5

/// Values of every element type, with each type's extremes, for round trips.
enum Samples {
  static let float32: [Float] = [
    0, -0.0, 1.5, -2.25, 0.1, .greatestFiniteMagnitude, .infinity, .nan,
  ]
  static let float64: [Double] = [
    0, -0.0, 1e-300, -2.25, 0.1, .greatestFiniteMagnitude, -.infinity, .nan,
  ]
  static let int8: [Int8] = [.min, -1, 0, 1, 2, 42, 100, .max]
  static let int16: [Int16] = [.min, -1, 0, 1, 300, -300, 12345, .max]
  static let int32: [Int32] = [.min, -1, 0, 1, 70000, -70000, 123_456_789, .max]
  static let int64: [Int64] = [.min, -1, 0, 1, 1 << 40, -(1 << 40), 1_234_567_890_123, .max]
  static let uint8: [UInt8] = [0, 1, 2, 42, 100, 200, 254, .max]
  static let uint16: [UInt16] = [0, 1, 2, 300, 40000, 12345, 65534, .max]
  static let uint32: [UInt32] = [0, 1, 2, 70000, 3_000_000_000, 12345, .max - 1, .max]
  static let uint64: [UInt64] = [0, 1, 2, 1 << 40, 1 << 63, 12345, .max - 1, .max]
  static let bool: [Bool] = [true, false, true, true, false, false, true, false]

  /// Writes each sample array as a [2, 4] dataset named after its element type; returns the
  /// hex of each array's bytes by type.
  static func writeAll(to group: HDF5Group) throws -> [HDF5ElementType: String] {
    var written: [HDF5ElementType: String] = [:]
    func write<T: HDF5Scalar>(_ values: [T]) throws {
      _ = try group.createDataset(T.hdf5ElementType.rawValue, values: values, shape: [2, 4])
      written[T.hdf5ElementType] = hex(values)
    }
    try write(float32)
    try write(float64)
    try write(int8)
    try write(int16)
    try write(int32)
    try write(int64)
    try write(uint8)
    try write(uint16)
    try write(uint32)
    try write(uint64)
    try write(bool)
    return written
  }
}

/// Reads `dataset` whole as the Swift type of `type` and returns the values' bytes as hex.
func readHex(_ dataset: HDF5Dataset, as type: HDF5ElementType) throws -> String {
  switch type {
  case .float32: hex(try dataset.read(as: Float.self))
  case .float64: hex(try dataset.read(as: Double.self))
  case .int8: hex(try dataset.read(as: Int8.self))
  case .int16: hex(try dataset.read(as: Int16.self))
  case .int32: hex(try dataset.read(as: Int32.self))
  case .int64: hex(try dataset.read(as: Int64.self))
  case .uint8: hex(try dataset.read(as: UInt8.self))
  case .uint16: hex(try dataset.read(as: UInt16.self))
  case .uint32: hex(try dataset.read(as: UInt32.self))
  case .uint64: hex(try dataset.read(as: UInt64.self))
  case .bool: hex(try dataset.read(as: Bool.self))
  }
}
