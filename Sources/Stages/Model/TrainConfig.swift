public import FairflowCore
internal import NeuralKit
public import FairflowBase

/// The `with:` of a `train` stage:
///
/// ```yaml
/// with:
///   model: interaction-network              # or braggnn
///   architecture: {hidden: 60, edge_features: 20, output_features: 24}   # optional overrides
///                                           # braggnn: {dense: [16, 8, 4, 2]}
///   train: data/features/train.h5           # HDF5 from `convert` (feature-major collections)
///   validation: data/features/validation.h5
///   tracks: tracks                          # dataset names (defaults shown)
///   vertices: vertices
///   labels: labels
///   patches: patch                          # braggnn: patches [N, 1, P, P], positions [N, 2]
///   positions: ploc
///   epochs: 20
///   batch_size: 128
///   optimizer: adam                         # or sgd
///   learning_rate: 0.001
///   schedule: constant                      # braggnn: or cosine (decays to 0 over `epochs`)
///   weight_decay: 0
///   warmup_steps: 0                         # linear learning-rate warm-up over N optimizer steps
///   momentum: 0                             # sgd only
///   patience: 5                             # early stopping on validation loss
///   drop_features: [track_quality, sv_ptrel] # interaction network: features left out (by name)
///   drop_unimportant:                        # …and the least important by single-feature
///     interpret: report/interpret/interpret.json   # masking ΔAUC in an `interpret` result
///     tracks: 12                             # (declare it in deps): the 12 track and 5 vertex
///     vertices: 5                            # features of smallest ΔAUC, and/or every feature
///     below: 0.01                            # whose ΔAUC (percent) is below 0.01
///   block_rows: 65536                       # rows loaded at a time (shuffled blocks)
///   seed: 1
///   threads: 0                              # 0 = all cores
///   output: models/in                       # model.json, model.safetensors, training-log.json
///   metrics: metrics/train.json
/// ```
public struct TrainConfig: Sendable, Equatable {
  public var model: String
  public var architecture: [(key: String, value: Value)]
  public var train: String
  public var validation: String?
  public var tracks: String
  public var vertices: String
  public var labels: String
  public var patches: String
  public var positions: String
  public var epochs: Int
  public var batchSize: Int
  public var optimizer: String
  public var learningRate: Double
  /// `constant` or `cosine` (BraggNN only): the learning rate of epoch e (1-based) of E is
  /// learning_rate · ½(1 + cos(π(e − 1)/E)).
  public var schedule: String
  public var weightDecay: Double
  /// Linear learning-rate warm-up over this many optimizer steps (0: none).
  public var warmupSteps: Int
  public var momentum: Double
  public var patience: Int
  public var blockRows: Int
  public var seed: Int
  public var threads: Int
  /// `threads`, with 0 meaning every core. It changes speed only: the trained bits are the same.
  var threadCount: Int { threads > 0 ? threads : Kernels.defaultThreads }
  public var output: String
  public var metrics: String?
  /// Interaction-network features left out of training, by name (an ablated model).
  public var dropFeatures: [String]
  /// Also leave out the least important features by single-feature masking ΔAUC in an
  /// `interpret` result: the `tracks` / `vertices` of smallest ΔAUC, and (or only) those whose
  /// ΔAUC in percent is below `below`.
  public var dropUnimportant: DropUnimportant?

  public struct DropUnimportant: Sendable, Equatable {
    public var interpret: String
    public var tracks: Int?
    public var vertices: Int?
    public var below: Double?
  }

  public static func == (a: TrainConfig, b: TrainConfig) -> Bool { a.value == b.value }

  static let keys = [
    "model", "architecture", "train", "validation", "tracks", "vertices", "labels", "patches",
    "positions", "epochs",
    "batch_size", "optimizer", "learning_rate", "schedule", "weight_decay", "momentum", "patience",
    "block_rows", "seed", "threads", "output", "metrics", "drop_features", "drop_unimportant",
    "warmup_steps",
  ]
  static let architectureKeys = [
    "interaction-network": ["hidden", "edge_features", "output_features"], "braggnn": ["dense"],
  ]

