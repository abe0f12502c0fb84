internal import CHDF5

/// An open HDF5 identifier owned by one wrapper object, closed exactly once: by `close()` or in
/// `deinit`. Also remembers where the object is, for error messages.
final class Handle {
  enum Kind { case file, group, dataset }

  private var id: hid_t
  let kind: Kind
  let location: Location

  init(_ id: hid_t, _ kind: Kind, _ location: Location) {
    self.id = id
    self.kind = kind
    self.location = location
  }

  deinit { close() }

  /// The identifier, or a `.closed` error naming `operation`. Call while holding the lock.
  func open(_ operation: String) throws(HDF5Error) -> hid_t {
    guard id >= 0 else { throw location.error(.closed, operation, "it was closed") }
    return id
  }

  /// Closes the identifier; later calls do nothing.
  func close() {
    HDF5Library.locked {
      guard id >= 0 else { return }
      switch kind {
      case .file: _ = H5Fclose(id)
      case .group: _ = H5Gclose(id)
      case .dataset: _ = H5Dclose(id)
      }
      id = -1
      _ = H5Eclear2(chdf5_e_default())
    }
  }
}

/// Runs `body` with a temporary identifier (a dataspace, datatype or property list) that
/// `close` releases afterwards; a negative identifier throws `location.failure(operation)`.
func using<R>(
  _ id: hid_t, close: (hid_t) -> herr_t, at location: Location, _ operation: String,
  _ body: (hid_t) throws(HDF5Error) -> R
) throws(HDF5Error) -> R {
  guard id >= 0 else { throw location.failure(operation) }
  defer { _ = close(id) }
  return try body(id)
}
