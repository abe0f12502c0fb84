public import FairflowBase

/// A failed HDF5 operation: what was attempted, on which file and object, and why.
///
/// `message` reads `hdf5: cannot <operation> '<object>' in '<file>': <detail>`. For failures
/// inside libhdf5, `detail` is HDF5's own text from its error stack (the API function's message,
/// then the innermost cause); the wrapper's own checks (missing objects, row ranges, types,
/// sizes) say what was expected instead.
public struct HDF5Error: FairflowError, Equatable {
  /// What kind of failure, for callers that branch on it.
  public enum Kind: String, Sendable {
    /// libhdf5 reported an error (the detail is its message).
    case library
    /// The file, group, dataset or attribute does not exist.
    case notFound
    /// A bad argument: an existing name, a wrong value count, an unknown type name, bad options.
    case invalidArgument
    /// A row range or row index outside the dataset's shape.
    case outOfRange
    /// The stored type cannot be read or written as the requested Swift type.
    case typeMismatch
    /// An element count that overflows `Int` or exceeds `HDF5Limits`.
    case tooLarge
    /// The object was closed with `close()`.
    case closed
  }

  public var kind: Kind
  /// "open dataset", "read rows 3..<7 of dataset", "read attribute 'units' of", …
  public var operation: String
  /// The HDF5 file's path, when the failure concerns a file.
  public var file: String?
  /// The object's path inside the file ("/group/data"), when the failure concerns one.
  public var object: String?
  public var detail: String
  public var hint: String?

  public init(
    kind: Kind, operation: String, file: String? = nil, object: String? = nil, detail: String,
    hint: String? = nil
  ) {
    self.kind = kind
    self.operation = operation
    self.file = file
    self.object = object
    self.detail = detail
    self.hint = hint
  }

  public var message: String {
    switch (object, file) {
    case (let object?, let file?): "hdf5: cannot \(operation) '\(object)' in '\(file)': \(detail)"
    case (nil, let file?): "hdf5: cannot \(operation) '\(file)': \(detail)"
    case (let object?, nil): "hdf5: cannot \(operation) '\(object)': \(detail)"
    case (nil, nil): "hdf5: cannot \(operation): \(detail)"
    }
  }

  /// Library failures are the environment's fault (I/O, corrupt files); the rest are the input's.
  public var exitStatus: ExitStatus { kind == .library ? .failure : .invalidInput }
}
