internal import CHDF5
internal import FairflowBase

/// A group: a directory of named groups and datasets. Names may be paths ("a/b", or "/a/b"
/// from the file's root).
public final class HDF5Group {
  let handle: Handle

  init(_ handle: Handle) { self.handle = handle }

  /// The group's path in its file ("/" for the root).
  public var name: String { handle.location.path ?? "/" }
  /// The file's path.
  public var filePath: String { handle.location.file }
  /// The group's attributes.
  public var attributes: HDF5Attributes { HDF5Attributes(owner: handle) }

  /// Creates the group `name`, with any missing intermediate groups.
  public func createGroup(_ name: String) throws(HDF5Error) -> HDF5Group {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5Group in
      let operation = "create group"
      let id = try handle.open(operation)
      let location = handle.location.appending(name)
      try checkAbsent(name, at: location, operation)
      return try using(
        Links.makeCreationList(), close: H5Pclose, at: location, operation
      ) { (links) throws(HDF5Error) -> HDF5Group in
        try using(
          Self.makeCreationList(), close: H5Pclose, at: location, operation
        ) { (creation) throws(HDF5Error) -> HDF5Group in
          let group = H5Gcreate2(id, name, links, creation, chdf5_p_default())
          guard group >= 0 else { throw location.failure(operation) }
          return HDF5Group(Handle(group, .group, location))
        }
      }
    }
  }

  /// Opens the existing group `name`.
  public func group(_ name: String) throws(HDF5Error) -> HDF5Group {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5Group in
      let location = handle.location.appending(name)
      let id = try openObject(name, as: H5I_GROUP, at: location, "open group")
      return HDF5Group(Handle(id, .group, location))
    }
  }

  /// Opens the existing dataset `name`.
  public func dataset(_ name: String) throws(HDF5Error) -> HDF5Dataset {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5Dataset in
      let location = handle.location.appending(name)
      let id = try openObject(name, as: H5I_DATASET, at: location, "open dataset")
      return try HDF5Dataset(Handle(id, .dataset, location))
    }
  }

  /// `dataset(_:)` for data that came from elsewhere: also refuses implausible shapes (see
  /// ``HDF5Dataset/requirePlausibleSize()``) before any reader loops over them.
  public func inputDataset(_ name: String) throws(HDF5Error) -> HDF5Dataset {
    let dataset = try dataset(name)
    do { try dataset.requirePlausibleSize() } catch {
      dataset.close()
      throw error
    }
    return dataset
  }

  /// Whether `name` (a path) names a link in this group.
  public func contains(_ name: String) throws(HDF5Error) -> Bool {
    try HDF5Library.locked { () throws(HDF5Error) -> Bool in
      Links.exists(name, in: try handle.open("look up"))
    }
  }

  /// The names of the group's members (groups, datasets, other links), in name order.
  public func children() throws(HDF5Error) -> [String] {
    try HDF5Library.locked { () throws(HDF5Error) -> [String] in
      let operation = "list group"
      guard let names = Links.names(in: try handle.open(operation)) else {
        throw handle.location.failure(operation)
      }
      return names
    }
  }

  /// The names of the member groups, in name order.
  public func groupNames() throws(HDF5Error) -> [String] {
    try children(ofType: H5I_GROUP)
  }

  /// The names of the member datasets, in name order.
  public func datasetNames() throws(HDF5Error) -> [String] {
    try children(ofType: H5I_DATASET)
  }

  /// Closes the group's handle; later calls on this object throw `.closed`.
  public func close() { handle.close() }

  private func children(ofType type: H5I_type_t) throws(HDF5Error) -> [String] {
    try HDF5Library.locked { () throws(HDF5Error) -> [String] in
      let id = try handle.open("list group")
      return try children().filter { Links.objectType($0, in: id) == type }
    }
  }

  /// Throws `.invalidArgument` when `name` already exists.
  func checkAbsent(_ name: String, at location: Location, _ operation: String) throws(HDF5Error) {
    guard !Links.exists(name, in: try handle.open(operation)) else {
      throw location.error(.invalidArgument, operation, "an object with that name already exists")
    }
  }

  /// Opens `name` after checking it exists and is of `type`; the caller owns the identifier.
  private func openObject(
    _ name: String, as type: H5I_type_t, at location: Location, _ operation: String
  ) throws(HDF5Error) -> hid_t {
    let id = try handle.open(operation)
    guard Links.exists(name, in: id) else {
      let siblings = Links.siblings(of: name, in: id)
      let last = String(name.split(separator: "/").last ?? "")
      throw location.error(
        .notFound, operation, "no such object",
        hint: Suggestion.hint(for: last, in: siblings))
    }
    let object = H5Oopen(id, name, chdf5_p_default())
    guard object >= 0 else { throw location.failure(operation) }
    let actual = H5Iget_type(object)
    guard actual == type else {
      _ = H5Oclose(object)
      throw location.error(.typeMismatch, operation, "it is \(Links.describe(actual))")
    }
    return object
  }
}

extension HDF5Group {
  /// A group-creation property list without modification times (reproducible file bytes).
  static func makeCreationList() -> hid_t {
    let list = H5Pcreate(chdf5_p_group_create())
    if list >= 0 { _ = H5Pset_obj_track_times(list, false) }
    return list
  }
}