  public init(_ given: Value, error: (String, String?) -> PipelineError) throws(PipelineError) {
    guard case .map(let all) = given else { throw error("train needs a 'with' mapping", nil) }
    let pairs = all.filter { $0.value != .null }
    for (key, _) in pairs where !Self.keys.contains(key) {
      throw error(
        "unknown key '\(key)' in 'with' of a train stage",
        Suggestion.hint(for: key, in: Self.keys)
          ?? "valid keys are: \(Self.keys.joined(separator: ", "))")
    }
    let c = Value.map(pairs)
    func string(_ key: String, _ fallback: String? = nil) throws(PipelineError) -> String {
      if let s = c[key]?.stringValue { return s }
      if c[key] == nil, let fallback { return fallback }
      throw error(c[key] == nil ? "train needs '\(key)'" : "'\(key)' must be a string", nil)
    }
    func number(_ key: String, _ fallback: Double) throws(PipelineError) -> Double {
      switch c[key] {
      case nil: return fallback
      case .int(let i)?: return Double(i)
      case .double(let d)?: return d
      case .string(let s)? where Double(s) != nil: return Double(s)!
      default: throw error("'\(key)' must be a number", nil)
      }
    }
    func integer(_ key: String, _ fallback: Int, minimum: Int = 1) throws(PipelineError) -> Int {
      let v = try number(key, Double(fallback))
      guard v == v.rounded(), v >= Double(minimum), v < 1e12 else {
        throw error("'\(key)' must be an integer ≥ \(minimum)", nil)
      }
      return Int(v)
    }
    model = try string("model")
    guard let allowed = Self.architectureKeys[model] else {
      throw error("unknown model '\(model)'", "available: braggnn, interaction-network")
    }
    architecture = []
    if let a = c["architecture"] {
      guard case .map(let fields) = a else { throw error("'architecture' must be a mapping", nil) }
      for (key, value) in fields {
        guard allowed.contains(key) else {
          throw error(
            "unknown architecture key '\(key)' for \(model)",
            Suggestion.hint(for: key, in: allowed)
              ?? "valid keys are: \(allowed.joined(separator: ", "))")
        }
        let widths: [Value] = key == "dense" ? (value.listValue ?? []) : [value]
        guard !widths.isEmpty, widths.allSatisfy({ ($0.intValue ?? 0) > 0 }) else {
          throw error(
            key == "dense"
              ? "'architecture.dense' must be a list of positive integers"
              : "'architecture.\(key)' must be a positive integer", nil)
        }
        architecture.append((key, value))
      }
    }
    train = try string("train")
    validation = c["validation"]?.stringValue
    tracks = try string("tracks", "tracks")
    vertices = try string("vertices", "vertices")
    labels = try string("labels", "labels")
    patches = try string("patches", "patch")
    positions = try string("positions", "ploc")
    epochs = try integer("epochs", 10)
    batchSize = try integer("batch_size", 128)
    optimizer = try string("optimizer", "adam")
    guard ["adam", "sgd"].contains(optimizer) else {
      throw error("'optimizer' must be adam or sgd", nil)
    }
    learningRate = try number("learning_rate", 1e-3)
    guard learningRate > 0 else { throw error("'learning_rate' must be positive", nil) }
    schedule = try string("schedule", "constant")
    guard schedule == "constant" || (schedule == "cosine" && model == "braggnn") else {
      throw error(
        "'schedule' must be constant or cosine", "cosine is implemented for model: braggnn")
    }
    weightDecay = try number("weight_decay", 0)
    momentum = try number("momentum", 0)
    warmupSteps = try integer("warmup_steps", 0, minimum: 0)
    patience = try integer("patience", 5)
    blockRows = try integer("block_rows", 65536)
    seed = try integer("seed", 1, minimum: 0)
    threads = try integer("threads", 0, minimum: 0)
    output = try string("output")
    metrics = c["metrics"]?.stringValue
    dropFeatures = []
    if let d = c["drop_features"] {
      guard let list = d.listValue, list.allSatisfy({ $0.stringValue != nil }) else {
        throw error("'drop_features' must be a list of feature names", nil)
      }
      dropFeatures = list.compactMap(\.stringValue)
    }
    dropUnimportant = nil
    if let d = c["drop_unimportant"] {
      let keys = ["interpret", "tracks", "vertices", "below"]
      func count(_ key: String) -> Int?? {
        guard let v = d[key] else { return .some(nil) }
        guard let i = v.intValue, i >= 0 else { return nil }
        return .some(i)
      }
      guard case .map(let fields) = d, let file = d["interpret"]?.stringValue,
        fields.allSatisfy({ keys.contains($0.key) }), let tracks = count("tracks"),
        let vertices = count("vertices"), d["below"] == nil || (d["below"]?.doubleValue ?? -1) >= 0,
        tracks != nil || vertices != nil || d["below"] != nil
      else {
        throw error(
          "'drop_unimportant' must be {interpret: FILE, tracks: N, vertices: N, below: ΔAUC %}",
          "FILE is the interpret.json of an `interpret` stage with method masking; give counts, a threshold or both"
        )
      }
      dropUnimportant = DropUnimportant(
        interpret: file, tracks: tracks, vertices: vertices, below: d["below"]?.doubleValue)
    }
    guard model == "interaction-network" || (dropFeatures.isEmpty && dropUnimportant == nil) else {
      throw error("'drop_features' and 'drop_unimportant' apply to the interaction network", nil)
    }
  }

  public var value: Value {
    var fields: [(key: String, value: Value)] = [
      ("model", .string(model)),
      ("architecture", .map(architecture)),
      ("train", .string(train)), ("validation", validation.map(Value.string) ?? .null),
      ("tracks", .string(tracks)), ("vertices", .string(vertices)), ("labels", .string(labels)),
      ("patches", .string(patches)), ("positions", .string(positions)),
      ("epochs", .int(epochs)), ("batch_size", .int(batchSize)), ("optimizer", .string(optimizer)),
      ("learning_rate", .double(learningRate)), ("weight_decay", .double(weightDecay)),
      ("momentum", .double(momentum)), ("patience", .int(patience)),
      ("block_rows", .int(blockRows)),
      ("seed", .int(seed)), ("threads", .int(threads)), ("output", .string(output)),
    ]
    fields.append(("metrics", metrics.map(Value.string) ?? .null))
    // Only when set, so that existing stages keep their fingerprints.
    if schedule != "constant" { fields.append(("schedule", .string(schedule))) }
    if warmupSteps > 0 { fields.append(("warmup_steps", .int(warmupSteps))) }
    if !dropFeatures.isEmpty {
      fields.append(("drop_features", .list(dropFeatures.map(Value.string))))
    }
    if let d = dropUnimportant {
      var f: [(key: String, value: Value)] = [("interpret", .string(d.interpret))]
      if let t = d.tracks { f.append(("tracks", .int(t))) }
      if let v = d.vertices { f.append(("vertices", .int(v))) }
      if let b = d.below { f.append(("below", .double(b))) }
      fields.append(("drop_unimportant", .map(f)))
    }
    return .map(fields)
  }
}
