internal import FairflowBase
internal import FairflowCore
internal import FairflowStore
internal import HDF5
internal import StageSupport

/// The features an interaction network trains on: every feature of the training split but
/// those dropped by name (`drop_features`) or by their masking ΔAUC in an `interpret` result
/// (`drop_unimportant`).
struct FeatureSelection {
  /// Kept track and vertex features (both empty: all, as is) and the dropped ones.
  var tracks: [String] = []
  var vertices: [String] = []
  var dropped: [String] = []

  init(_ config: TrainConfig, root: String, file: HDF5File) throws {
    var dropped = config.dropFeatures
    if let d = config.dropUnimportant {
      for name in try Self.unimportant(d, root: root) where !dropped.contains(name) {
        dropped.append(name)
      }
    }
    guard !dropped.isEmpty else { return }
    let tracks = JetInputs.names(try file.root.inputDataset(config.tracks))
    let vertices = JetInputs.names(try file.root.inputDataset(config.vertices))
    guard !tracks.isEmpty, !vertices.isEmpty else {
      throw StageError(
        "\(config.train) does not name its features, so none can be dropped (convert names them)")
    }
    let all = tracks + vertices
    for name in dropped where !all.contains(name) {
      throw StageError(
        "cannot drop '\(name)': \(config.train) has no such feature"
          + (Suggestion.hint(for: name, in: all).map { " (\($0))" } ?? ""))
    }
    self.tracks = tracks.filter { !dropped.contains($0) }
    self.vertices = vertices.filter { !dropped.contains($0) }
    guard !self.tracks.isEmpty, !self.vertices.isEmpty else {
      throw StageError(
        "dropping \(dropped.count) features would leave no track or no vertex feature")
    }
    self.dropped = dropped
  }

  /// The features `d` selects from its interpret result's masking ΔAUC: per collection the
  /// `tracks` / `vertices` of smallest ΔAUC (ties in the file's order), those below `below`, or
  /// the first so many of those below it.
  static func unimportant(_ d: TrainConfig.DropUnimportant, root: String) throws -> [String] {
    let result = try ValueParser.parse(
      try FileIO.readText(root + "/" + d.interpret), file: d.interpret)
    guard let masking = result["masking"] else {
      throw StageError("\(d.interpret) has no masking result (run interpret with method masking)")
    }
    var chosen: [String] = []
    for (collection, limit) in [("tracks", d.tracks), ("vertices", d.vertices)] {
      // Smallest ΔAUC first; ties keep the file's order.
      var ranked = (masking[collection]?.listValue ?? []).enumerated().compactMap {
        i, entry -> (Int, String, Double)? in
        guard let name = entry["feature"]?.stringValue,
          let delta = entry["delta_auc_percent"]?.doubleValue
        else { return nil }
        return (i, name, delta)
      }.sorted { ($0.2, $0.0) < ($1.2, $1.0) }
      if let below = d.below { ranked = ranked.filter { $0.2 < below } }
      if let limit {
        ranked = Array(ranked.prefix(limit))
      } else if d.below == nil {
        ranked = []  // counts given for the other collection only
      }
      chosen += ranked.map(\.1)
    }
    return chosen
  }
}
