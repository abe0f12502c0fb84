public import FairflowCore
public import FairflowBase

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
  public enum Format: String, Sendable {
    case root, hdf5
    /// Branch-per-dataset HDF5 in the ROOT schema (what `generate` writes).
    case rawHDF5 = "raw-hdf5"
  }
  public enum Layout: String, Sendable {
    case objectMajor = "object-major", featureMajor = "feature-major"
  }

  public struct Collection: Sendable, Equatable {
    public var name: String
    public var branches: [String]
    public var max: Int
    public var sortBy: String?
    public var descending: Bool
    public var layout: Layout
  }

  public enum Split: Sendable, Equatable {
    case none
    /// Entries assigned by a seeded permutation in these proportions (in order).
    case fractions([(name: String, fraction: Double)], seed: UInt64)
    /// Whole input files per split, by glob.
    case files([(name: String, patterns: [String])])

    public static func == (a: Split, b: Split) -> Bool {
      switch (a, b) {
      case (.none, .none): return true
      case (.fractions(let x, let s), .fractions(let y, let t)):
        return s == t && x.map(\.name) == y.map(\.name) && x.map(\.fraction) == y.map(\.fraction)
      case (.files(let x), .files(let y)):
        return x.map(\.name) == y.map(\.name) && x.map(\.patterns) == y.map(\.patterns)
      default: return false
      }
    }

    public var names: [String] {
      switch self {
      case .none: return ["all"]
      case .fractions(let f, _): return f.map(\.name)
      case .files(let f): return f.map(\.name)
      }
    }
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

extension ConvertConfig {
  /// Reads and checks a `with:` mapping; `error` makes a located error.
  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    guard case .map(let all) = given else { throw error("convert needs a 'with' mapping", nil) }
    var formatGiven = true
    // `null` means "not given" (the normalised form writes absent options as null).
    let pairs = all.filter { $0.value != .null }
    let config = Value.map(pairs)
    let known = [
      "format", "inputs", "tree", "collections", "jets", "labels", "select", "split", "datasets",
      "output", "chunk_rows", "batch_entries",
    ]
    for (key, _) in pairs where !known.contains(key) {
      throw error(
        "unknown key '\(key)' in 'with' of a convert stage",
        Suggestion.hint(for: key, in: known) ?? "valid keys are: \(known.joined(separator: ", "))")
    }
    func strings(_ v: Value?, _ what: String) throws(PipelineError) -> [String] {
      guard let v else { return [] }
      if case .string(let s) = v { return [s] }
      guard case .list(let items) = v else {
        throw error("'\(what)' must be a list of strings", nil)
      }
      var out: [String] = []
      for item in items {
        guard case .string(let s) = item else {
          throw error("'\(what)' must be a list of strings", nil)
        }
        out.append(s)
      }
      return out
    }
    func positive(_ v: Value?, _ what: String, _ fallback: Int) throws(PipelineError) -> Int {
      guard let v else { return fallback }
      guard case .int(let i) = v, i > 0 else {
        throw error("'\(what)' must be a positive integer", nil)
      }
      return i
    }
    if let f = config["format"] {
      guard let s = f.stringValue, let parsed = Format(rawValue: s) else {
        throw error("'format' must be root, hdf5 or raw-hdf5", nil)
      }
      format = parsed
    } else {
      format = .root
      formatGiven = false
    }
    inputs = try strings(config["inputs"], "inputs")
    guard !inputs.isEmpty else { throw error("convert needs 'inputs' (files or directories)", nil) }
    tree = config["tree"]?.stringValue
    guard let out = config["output"]?.stringValue, !out.isEmpty else {
      throw error("convert needs 'output' (a directory, declared in outs)", nil)
    }
    output = out
    jets = try strings(config["jets"], "jets")
    labels = try strings(config["labels"], "labels")
    chunkRows = try positive(config["chunk_rows"], "chunk_rows", 1024)
    batchEntries = try positive(config["batch_entries"], "batch_entries", 100_000)
    collections = []
    if let c = config["collections"] {
      guard case .map(let entries) = c else { throw error("'collections' must be a mapping", nil) }
      for (name, spec) in entries {
        guard case .map(let fields) = spec else {
          throw error("collection '\(name)' must be a mapping with branches and max", nil)
        }
        for (key, _) in fields
        where !["branches", "max", "sort_by", "descending", "layout"].contains(key) {
          throw error(
            "unknown key '\(key)' in collection '\(name)'",
            "valid keys are: branches, max, sort_by, descending, layout")
        }
        let branches = try strings(spec["branches"], "collections.\(name).branches")
        guard !branches.isEmpty else { throw error("collection '\(name)' needs 'branches'", nil) }
        let max = try positive(spec["max"], "collections.\(name).max", 0)
        guard max > 0 else {
          throw error("collection '\(name)' needs 'max' (objects kept per entry)", nil)
        }
        var layout = Layout.objectMajor
        if let l = spec["layout"] {
          guard let s = l.stringValue, let parsed = Layout(rawValue: s) else {
            throw error(
              "'layout' of collection '\(name)' must be object-major or feature-major", nil)
          }
          layout = parsed
        }
        var descending = true
        if let d = spec["descending"] {
          guard case .bool(let b) = d else {
            throw error("'descending' must be true or false", nil)
          }
          descending = b
        }
        collections.append(
          Collection(
            name: name, branches: branches, max: max, sortBy: spec["sort_by"]?.stringValue,
            descending: descending, layout: layout))
      }
    }
    if let s = config["select"] {
      guard let text = s.stringValue else { throw error("'select' must be a string", nil) }
      do { select = try Selection.parse(text) } catch let e { throw error(e.message, nil) }
      selectText = text
    } else {
      select = nil
      selectText = nil
    }
    datasets = []
    if let d = config["datasets"] {
      guard case .map(let entries) = d else {
        throw error("'datasets' must be a mapping output: input", nil)
      }
      for (name, source) in entries {
        guard let s = source.stringValue else {
          throw error("dataset '\(name)' must name an input dataset", nil)
        }
        datasets.append((name, s))
      }
    }
    split = .none
    if let s = config["split"] {
      guard case .map = s else {
        throw error("'split' must be a mapping (fractions or files)", nil)
      }
      if case .map(let fractions)? = s["fractions"] {
        var list: [(name: String, fraction: Double)] = []
        for (name, value) in fractions {
          let f: Double
          switch value {
          case .double(let d): f = d
          case .int(let i): f = Double(i)
          default: throw error("split fraction of '\(name)' must be a number", nil)
          }
          guard f > 0 else { throw error("split fraction of '\(name)' must be positive", nil) }
          list.append((name, f))
        }
        let total = list.reduce(0) { $0 + $1.fraction }
        guard abs(total - 1) < 1e-9 else {
          throw error("split fractions add up to \(total), not 1", nil)
        }
        guard case .int(let seed)? = s["seed"] else {
          throw error("a fraction split needs an integer 'seed'", nil)
        }
        split = .fractions(list, seed: UInt64(bitPattern: Int64(seed)))
      } else if case .map(let files)? = s["files"] {
        var list: [(name: String, patterns: [String])] = []
        for (name, value) in files {
          list.append((name, try strings(value, "split.files.\(name)")))
        }
        split = .files(list)
      } else {
        throw error("'split' needs 'fractions' (with 'seed') or 'files'", nil)
      }
    }
    // Without `format`: hdf5 when the inputs are .h5 files or datasets are mapped, else root.
    if !formatGiven {
      let h5 = inputs.allSatisfy { $0.hasSuffix(".h5") || $0.hasSuffix(".hdf5") }
      let features = !collections.isEmpty || !jets.isEmpty || !labels.isEmpty
      format = !datasets.isEmpty ? .hdf5 : (h5 ? (features ? .rawHDF5 : .hdf5) : .root)
    }
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
    fields.append(
      (
        "collections",
        .map(
          collections.map { c in
            (
              c.name,
              .map([
                ("branches", .list(c.branches.map(Value.string))), ("max", .int(c.max)),
                ("sort_by", c.sortBy.map(Value.string) ?? .null),
                ("descending", .bool(c.descending)),
                ("layout", .string(c.layout.rawValue)),
              ])
            )
          })
      ))
    fields.append(("jets", .list(jets.map(Value.string))))
    fields.append(("labels", .list(labels.map(Value.string))))
    fields.append(("select", selectText.map(Value.string) ?? .null))
    switch split {
    case .none: fields.append(("split", .null))
    case .fractions(let f, let seed):
      fields.append(
        (
          "split",
          .map([
            ("fractions", .map(f.map { ($0.name, .double($0.fraction)) })),
            ("seed", .int(Int(Int64(bitPattern: seed)))),
          ])
        ))
    case .files(let f):
      fields.append(
        (
          "split",
          .map([("files", .map(f.map { ($0.name, .list($0.patterns.map(Value.string))) }))])
        ))
    }
    fields.append(("datasets", .map(datasets.map { ($0.output, .string($0.input)) })))
    fields.append(("output", .string(output)))
    fields.append(("chunk_rows", .int(chunkRows)))
    fields.append(("batch_entries", .int(batchEntries)))
    return .map(fields)
  }
}
