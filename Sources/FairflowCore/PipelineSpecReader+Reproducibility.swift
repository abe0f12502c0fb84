internal import Yams

/// A stage's `deterministic:` and `tolerance:` keys (see `Reproducibility`).
extension NodeReader {
  /// `deterministic:` and `tolerance:` (`Reproducibility`); nil when neither is given.
  mutating func reproducibility(_ fields: [(key: String, keyNode: Node, value: Node)], what: String)
    throws(PipelineError) -> Reproducibility?
  {
    let deterministic = fields.first { $0.key == "deterministic" }
    guard let tolerance = fields.first(where: { $0.key == "tolerance" }) else {
      guard let deterministic else { return nil }
      return Reproducibility(
        deterministic: try bool(deterministic.value, what: "'deterministic' of \(what)"))
    }
    guard let deterministic,
      try !bool(deterministic.value, what: "'deterministic' of \(what)")
    else {
      throw error(
        "'tolerance' of \(what) needs 'deterministic: false'", at: tolerance.keyNode,
        hint: "a deterministic stage is compared byte for byte; declare 'deterministic: false' "
          + "for outputs that change from run to run")
    }
    var bounds: [Reproducibility.Tolerance] = []
    for (key, _, node) in try pairs(tolerance.value, what: "'tolerance' of \(what)") {
      guard let bound = Reproducibility.Tolerance(key: key, value: try value(node)) else {
        throw error(
          "tolerance '\(key)' of \(what) must be a number ≥ 0, \"N%\" or any, found "
            + describe(node), at: node)
      }
      bounds.append(bound)
    }
    return Reproducibility(deterministic: false, tolerance: bounds)
  }
}
