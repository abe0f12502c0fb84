public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore

/// `uses: convert`: raw ROOT (or HDF5) files → training-ready HDF5 tensors. See `ConvertConfig`
/// for the keys and docs/convert.md for the output layout.
public struct ConvertStage: TypedStage {
  public typealias Configuration = ConvertConfig
  public let name = "convert"
  /// Bump when the output of the same inputs and configuration changes.
  public let version = 2  // 2: HDF5 files without object modification times

  public init() {}

  public func run(_ config: ConvertConfig, stage: Stage, workspace: Workspace) async throws {
    let report = try ConvertRunner(config: config, stage: stage, root: workspace.root).run()
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

  /// The SHA-256 of every input (through the workspace's stat cache), recorded in the outputs.
  func digests(_ files: [String]) throws -> [String] {
    let statCache = StatCache(file: CacheLayout(workspace: root).statCache)
    var digests: [String] = []
    for file in files {
      let st = try FileIO.stat(root + "/" + file)!
      digests.append(try statCache.digestOfFile(file, root: root, stat: st).hex)
    }
    return digests
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
    let writer = try SplitWriter(
      config: config, directory: outputDirectory, sources: files, digests: try digests(files))
    let input = ConversionInputs(config: config, root: root, files: files)
    let report =
      isHDF5
      ? try HDF5Conversion(input: input).run(writer) : try ROOTConversion(input: input).run(writer)
    try writer.finish()
    return report
  }
}
