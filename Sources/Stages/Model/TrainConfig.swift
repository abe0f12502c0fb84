public import FairflowBase
public import FairflowCore
public import StageSupport
internal import NeuralKit

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
public struct TrainConfig: StageConfiguration, Equatable {
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

  public static let keys = [
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
    self = try ConfigFields.decode(given, stage: "train", error: error) {
      fields throws(PipelineError) in try TrainConfig(TrainFields(fields.given))
    }
  }

  /// Decodes the given mapping in the order its keys were always checked.
  private init(_ c: TrainFields) throws(PipelineError) {
    model = try c.string("model")
    architecture = try Self.architecture(c, model: model)
    train = try c.string("train")
    validation = c.value["validation"]?.stringValue
    tracks = try c.string("tracks", "tracks")
    vertices = try c.string("vertices", "vertices")
    labels = try c.string("labels", "labels")
    patches = try c.string("patches", "patch")
    positions = try c.string("positions", "ploc")
    epochs = try c.integer("epochs", 10)
    batchSize = try c.integer("batch_size", 128)
    optimizer = try c.string("optimizer", "adam")
    guard ["adam", "sgd"].contains(optimizer) else {
      throw PipelineError("'optimizer' must be adam or sgd")
    }
    learningRate = try c.number("learning_rate", 1e-3)
    guard learningRate > 0 else { throw PipelineError("'learning_rate' must be positive") }
    schedule = try c.string("schedule", "constant")
    guard schedule == "constant" || (schedule == "cosine" && model == "braggnn") else {
      throw PipelineError(
        "'schedule' must be constant or cosine", hint: "cosine is implemented for model: braggnn")
    }
    weightDecay = try c.number("weight_decay", 0)
    momentum = try c.number("momentum", 0)
    warmupSteps = try c.integer("warmup_steps", 0, minimum: 0)
    patience = try c.integer("patience", 5)
    blockRows = try c.integer("block_rows", 65536)
    seed = try c.integer("seed", 1, minimum: 0)
    threads = try c.integer("threads", 0, minimum: 0)
    output = try c.string("output")
    metrics = c.value["metrics"]?.stringValue
    dropFeatures = try Self.dropFeatures(c)
    dropUnimportant = try Self.dropUnimportant(c)
    guard model == "interaction-network" || (dropFeatures.isEmpty && dropUnimportant == nil) else {
      throw PipelineError(
        "'drop_features' and 'drop_unimportant' apply to the interaction network")
    }
  }

  /// `architecture`: overrides of `model`'s layer widths (positive integers).
  private static func architecture(_ c: TrainFields, model: String) throws(PipelineError)
    -> [(key: String, value: Value)]
  {
    guard let allowed = architectureKeys[model] else {
      throw PipelineError(
        "unknown model '\(model)'", hint: "available: braggnn, interaction-network")
    }
    guard let a = c.value["architecture"] else { return [] }
    guard case .map(let fields) = a else {
      throw PipelineError("'architecture' must be a mapping")
    }
    for (key, value) in fields {
      guard allowed.contains(key) else {
        throw PipelineError(
          "unknown architecture key '\(key)' for \(model)",
          hint: Suggestion.hint(for: key, in: allowed)
            ?? "valid keys are: \(allowed.joined(separator: ", "))")
      }
      let widths: [Value] = key == "dense" ? (value.listValue ?? []) : [value]
      guard !widths.isEmpty, widths.allSatisfy({ ($0.intValue ?? 0) > 0 }) else {
        throw PipelineError(
          key == "dense"
            ? "'architecture.dense' must be a list of positive integers"
            : "'architecture.\(key)' must be a positive integer")
      }
    }
    return fields
  }

  /// `drop_features`: feature names.
  private static func dropFeatures(_ c: TrainFields) throws(PipelineError) -> [String] {
    guard let d = c.value["drop_features"] else { return [] }
    guard let list = d.listValue, list.allSatisfy({ $0.stringValue != nil }) else {
      throw PipelineError("'drop_features' must be a list of feature names")
    }
    return list.compactMap(\.stringValue)
  }

  /// `drop_unimportant`: an interpret result with counts, a threshold or both.
  private static func dropUnimportant(_ c: TrainFields) throws(PipelineError) -> DropUnimportant? {
    guard let d = c.value["drop_unimportant"] else { return nil }
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
      throw PipelineError(
        "'drop_unimportant' must be {interpret: FILE, tracks: N, vertices: N, below: ΔAUC %}",
        hint:
          "FILE is the interpret.json of an `interpret` stage with method masking; give counts, a threshold or both"
      )
    }
    return DropUnimportant(
      interpret: file, tracks: tracks, vertices: vertices, below: d["below"]?.doubleValue)
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

/// A `train` stage's given `with:` mapping with its `null`s dropped (`null` means "not given";
/// the normalised form writes absent options as null) and its keys checked, read with the
/// train kind's own wording.
private struct TrainFields {
  let value: Value

  init(_ given: Value) throws(PipelineError) {
    guard case .map(let all) = given else { throw PipelineError("train needs a 'with' mapping") }
    let pairs = all.filter { $0.value != .null }
    for (key, _) in pairs where !TrainConfig.keys.contains(key) {
      throw PipelineError(
        "unknown key '\(key)' in 'with' of a train stage",
        hint: Suggestion.hint(for: key, in: TrainConfig.keys)
          ?? "valid keys are: \(TrainConfig.keys.joined(separator: ", "))")
    }
    value = .map(pairs)
  }

  func string(_ key: String, _ fallback: String? = nil) throws(PipelineError) -> String {
    if let s = value[key]?.stringValue { return s }
    if value[key] == nil, let fallback { return fallback }
    throw PipelineError(value[key] == nil ? "train needs '\(key)'" : "'\(key)' must be a string")
  }

  func number(_ key: String, _ fallback: Double) throws(PipelineError) -> Double {
    switch value[key] {
    case nil: return fallback
    case .int(let i)?: return Double(i)
    case .double(let d)?: return d
    case .string(let s)? where Double(s) != nil: return Double(s)!
    default: throw PipelineError("'\(key)' must be a number")
    }
  }

  func integer(_ key: String, _ fallback: Int, minimum: Int = 1) throws(PipelineError) -> Int {
    let v = try number(key, Double(fallback))
    guard v == v.rounded(), v >= Double(minimum), v < 1e12 else {
      throw PipelineError("'\(key)' must be an integer ≥ \(minimum)")
    }
    return Int(v)
  }
}
