internal import FairflowBase

/// The element types the wrapper stores and reads, named like numpy's dtypes.
///
/// On disk, numbers use the standard little-endian HDF5 types (`H5T_STD_I32LE`,
/// `H5T_IEEE_F64LE`, …). `bool` is stored the way h5py stores numpy bools, so h5py reads it back
/// as `bool`: an HDF5 enum over a 1-byte integer with members `FALSE = 0` and `TRUE = 1`.
public enum HDF5ElementType: String, Sendable, CaseIterable {
  case float32, float64
  case int8, int16, int32, int64
  case uint8, uint16, uint32, uint64
  case bool

  /// Bytes per element.
  public var byteCount: Int {
    switch self {
    case .int8, .uint8, .bool: 1
    case .int16, .uint16: 2
    case .float32, .int32, .uint32: 4
    case .float64, .int64, .uint64: 8
    }
  }

  /// Whether HDF5 converts between this type and the other numeric types on read and write
  /// (every type but `bool`, whose enum HDF5 does not convert to or from integers).
  public var isNumeric: Bool { self != .bool }

  /// The type named `name` ("float32", "uint8", "bool", …), or an error that lists the names.
  public static func named(_ name: String) throws(HDF5Error) -> HDF5ElementType {
    if let type = HDF5ElementType(rawValue: name) { return type }
    let names = allCases.map(\.rawValue)
    let hint =
      Suggestion.hint(for: name, in: names)
      ?? "expected one of: \(names.joined(separator: ", "))"
    throw HDF5Error(
      kind: .invalidArgument, operation: "use element type",
      detail: "unknown element type '\(name)'", hint: hint)
  }
}
