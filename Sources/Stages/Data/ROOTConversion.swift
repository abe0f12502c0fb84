internal import FairflowBase
internal import FairflowCore
internal import HDF5
internal import ROOTIO

/// ROOT inputs: every file's tree is read in batches of `batch_entries` (bounded memory), the
/// branches `FeatureExtractor` needs are decoded, and the selected rows are appended per split.
struct ROOTConversion {
  let input: ConversionInputs
  var config: ConvertConfig { input.config }

  /// What the conversion counted, for its report.
  struct Tally {
    var read = 0
    var kept = 0
    var droppedLabels = 0
    var skippedFiles: [String] = []
  }

  func run(_ writer: SplitWriter) throws -> String {
    let extractor = FeatureExtractor(config: config)
    let trees = try sources(reading: extractor.branches)
    try define(in: writer)
    let router = input.router(
      entries: trees.reduce(0) { $0 + $1.entries }, splits: writer.names.count)
    var tally = Tally()
    var base = 0
    let total = trees.reduce(0) { $0 + $1.entries }
    for (index, (file, tree)) in zip(input.files, trees).enumerated() {
      defer { base += tree.entries }
      let route = router.route(file)
      guard route != .skipped else {
        tally.skippedFiles.append(file)
        continue
      }
      for batch in ConversionInputs.batches(of: tree.entries, size: config.batchEntries) {
        let columns = try tree.readBranches(extractor.branches, entries: batch)
        let values = try FeatureExtractor.Batch(columns: columns, entries: batch.count)
        let (rows, dropped) = try extractor.selectedRows(values)
        tally.read += batch.count
        tally.droppedLabels += dropped
        let perSplit = router.distribute(rows, start: base + batch.lowerBound, route: route)
        tally.kept += try append(values, perSplit: perSplit, extractor: extractor, to: writer)
        StageProgress.shared.report(
          "file \(index + 1)/\(input.files.count) · \(base + batch.upperBound)/\(total) entries")
      }
    }
    return report(tally, writer: writer)
  }

  /// Every input's tree (or raw HDF5 file), checked to have every branch the conversion reads.
  func sources(reading branches: [String]) throws -> [any BranchSource] {
    var trees: [any BranchSource] = []
    for file in input.files {
      let source: any BranchSource =
        config.format == .rawHDF5
        ? try RawHDF5Source(path: input.path(file), display: file)
        : try Self.rootSource(input.path(file), object: config.tree ?? "")
      try source.validate(branches)
      trees.append(source)
    }
    return trees
  }

  /// The TTree or RNTuple at `object` in a ROOT file (both read branches the same way: an
  /// RNTuple's fields are its branches).
  static func rootSource(_ path: String, object: String) throws -> any BranchSource {
    let root = try ROOTFile(path: path)
    if try root.className(of: object) == RNTuple.className { return try root.rntuple(object) }
    return try root.tree(object)
  }

  /// Creates the collection, `jets` and `labels` datasets in the split files.
  func define(in writer: SplitWriter) throws {
    for c in config.collections {
      try writer.define(
        c.name, rowShape: FeatureExtractor.shape(of: c), type: Float.self,
        attributes: [("features", c.branches), ("layout", [c.layout.rawValue])])
    }
    if !config.jets.isEmpty {
      try writer.define(
        "jets", rowShape: [config.jets.count], type: Float.self,
        attributes: [("features", config.jets)])
    }
    if !config.labels.isEmpty {
      try writer.define(
        "labels", rowShape: [config.labels.count], type: Float.self,
        attributes: [("classes", config.labels)])
    }
  }

  /// Appends the selected rows of one batch to their splits; returns how many were written.
  func append(
    _ batch: FeatureExtractor.Batch, perSplit: [[Int]], extractor: FeatureExtractor,
    to writer: SplitWriter
  ) throws -> Int {
    var kept = 0
    for (split, rows) in perSplit.enumerated() where !rows.isEmpty {
      for c in config.collections {
        try writer.append(split, c.name, try extractor.collection(c, batch, rows: rows))
      }
      if !config.jets.isEmpty {
        try writer.append(split, "jets", try extractor.jets(batch, rows: rows))
      }
      if !config.labels.isEmpty {
        try writer.append(split, "labels", try extractor.labels(batch, rows: rows))
      }
      writer.addRows(split, rows.count)
      kept += rows.count
    }
    return kept
  }

  func report(_ tally: Tally, writer: SplitWriter) -> String {
    var report =
      "convert: \(input.files.count) files, \(tally.read) entries read, \(tally.kept) written"
    if tally.droppedLabels > 0 {
      report += ", \(tally.droppedLabels) dropped (no single label set)"
    }
    report += "; " + writer.rowSummary
    if !tally.skippedFiles.isEmpty {
      report += "; in no split: \(tally.skippedFiles.joined(separator: ", "))"
    }
    return report
  }
}
