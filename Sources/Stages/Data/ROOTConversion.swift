internal import FairflowCore
internal import HDF5
internal import ROOTIO

/// ROOT inputs: every file's tree is read in batches of `batch_entries` (bounded memory), the
/// branches `FeatureExtractor` needs are decoded, and the selected rows are appended per split.
struct ROOTConversion {
  let config: ConvertConfig
  let root: String
  let files: [String]
  let runner: ConvertRunner

  func run(_ writer: SplitWriter) throws -> String {
    let extractor = FeatureExtractor(config: config)
    let treePath = config.tree ?? ""
    var trees: [any BranchSource] = []
    for file in files {
      if config.format == .rawHDF5 {
        let source = try RawHDF5Source(path: root + "/" + file, display: file)
        try source.validate(extractor.branches)
        trees.append(source)
        continue
      }
      let tree = try ROOTFile(path: root + "/" + file).tree(treePath)
      for name in extractor.branches {
        let branch = try tree.branch(name)
        guard branch.isReadable else { _ = try tree.read(name, entries: 0..<0); continue }
      }
      trees.append(tree)
    }
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
    let total = trees.reduce(0) { $0 + $1.entries }
    var assignment: SplitAssignment?
    if case .fractions(let f, let seed) = config.split {
      assignment = SplitAssignment(entries: total, fractions: f.map(\.fraction), seed: seed)
    }
    var read = 0
    var kept = 0
    var droppedLabels = 0
    var skippedFiles: [String] = []
    var base = 0
    for (fileIndex, tree) in trees.enumerated() {
      defer { base += tree.entries }
      var fileSplit: Int?
      if case .files = config.split {
        guard let s = runner.fileSplit(files[fileIndex]) else {
          skippedFiles.append(files[fileIndex])
          continue
        }
        fileSplit = s
      }
      var lo = 0
      while lo < tree.entries {
        let hi = min(tree.entries, lo + config.batchEntries)
        let columns = try tree.readBranches(extractor.branches, entries: lo..<hi)
        let batch = try FeatureExtractor.Batch(columns: columns, entries: hi - lo)
        let (rows, dropped) = try extractor.selectedRows(batch)
        read += hi - lo
        droppedLabels += dropped
        var perSplit = Array(repeating: [Int](), count: writer.names.count)
        for k in rows {
          let split = fileSplit ?? assignment.map { Int($0.splits[base + lo + k]) } ?? 0
          perSplit[split].append(k)
        }
        for (split, splitRows) in perSplit.enumerated() where !splitRows.isEmpty {
          for c in config.collections {
            try writer.append(split, c.name, try extractor.collection(c, batch, rows: splitRows))
          }
          if !config.jets.isEmpty {
            try writer.append(split, "jets", try extractor.jets(batch, rows: splitRows))
          }
          if !config.labels.isEmpty {
            try writer.append(split, "labels", try extractor.labels(batch, rows: splitRows))
          }
          writer.addRows(split, splitRows.count)
          kept += splitRows.count
        }
        lo = hi
      }
    }
    var report = "convert: \(files.count) files, \(read) entries read, \(kept) written"
    if droppedLabels > 0 { report += ", \(droppedLabels) dropped (no single label set)" }
    report += "; " + zip(writer.names, writer.rows).map { "\($0): \($1)" }.joined(separator: ", ")
    if !skippedFiles.isEmpty { report += "; in no split: \(skippedFiles.joined(separator: ", "))" }
    return report
  }
}
