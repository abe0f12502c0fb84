internal import CHDF5
internal import FairflowBase

/// The attributes of a file (its root group), group or dataset: small named values.
///
/// Kinds, each written the way h5py writes the matching Python value so h5py reads it back
/// unchanged: a string (variable-length UTF-8, h5py `str`), a list of strings (1-D array of
/// variable-length UTF-8 strings), a number or bool (scalar), and a 1-D array of numbers or
/// bools. Setting an existing attribute replaces it, whatever its kind.
public struct HDF5Attributes {
  let owner: Handle

  var location: Location { owner.location }

  /// The attribute names, in name order.
  public func names() throws(HDF5Error) -> [String] {
    try HDF5Library.locked { () throws(HDF5Error) -> [String] in
      let operation = "list attributes of"
      guard let names = Self.names(of: try owner.open(operation)) else {
        throw location.failure(operation)
      }
      return names
    }
  }

  /// Whether the attribute `name` exists.
  public func contains(_ name: String) throws(HDF5Error) -> Bool {
    try HDF5Library.locked { () throws(HDF5Error) -> Bool in
      let operation = "look up attribute '\(name)' of"
      let found = H5Aexists(try owner.open(operation), name)
      guard found >= 0 else { throw location.failure(operation) }
      return found > 0
    }
  }

  /// Deletes the attribute `name`.
  public func remove(_ name: String) throws(HDF5Error) {
    try HDF5Library.locked { () throws(HDF5Error) in
      let operation = "remove attribute '\(name)' of"
      guard try contains(name) else {
        throw location.error(.notFound, operation, "no such attribute")
      }
      guard H5Adelete(try owner.open(operation), name) >= 0 else {
        throw location.failure(operation)
      }
    }
  }

  /// Replaces the attribute `name` with a new one of `type` and `shape` (`[]` for a scalar)
  /// and writes it with `write`, given the attribute's identifier. Call holding the lock.
  func create(
    _ name: String, type: hid_t, shape: [Int], _ operation: String,
    _ write: (hid_t) -> herr_t
  ) throws(HDF5Error) {
    let id = try owner.open(operation)
    let found = H5Aexists(id, name)
    guard found >= 0, found == 0 || H5Adelete(id, name) >= 0 else {
      throw location.failure(operation)
    }
    try using(Dataspace.create(shape), close: H5Sclose, at: location, operation) {
      (space) throws(HDF5Error) in
      try using(
        H5Acreate2(id, name, type, space, chdf5_p_default(), chdf5_p_default()),
        close: H5Aclose, at: location, operation
      ) { (attribute) throws(HDF5Error) in
        guard write(attribute) >= 0 else { throw location.failure(operation) }
      }
    }
  }

  /// Opens the attribute `name` and runs `body` with its identifier, stored datatype,
  /// dataspace and element count. Call holding the lock.
  func open<R>(
    _ name: String, _ operation: String,
    _ body: (_ attribute: hid_t, _ type: hid_t, _ space: hid_t, _ count: Int) throws(HDF5Error) -> R
  ) throws(HDF5Error) -> R {
    let id = try owner.open(operation)
    let found = H5Aexists(id, name)
    guard found >= 0 else { throw location.failure(operation) }
    guard found > 0 else {
      throw location.error(
        .notFound, operation, "no such attribute",
        hint: Suggestion.hint(for: name, in: Self.names(of: id) ?? []))
    }
    return try using(
      H5Aopen(id, name, chdf5_p_default()), close: H5Aclose, at: location, operation
    ) { (attribute) throws(HDF5Error) -> R in
      try using(H5Aget_type(attribute), close: H5Tclose, at: location, operation) {
        (type) throws(HDF5Error) -> R in
        try using(H5Aget_space(attribute), close: H5Sclose, at: location, operation) {
          (space) throws(HDF5Error) -> R in
          let count = H5Sget_simple_extent_npoints(space)
          guard count >= 0 else { throw location.failure(operation) }
          return try body(attribute, type, space, Int(count))
        }
      }
    }
  }

  /// The attribute names of object `id` in name order, or nil when HDF5 fails.
  static func names(of id: hid_t) -> [String]? {
    var type = H5O_TYPE_UNKNOWN
    var count: hsize_t = 0
    guard chdf5_object_info(id, &type, &count) >= 0 else { return nil }
    var names: [String] = []
    for index in 0..<count {
      let name = Links.readName { buffer, size in
        H5Aget_name_by_idx(
          id, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, chdf5_p_default())
      }
      guard let name else { return nil }
      names.append(name)
    }
    return names
  }
}
