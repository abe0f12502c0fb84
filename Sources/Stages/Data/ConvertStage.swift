public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import HDF5
internal import ROOTIO
internal import Glibc
public import FairflowBase

/// `uses: convert`: raw ROOT (or HDF5) files → training-ready HDF5 tensors. See `ConvertConfig`
/// for the keys and docs/convert.md for the output layout.
public struct ConvertStage: BuiltinStage {
  public let name = "convert"
  /// Bump when the output of the same inputs and configuration changes.
  public let version = 2  // 2: HDF5 files without object modification times

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let raw = Value.map(
      [
        "format", "inputs", "tree", "collections", "jets", "labels", "select", "split",
        "datasets", "output", "chunk_rows", "batch_entries",
      ].compactMap { key in reader.value(key).map { (key, $0) } })
    try reader.finish()
    return try ConvertConfig(raw) { reader.error($0, hint: $1) }.value
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let parsed = try ConvertConfig(config) { PipelineError($0, hint: $1) }
    let report = try ConvertRunner(config: parsed, stage: stage, root: workspace.root).run()
    print(report)
  }
}

/// The I/O side of `convert`: resolves inputs, streams batches through `FeatureExtractor`, and
/// appends rows to one HDF5 file per split, written under a temporary name and renamed at the end.
struct ConvertRunner {
  let config: ConvertConfig
  let stage: Stage
  let root: String

  /// Input files (workspace-relative), sorted, each inside one of the stage's deps.
  func inputFiles(extensions: [String]) throws -> [String] {
    var out: [String] = []
    for input in config.inputs {
      let path = input.hasPrefix("./") ? String(input.dropFirst(2)) : input
      guard stage.deps.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) else {
        throw StageError(
          "input '\(input)' is not among the deps of stage '\(stage.name)' (declare it so changes rerun the stage)"
        )
      }
      guard let st = try FileIO.stat(root + "/" + path) else {
        throw StageError("input '\(input)' does not exist")
      }
      if st.kind == .directory {
        out += try listFiles(path).filter { name in extensions.contains { name.hasSuffix($0) } }
      } else {
        out.append(path)
      }
    }
    guard !out.isEmpty else {
      throw StageError(
        "no input files (\(extensions.joined(separator: ", "))) in \(config.inputs)")
    }
    return out
  }

  func listFiles(_ directory: String) throws -> [String] {
    var out: [String] = []
    for name in try FileIO.list(root + "/" + directory).sorted() {
      let path = directory + "/" + name
      if try FileIO.stat(root + "/" + path)?.kind == .directory {
        out += try listFiles(path)
      } else {
        out.append(path)
      }
    }
    return out
  }

  /// The split index of each input file for a file split (nil: the file is in no split).
  func fileSplit(_ file: String) -> Int? {
    guard case .files(let list) = config.split else { return nil }
    for (i, entry) in list.enumerated()
    where entry.patterns.contains(where: { fnmatch($0, file, 0) == 0 }) {
      return i
    }
    return nil
  }

  func run() throws -> String {
    let isHDF5 = config.format == .hdf5
    let files = try inputFiles(
      extensions: isHDF5 || config.format == .rawHDF5 ? [".h5", ".hdf5"] : [".root"])
    let outputDirectory = root + "/" + config.output
    guard
      stage.outputs.contains(where: {
        config.output == $0.path || config.output.hasPrefix($0.path + "/")
      })
    else {
      throw StageError("output '\(config.output)' is not among the outs of stage '\(stage.name)'")
    }
    try FileIO.makeDirectories(outputDirectory)
    let statCache = StatCache(file: root + "/cache/state/stat-cache")
    var digests: [String] = []
    for file in files {
      let st = try FileIO.stat(root + "/" + file)!
      digests.append(try statCache.digestOfFile(file, root: root, stat: st).hex)
    }
    let writer = try SplitWriter(
      config: config, directory: outputDirectory, sources: files, digests: digests)
    let report: String
    if isHDF5 {
      report = try HDF5Conversion(config: config, root: root, files: files, runner: self).run(
        writer)
    } else {
      report = try ROOTConversion(config: config, root: root, files: files, runner: self).run(
        writer)
    }
    try writer.finish()
    return report
  }
}
