internal import CHDF5

/// Creating datasets in a group.
extension HDF5Group {
  /// Creates the dataset `name` (with any missing intermediate groups) of `elementType` and
  /// `shape` (`[]` for a scalar), filled with zeros (false), laid out as `options` says.
  public func createDataset(
    _ name: String, elementType: HDF5ElementType, shape: [Int],
    options: HDF5DatasetOptions = HDF5DatasetOptions()
  ) throws(HDF5Error) -> HDF5Dataset {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5Dataset in
      let operation = "create dataset"
      let location = handle.location.appending(name)
      let id = try handle.open(operation)
      _ = try Dataspace.elementCount(shape, at: location, operation)
      let chunk = try options.chunkShape(for: shape, of: elementType, at: location, operation)
      try checkAbsent(name, at: location, operation)
      var maximum: [Int?] = shape
      if options.unlimitedRows, !shape.isEmpty { maximum[0] = nil }
      return try using(
        Dataspace.create(shape, maximum: maximum), close: H5Sclose, at: location, operation
      ) { (space) throws(HDF5Error) -> HDF5Dataset in
        try using(
          Self.makeCreationList(chunk, options), close: H5Pclose, at: location, operation
        ) { (creation) throws(HDF5Error) -> HDF5Dataset in
          try using(
            elementType.makeFileType(), close: H5Tclose, at: location, operation
          ) { (type) throws(HDF5Error) -> HDF5Dataset in
            try using(
              Links.makeCreationList(), close: H5Pclose, at: location, operation
            ) { (links) throws(HDF5Error) -> HDF5Dataset in
              let dataset = H5Dcreate2(
                id, name, type, space, links, creation, chdf5_p_default())
              guard dataset >= 0 else { throw location.failure(operation) }
              return try HDF5Dataset(Handle(dataset, .dataset, location))
            }
          }
        }
      }
    }
  }

  /// Creates the dataset `name` holding `values`, of `T`'s element type and `shape` (by default
  /// one dimension of `values.count`).
  public func createDataset<T: HDF5Scalar>(
    _ name: String, values: [T], shape: [Int]? = nil,
    options: HDF5DatasetOptions = HDF5DatasetOptions()
  ) throws(HDF5Error) -> HDF5Dataset {
    try HDF5Library.locked { () throws(HDF5Error) -> HDF5Dataset in
      let dataset = try createDataset(
        name, elementType: T.hdf5ElementType, shape: shape ?? [values.count], options: options)
      try dataset.write(values)
      return dataset
    }
  }

  /// A dataset-creation property list with the chunking and filters `options` asks for.
  private static func makeCreationList(_ chunk: [Int]?, _ options: HDF5DatasetOptions) -> hid_t {
    let list = H5Pcreate(chdf5_p_dataset_create())
    // No modification times in object headers: the same data make the same file bytes.
    guard list >= 0, H5Pset_obj_track_times(list, false) >= 0 else { return list }
    guard let chunk else { return list }
    var status = H5Pset_chunk(list, Int32(chunk.count), chunk.map { hsize_t($0) })
    if status >= 0, options.shuffle { status = H5Pset_shuffle(list) }
    if status >= 0, let level = options.compressionLevel {
      status = H5Pset_deflate(list, UInt32(level))
    }
    guard status >= 0 else {
      _ = H5Pclose(list)
      return -1
    }
    return list
  }
}
