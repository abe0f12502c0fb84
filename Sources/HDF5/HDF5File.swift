internal import CHDF5
internal import Foundation

/// An open HDF5 file. Its groups, datasets and attributes are reached through `root`.
///
/// `close()` (or releasing the last reference) closes the file's handle. HDF5 keeps the file
/// itself open until every group and dataset opened from it is released too, so release those
/// before creating a file at the same path again.
public final class HDF5File {
  /// The path the file was opened or created with.
  public let path: String
  /// Whether the file was opened for writing.
  public let isWritable: Bool
  /// The root group, "/".
  public let root: HDF5Group
  private let handle: Handle

  /// The file's own attributes (h5py's `File.attrs`): those of the root group.
  public var attributes: HDF5Attributes { root.attributes }

  private init(id: hid_t, path: String, writable: Bool) throws(HDF5Error) {
    let location = Location(file: path, path: nil)
    handle = Handle(id, .file, location)
    self.path = path
    isWritable = writable
    let rootID = H5Gopen2(id, "/", chdf5_p_default())
    guard rootID >= 0 else { throw location.failure("open root group of") }
    root = HDF5Group(Handle(rootID, .group, location.appending("/")))
  }

  /// Creates the file at `path`, replacing any file there, open for writing.
  public static func create(_ path: String) throws(HDF5Error) -> HDF5File {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5File in
      // The root group without modification times, like every object fairflow creates: the
      // same data make the same file bytes.
      let creation = H5Pcreate(chdf5_p_file_create())
      if creation >= 0 { _ = H5Pset_obj_track_times(creation, false) }
      defer { if creation >= 0 { _ = H5Pclose(creation) } }
      let id = H5Fcreate(
        path, chdf5_acc_trunc(), creation >= 0 ? creation : chdf5_p_default(), chdf5_p_default())
      guard id >= 0 else {
        throw Location(file: path, path: nil).failure("create file")
      }
      return try HDF5File(id: id, path: path, writable: true)
    }
  }

  /// Opens the existing file at `path`, read-only unless `writable`.
  public static func open(_ path: String, writable: Bool = false) throws(HDF5Error) -> HDF5File {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5File in
      let location = Location(file: path, path: nil)
      guard FileManager.default.fileExists(atPath: path) else {
        throw location.error(.notFound, "open file", "no such file")
      }
      let flags = writable ? chdf5_acc_rdwr() : chdf5_acc_rdonly()
      let id = H5Fopen(path, flags, chdf5_p_default())
      guard id >= 0 else {
        throw location.failure("open file", hint: "check that it is an HDF5 file")
      }
      return try HDF5File(id: id, path: path, writable: writable)
    }
  }

  /// Writes everything buffered for this file to disk.
  public func flush() throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let id = try handle.open("flush")
      guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw handle.location.failure("flush") }
    }
  }

  /// How many of the file's identifiers are open (the file, its groups, datasets, attributes
  /// and named datatypes, as `H5Fget_obj_count` counts them): 2, the file and its root group,
  /// once every other object opened from it has been released. For diagnostics and tests.
  public var openObjectCount: Int {
    get throws(HDF5Error) {
      try HDF5Library.locked { () throws(HDF5Error) -> Int in
        let count = H5Fget_obj_count(try handle.open("count objects in"), chdf5_obj_all())
        guard count >= 0 else { throw handle.location.failure("count objects in") }
        return count
      }
    }
  }

  /// Closes the root group and the file's handle; later calls on this object throw `.closed`.
  public func close() {
    root.close()
    handle.close()
  }
}
