internal import FairflowBase
internal import FairflowCore
internal import FairflowStore
internal import HDF5
internal import StageSupport
internal import Glibc

/// One HDF5 file per split, written as `.<split>.h5.partial` and renamed to `<split>.h5` only
/// when the whole conversion succeeded, so a failed or interrupted run leaves no half file.
/// Datasets grow by rows (unlimited first dimension, chunked by `chunk_rows`, gzip + shuffle).
final class SplitWriter {
  let config: ConvertConfig
  let directory: String
  var files: [HDF5File] = []
  var datasets: [[String: HDF5Dataset]] = []
  var rows: [Int]
  let names: [String]

  init(config: ConvertConfig, directory: String, sources: [String], digests: [String]) throws {
    self.config = config
    self.directory = directory
    names = config.split.names
    rows = Array(repeating: 0, count: names.count)
    for name in names {
      let file = try HDF5File.create(partial(name))
      let attributes = file.attributes
      try attributes.set("fairflow_version", to: FairflowVersion.current)
      try attributes.set("source_files", to: sources)
      try attributes.set("source_sha256", to: digests)
      try attributes.set("split", to: name)
      if let tree = config.tree { try attributes.set("tree", to: tree) }
      if let select = config.selectText { try attributes.set("selection", to: select) }
      if case .fractions(let f, let seed) = config.split {
        try attributes.set("split_fractions", to: f.map(\.fraction))
        try attributes.set("split_names", to: f.map(\.name))
        try attributes.set("split_seed", to: Int64(bitPattern: seed))
      }
      files.append(file)
      datasets.append([:])
    }
  }

  func partial(_ name: String) -> String { directory + "/." + name + ".h5.partial" }
  func final(_ name: String) -> String { directory + "/" + name + ".h5" }

  /// Creates `name` in every split file with rows of `rowShape` and names for its last axis.
  func define<T: HDF5Scalar>(
    _ name: String, rowShape: [Int], type: T.Type, attributes: [(String, [String])] = []
  ) throws {
    let chunk = max(1, min(config.chunkRows, (1 << 20) / max(1, rowShape.reduce(1, *))))
    for (i, file) in files.enumerated() {
      let dataset = try file.root.createDataset(
        name, elementType: T.hdf5ElementType, shape: [0] + rowShape,
        options: HDF5DatasetOptions(
          chunkRows: chunk, compressionLevel: 1, shuffle: true, unlimitedRows: true))
      for (key, values) in attributes { try dataset.attributes.set(key, to: values) }
      datasets[i][name] = dataset
    }
  }

  func append<T: HDF5Scalar>(_ split: Int, _ name: String, _ values: [T]) throws {
    guard !values.isEmpty, let dataset = datasets[split][name] else { return }
    try dataset.append(rows: values)
  }

  func addRows(_ split: Int, _ count: Int) { rows[split] += count }

  /// "train: 120, test: 30": the rows written to each split so far.
  var rowSummary: String { zip(names, rows).map { "\($0): \($1)" }.joined(separator: ", ") }

  func finish() throws {
    for (i, file) in files.enumerated() {
      try file.attributes.set("rows", to: Int64(rows[i]))
      // In a fixed order: the order datasets are closed in decides the file's layout, and a
      // dictionary's order changes from process to process.
      for name in datasets[i].keys.sorted() { datasets[i][name]!.close() }
      try file.flush()
      file.close()
    }
    datasets = []
    files = []
    for name in names {
      let fd = open(partial(name), O_RDONLY | O_CLOEXEC)
      if fd >= 0 {
        fsync(fd)
        close(fd)
      }
      guard rename(partial(name), final(name)) == 0 else {
        throw StageError("cannot rename \(partial(name)): \(String(cString: strerror(errno)))")
      }
    }
    FileIO.syncDirectory(directory)
  }
}
