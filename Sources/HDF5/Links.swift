internal import CHDF5

/// Link look-ups inside a group: existence of paths, member names, member types. Call these
/// while holding `HDF5Library`'s lock.
enum Links {
  /// Whether every component of `path` exists below `group` (H5Lexists alone fails, rather
  /// than answering false, when an intermediate component is missing).
  static func exists(_ path: String, in group: hid_t) -> Bool {
    let components = path.split(separator: "/")
    guard !components.isEmpty else { return path.hasPrefix("/") }
    var prefix = ""
    for component in components {
      prefix += prefix.isEmpty && !path.hasPrefix("/") ? component : "/" + component
      guard H5Lexists(group, prefix, chdf5_p_default()) > 0 else {
        _ = H5Eclear2(chdf5_e_default())
        return false
      }
    }
    return true
  }

  /// The member names of the group containing the last component of `path`, for suggestions.
  static func siblings(of path: String, in group: hid_t) -> [String] {
    var components = path.split(separator: "/")
    components.removeLast()
    var parent = components.joined(separator: "/")
    if path.hasPrefix("/") { parent = "/" + parent }
    if parent.isEmpty { parent = "." }
    guard parent == "." || exists(parent, in: group) else { return [] }
    let id = H5Oopen(group, parent, chdf5_p_default())
    guard id >= 0 else {
      _ = H5Eclear2(chdf5_e_default())
      return []
    }
    defer { _ = H5Oclose(id) }
    return names(in: id) ?? []
  }

  /// The names of the links in `group`, in name order, or nil when HDF5 fails.
  static func names(in group: hid_t) -> [String]? {
    var info = H5G_info_t()
    guard H5Gget_info(group, &info) >= 0 else { return nil }
    var names: [String] = []
    for index in 0..<info.nlinks {
      let name = readName { buffer, size in
        H5Lget_name_by_idx(
          group, ".", H5_INDEX_NAME, H5_ITER_INC, index, buffer, size, chdf5_p_default())
      }
      guard let name else { return nil }
      names.append(name)
    }
    return names
  }

  /// The kind of object `name` links to (`H5I_GROUP`, `H5I_DATASET`, …), or `H5I_BADID` for
  /// dangling links.
  static func objectType(_ name: String, in group: hid_t) -> H5I_type_t {
    let object = H5Oopen(group, name, chdf5_p_default())
    guard object >= 0 else {
      _ = H5Eclear2(chdf5_e_default())
      return H5I_BADID
    }
    defer { _ = H5Oclose(object) }
    return H5Iget_type(object)
  }

  /// "a group", "a dataset", … for messages.
  static func describe(_ type: H5I_type_t) -> String {
    switch type {
    case H5I_GROUP: "a group"
    case H5I_DATASET: "a dataset"
    case H5I_DATATYPE: "a named datatype"
    default: "not a group or dataset"
    }
  }

  /// A link-creation property list that creates missing intermediate groups and marks names
  /// as UTF-8 (as h5py does). Close it with `H5Pclose`.
  static func makeCreationList() -> hid_t {
    let list = H5Pcreate(chdf5_p_link_create())
    guard list >= 0 else { return list }
    _ = H5Pset_create_intermediate_group(list, 1)
    _ = H5Pset_char_encoding(list, H5T_CSET_UTF8)
    return list
  }

  /// Reads a name through HDF5's two-call convention (length first, then the bytes).
  static func readName(_ call: (UnsafeMutablePointer<CChar>?, Int) -> Int) -> String? {
    let length = call(nil, 0)
    guard length >= 0 else { return nil }
    var buffer = [CChar](repeating: 0, count: length + 1)
    guard call(&buffer, length + 1) >= 0 else { return nil }
    return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
