public import FairflowCore

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
///   momentum: 0                             # sgd only
///   patience: 5                             # early stopping on validation loss
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
  public var momentum: Double
  public var patience: Int
  public var blockRows: Int
  public var seed: Int
  public var threads: Int
  public var output: String
  public var metrics: String?

  public static func == (a: TrainConfig, b: TrainConfig) -> Bool { a.value == b.value }

  static let keys = [
    "model", "architecture", "train", "validation", "tracks", "vertices", "labels", "patches",
    "positions", "epochs",
    "batch_size", "optimizer", "learning_rate", "schedule", "weight_decay", "momentum", "patience",
    "block_rows", "seed", "threads", "output", "metrics",
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
    patience = try integer("patience", 5)
    blockRows = try integer("block_rows", 65536)
    seed = try integer("seed", 1, minimum: 0)
    threads = try integer("threads", 0, minimum: 0)
    output = try string("output")
    metrics = c["metrics"]?.stringValue
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
    return .map(fields)
  }
}
