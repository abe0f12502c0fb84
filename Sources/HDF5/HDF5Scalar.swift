/// A Swift type that can be written to and read from datasets and attributes element by element.
///
/// Each conforming type maps to an `HDF5ElementType` and is transferred through the matching
/// native HDF5 memory type. `Int` and `UInt` map to `int64` and `uint64`.
public protocol HDF5Scalar: BitwiseCopyable, Sendable {
  /// The element type values of this Swift type are stored as.
  static var hdf5ElementType: HDF5ElementType { get }
}

extension Float: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float32 } }
extension Double: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .float64 } }
extension Int8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int8 } }
extension Int16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int16 } }
extension Int32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int32 } }
extension Int64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
extension UInt8: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint8 } }
extension UInt16: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint16 } }
extension UInt32: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint32 } }
extension UInt64: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
extension Bool: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .bool } }

#if _pointerBitWidth(_64)
  extension Int: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .int64 } }
  extension UInt: HDF5Scalar { public static var hdf5ElementType: HDF5ElementType { .uint64 } }
#endif
