public import FairflowBase
public import FairflowCore
public import StageSupport

/// The `with:` of a `convert` stage, validated at load time (file:line:column errors):
///
/// ```yaml
/// with:
///   format: root                      # or hdf5 (default: from the inputs' extension)
///   inputs: [data/raw]                # files or directories (*.root / *.h5 inside), sorted
///   tree: deepntuplizer/tree          # ROOT only
///   collections:                      # per-object features, zero-padded to `max` objects
///     tracks: {branches: [track_ptrel, …], max: 60, sort_by: trackBTag_Sip2dSig,
///              descending: true, layout: object-major}   # or feature-major
///   jets: [fj_pt, fj_eta, fj_sdmass]  # per-entry features → dataset `jets`
///   labels: [fj_isQCD, fj_isH]        # indicator branches → one-hot `labels`
///   select: "fj_pt > 300 and fj_pt < 2000"
///   split: {fractions: {train: 0.8, validation: 0.1, test: 0.1}, seed: 42}
///        # or {files: {train: [glob…], test: [glob…]}}
///   datasets: {patches: images}       # hdf5 only: output dataset ← input dataset (rows)
///   output: data/features             # directory: <split>.h5 (all.h5 without a split)
///   chunk_rows: 1024
///   batch_entries: 100000             # entries in memory at a time
/// ```
public struct ConvertConfig: Sendable, Equatable {
  /// What the inputs are.
  public enum Format: String, Sendable {
    case root, hdf5
    /// Branch-per-dataset HDF5 in the ROOT schema (what `generate` writes).
    case rawHDF5 = "raw-hdf5"
  }

  public var format: Format
  public var inputs: [String]
  public var tree: String?
  public var collections: [Collection]
  public var jets: [String]
  public var labels: [String]
  public var select: Selection?
  public var selectText: String?
  public var split: Split
  public var datasets: [(output: String, input: String)]
  public var output: String
  public var chunkRows: Int
  public var batchEntries: Int

  public static func == (a: ConvertConfig, b: ConvertConfig) -> Bool {
    a.format == b.format && a.inputs == b.inputs && a.tree == b.tree
      && a.collections == b.collections && a.jets == b.jets && a.labels == b.labels
      && a.select == b.select && a.split == b.split && a.output == b.output
      && a.datasets.map(\.output) == b.datasets.map(\.output)
      && a.datasets.map(\.input) == b.datasets.map(\.input)
      && a.chunkRows == b.chunkRows && a.batchEntries == b.batchEntries
  }
}

extension ConvertConfig: StageConfiguration {
  public static let keys = [
    "format", "inputs", "tree", "collections", "jets", "labels", "select", "split", "datasets",
    "output", "chunk_rows", "batch_entries",
  ]

