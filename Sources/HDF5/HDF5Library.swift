internal import CHDF5
internal import Foundation

/// Process-wide libhdf5 state.
///
/// libhdf5 keeps global state (identifiers, caches, the error stack) and is not safe to call
/// from several threads at once unless built thread-safe, so every call this module makes runs
/// inside `locked`, under one recursive process-wide lock. The wrapper types themselves are not
/// `Sendable`: use each file, group or dataset from one task at a time.
public enum HDF5Library {
  private static let lock = NSRecursiveLock()

  /// "1.10.8": the libhdf5 loaded at run time.
  public static var version: String {
    var major: UInt32 = 0
    var minor: UInt32 = 0
    var release: UInt32 = 0
    locked { _ = H5get_libversion(&major, &minor, &release) }
    return "\(major).\(minor).\(release)"
  }

  /// Runs `body` holding the lock, with HDF5's automatic error printing off.
  ///
  /// Printing is switched off on every entry rather than once: thread-safe builds keep one
  /// error stack (and its printing setting) per thread. Errors are reported by throwing
  /// `HDF5Error` with the stack's text instead (`Location.failure`).
  static func locked<R>(_ body: () throws(HDF5Error) -> R) throws(HDF5Error) -> R {
    lock.lock()
    defer { lock.unlock() }
    _ = H5Eset_auto2(chdf5_e_default(), nil, nil)
    return try body()
  }

  /// `locked` for bodies that cannot fail (closing identifiers in `deinit`).
  static func locked<R>(_ body: () -> R) -> R {
    lock.lock()
    defer { lock.unlock() }
    _ = H5Eset_auto2(chdf5_e_default(), nil, nil)
    return body()
  }
}
