public import HDF5
public import NeuralKit
internal import FairflowBase
internal import FairflowCore
internal import StageSupport

/// An interaction network's inputs read from one `convert` split (feature-major `tracks`
/// [N, P, N_tracks], `vertices` [N, S, N_vertices], one-hot `labels` [N, classes]), block by block.
///
/// The features read are chosen by name: `wantedTracks` / `wantedVertices` list the feature
/// names in the order the model takes them, and each is looked up in the file's `features`
/// attribute. So a model trained on a subset of the features (an ablated model) reads the full
/// split, and a file that orders its features differently is still read right. When either side
/// has no names, nothing can be matched and the feature counts must agree exactly (read as is).
/// Without a labels dataset (`labels: nil`, as `fairflow predict` reads) only `features` works.
public struct JetInputs {
  let tracks: HDF5Dataset
  let vertices: HDF5Dataset
  let labels: HDF5Dataset?
  public let rows: Int
  let classes: Int
  /// Slots per jet: tracks and vertices.
  let trackSlots: Int
  let vertexSlots: Int
  /// The features read, in model order (names generated when the file has none).
  let trackNames: [String]
  let vertexNames: [String]
  /// For each model feature, its row in the file; nil when read as is.
  private let trackRows: [Int]?
  private let vertexRows: [Int]?
  private let fileTrackFeatures: Int
  private let fileVertexFeatures: Int

  /// The feature names a dataset declares (`convert` writes them), or [] when it declares none.
  static func names(_ dataset: HDF5Dataset) -> [String] {
    (try? dataset.attributes.strings("features")) ?? []
  }

  /// - Parameters:
  ///   - wantedTracks, wantedVertices: feature names in model order; nil or [] reads every
  ///     feature of the file as is.
  ///   - expectedTracks, expectedVertices: when given, the feature count the model takes (checked
  ///     when the file has no names to select by).
  init(
    file: HDF5File, path: String, tracks trackName: String = "tracks",
    vertices vertexName: String = "vertices", labels labelName: String? = "labels",
    wantedTracks: [String]? = nil, wantedVertices: [String]? = nil,
    expectedTracks: Int? = nil, expectedVertices: Int? = nil
  ) throws {
    tracks = try file.root.inputDataset(trackName)
    vertices = try file.root.inputDataset(vertexName)
    labels = try labelName.map { try file.root.inputDataset($0) }
    let t = try tracks.shape
    let v = try vertices.shape
    let l = try labels?.shape ?? [t.first ?? 0, 0]
    guard t.count == 3, v.count == 3, l.count == 2, t[0] == v[0], t[0] == l[0] else {
      throw StageError(
        "\(path): expected tracks [N, P, N_tracks], vertices [N, S, N_vertices], labels [N, classes]; found \(t), \(v), \(l) (convert with layout: feature-major)"
      )
    }
    rows = t[0]
    classes = l[1]
    (trackSlots, vertexSlots) = (t[2], v[2])
    (fileTrackFeatures, fileVertexFeatures) = (t[1], v[1])
    func select(
      _ wanted: [String]?, _ given: [String], count: Int, expected: Int?, what: String
    ) throws -> (names: [String], rows: [Int]?) {
      let generated = (0..<count).map { "\(what)_\($0)" }
      let fileNames = given.count == count ? given : []
      guard let wanted, !wanted.isEmpty, !fileNames.isEmpty else {
        if let expected, expected != count {
          throw StageError(
            "\(path): '\(what == "track" ? trackName : vertexName)' has \(count) \(what) features, the model takes \(expected)"
              + (fileNames.isEmpty ? " (the file does not name its features)" : ""))
        }
        return (fileNames.isEmpty ? generated : fileNames, nil)
      }
      var index: [String: Int] = [:]
      for (i, name) in fileNames.enumerated() where index[name] == nil { index[name] = i }
      let missing = wanted.filter { index[$0] == nil }
      guard missing.isEmpty else {
        throw StageError(
          "\(path): the model needs \(what) feature\(missing.count == 1 ? "" : "s") "
            + missing.map { "'\($0)'" }.joined(separator: ", ")
            + ", which '\(what == "track" ? trackName : vertexName)' does not have")
      }
      let rows = wanted.map { index[$0]! }
      return (wanted, rows == Array(0..<count) ? nil : rows)
    }
    (trackNames, trackRows) = try select(
      wantedTracks, Self.names(tracks), count: t[1], expected: expectedTracks, what: "track")
    (vertexNames, vertexRows) = try select(
      wantedVertices, Self.names(vertices), count: v[1], expected: expectedVertices,
      what: "vertex")
  }