  /// Reads and checks a `with:` mapping; `error` makes a located error.
  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    let config = try Self.knownOptions(given, error: error)
    let format = try Self.format(config["format"], error: error)
    inputs = try Self.strings(config["inputs"], "inputs", error: error)
    guard !inputs.isEmpty else { throw error("convert needs 'inputs' (files or directories)", nil) }
    tree = config["tree"]?.stringValue
    guard let out = config["output"]?.stringValue, !out.isEmpty else {
      throw error("convert needs 'output' (a directory, declared in outs)", nil)
    }
    output = out
    jets = try Self.strings(config["jets"], "jets", error: error)
    labels = try Self.strings(config["labels"], "labels", error: error)
    chunkRows = try Self.positive(config["chunk_rows"], "chunk_rows", 1024, error: error)
    batchEntries = try Self.positive(
      config["batch_entries"], "batch_entries", 100_000, error: error)
    collections = try Collection.all(config["collections"], error: error)
    (select, selectText) = try Self.selection(config["select"], error: error)
    datasets = try Self.datasets(config["datasets"], error: error)
    split = try Split(config["split"], error: error)
    self.format =
      format
      ?? Self.inferredFormat(
        inputs: inputs, mapsDatasets: !datasets.isEmpty,
        extractsFeatures: !collections.isEmpty || !jets.isEmpty || !labels.isEmpty)
    try checkCombination(error: error)
  }

  /// The given options without nulls (`null` means "not given": the normalised form writes
  /// absent options as null); any key convert does not know is refused.
  static func knownOptions(
    _ given: Value, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> Value {
    guard case .map(let all) = given else { throw error("convert needs a 'with' mapping", nil) }
    let pairs = all.filter { $0.value != .null }
    for (key, _) in pairs where !keys.contains(key) {
      throw error(
        "unknown key '\(key)' in 'with' of a convert stage",
        Suggestion.hint(for: key, in: keys) ?? "valid keys are: \(keys.joined(separator: ", "))")
    }
    return .map(pairs)
  }

  /// A string or a list of strings (absent: empty).
  static func strings(
    _ v: Value?, _ what: String, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> [String] {
    guard let v else { return [] }
    if case .string(let s) = v { return [s] }
    guard case .list(let items) = v else { throw error("'\(what)' must be a list of strings", nil) }
    var out: [String] = []
    for item in items {
      guard case .string(let s) = item else {
        throw error("'\(what)' must be a list of strings", nil)
      }
      out.append(s)
    }
    return out
  }

  /// A positive integer (absent: `fallback`).
  static func positive(
    _ v: Value?, _ what: String, _ fallback: Int, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> Int {
    guard let v else { return fallback }
    guard case .int(let i) = v, i > 0 else {
      throw error("'\(what)' must be a positive integer", nil)
    }
    return i
  }

  /// `format` as given (nil: inferred once the rest is read).
  static func format(
    _ v: Value?, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> Format? {
    guard let v else { return nil }
    guard let s = v.stringValue, let parsed = Format(rawValue: s) else {
      throw error("'format' must be root, hdf5 or raw-hdf5", nil)
    }
    return parsed
  }

  /// Without `format`: hdf5 when datasets are mapped or the inputs are .h5 files without
  /// features to extract, raw-hdf5 for .h5 files with features, else root.
  static func inferredFormat(inputs: [String], mapsDatasets: Bool, extractsFeatures: Bool)
    -> Format
  {
    let h5 = inputs.allSatisfy { $0.hasSuffix(".h5") || $0.hasSuffix(".hdf5") }
    return mapsDatasets ? .hdf5 : (h5 ? (extractsFeatures ? .rawHDF5 : .hdf5) : .root)
  }

  /// `select`, parsed, with its text (both nil when absent).
  static func selection(
    _ v: Value?, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> (Selection?, String?) {
    guard let v else { return (nil, nil) }
    guard let text = v.stringValue else { throw error("'select' must be a string", nil) }
    do { return (try Selection.parse(text), text) } catch let e { throw error(e.message, nil) }
  }

  /// `datasets`: output name ← input dataset, in the given order.
  static func datasets(
    _ v: Value?, error: (String, String?) -> PipelineError
  ) throws(PipelineError) -> [(output: String, input: String)] {
    guard let v else { return [] }
    guard case .map(let entries) = v else {
      throw error("'datasets' must be a mapping output: input", nil)
    }
    var out: [(output: String, input: String)] = []
    for (name, source) in entries {
      guard let s = source.stringValue else {
        throw error("dataset '\(name)' must name an input dataset", nil)
      }
      out.append((name, s))
    }
    return out
  }

  /// HDF5 inputs map datasets and nothing else; ROOT (and raw HDF5) inputs extract features.
  func checkCombination(error: (String, String?) -> PipelineError) throws(PipelineError) {
    if format == .hdf5 {
      guard !datasets.isEmpty else {
        throw error("an hdf5 convert needs 'datasets' (output: input)", nil)
      }
      guard collections.isEmpty, jets.isEmpty, labels.isEmpty, select == nil else {
        throw error(
          "collections, jets, labels and select apply to ROOT inputs; hdf5 inputs map 'datasets'",
          nil)
      }
    } else {
      guard tree != nil || format == .rawHDF5 else {
        throw error("a ROOT convert needs 'tree' (e.g. deepntuplizer/tree)", nil)
      }
      guard !collections.isEmpty || !jets.isEmpty || !labels.isEmpty else {
        throw error("convert needs at least one of collections, jets, labels", nil)
      }
    }
  }

  /// The normalised configuration (what enters the fingerprint).
  public var value: Value {
    var fields: [(key: String, value: Value)] = [("inputs", .list(inputs.map(Value.string)))]
    fields.append(("format", .string(format.rawValue)))
    if let tree { fields.append(("tree", .string(tree))) }
    fields.append(("collections", .map(collections.map { ($0.name, $0.value) })))
    fields.append(("jets", .list(jets.map(Value.string))))
    fields.append(("labels", .list(labels.map(Value.string))))
    fields.append(("select", selectText.map(Value.string) ?? .null))
    fields.append(("split", split.value))
    fields.append(("datasets", .map(datasets.map { ($0.output, .string($0.input)) })))
    fields.append(("output", .string(output)))
    fields.append(("chunk_rows", .int(chunkRows)))
    fields.append(("batch_entries", .int(batchEntries)))
    return .map(fields)
  }
}