  /// The inputs of interaction network `model` (its `model.json` text `json` names the features
  /// it takes), checked against the model's input shapes; `labels: nil` reads no labels.
  public init(
    model: InteractionNetwork, json: String, file: HDF5File, path: String,
    tracks trackName: String = "tracks", vertices vertexName: String = "vertices",
    labels labelName: String? = "labels"
  ) throws {
    let c = model.configuration
    let features = ModelFeatures.names(json: json)
    try self.init(
      file: file, path: path, tracks: trackName, vertices: vertexName, labels: labelName,
      wantedTracks: features.tracks, wantedVertices: features.vertices,
      expectedTracks: c.trackFeatures, expectedVertices: c.vertexFeatures)
    guard trackShape == [c.trackFeatures, c.tracks], vertexShape == [c.vertexFeatures, c.vertices],
      labelName == nil || classes == c.classes
    else {
      throw StageError(
        "\(path): tracks \(trackShape), vertices \(vertexShape) and \(classes) classes per jet do not fit the model (tracks [\(c.trackFeatures), \(c.tracks)], vertices [\(c.vertexFeatures), \(c.vertices)], \(c.classes) classes)"
      )
    }
  }

  /// Feature shapes as the model sees them: [features, slots].
  var trackShape: [Int] { [trackNames.count, trackSlots] }
  var vertexShape: [Int] { [vertexNames.count, vertexSlots] }

  /// Rows `range` of the inputs, in model order: tracks and vertices.
  public func features(_ range: Range<Int>) throws -> (tracks: Tensor, vertices: Tensor) {
    let t = try tracks.read(rows: range, as: Float.self)
    let v = try vertices.read(rows: range, as: Float.self)
    return (
      Tensor(
        shape: [range.count] + trackShape,
        data: Self.gather(
          t, jets: range.count, from: fileTrackFeatures, rows: trackRows, slots: trackSlots)),
      Tensor(
        shape: [range.count] + vertexShape,
        data: Self.gather(
          v, jets: range.count, from: fileVertexFeatures, rows: vertexRows, slots: vertexSlots))
    )
  }

  /// Rows `range`: inputs in model order and each jet's class (the label's arg-max).
  func block(_ range: Range<Int>) throws -> JetSet {
    guard let labels else { throw StageError("no labels dataset to read") }
    let (x, y) = try features(range)
    let l = try labels.read(rows: range, as: Float.self)
    var classesOf: [Int] = []
    classesOf.reserveCapacity(range.count)
    for i in 0..<range.count {
      let row = l[(i * classes)..<((i + 1) * classes)]
      classesOf.append(row.firstIndex(of: row.max()!)! - i * classes)
    }
    return JetSet(
      tracks: x, vertices: y,
      labels: classesOf)
  }

  /// Picks feature rows `rows` of each jet's [features, slots] block.
  static func gather(_ data: [Float], jets: Int, from features: Int, rows: [Int]?, slots: Int)
    -> [Float]
  {
    guard let rows else { return data }
    var out = [Float](repeating: 0, count: jets * rows.count * slots)
    out.withUnsafeMutableBufferPointer { o in
      data.withUnsafeBufferPointer { d in
        for j in 0..<jets {
          for (k, r) in rows.enumerated() {
            let src = (j * features + r) * slots
            let dst = (j * rows.count + k) * slots
            for s in 0..<slots { o[dst + s] = d[src + s] }
          }
        }
      }
    }
    return out
  }
}

/// The input feature names a `model.json` declares (`inputs[].features`), by input name.
enum ModelFeatures {
  static func names(json: String) -> (tracks: [String], vertices: [String]) {
    guard let value = try? ValueParser.parse(json, file: "model.json"),
      let inputs = value["inputs"]?.listValue
    else { return ([], []) }
    func features(_ name: String) -> [String] {
      inputs.first { $0["name"]?.stringValue == name }?["features"]?.listValue?.compactMap(
        \.stringValue) ?? []
    }
    return (features("tracks"), features("vertices"))
  }
}
