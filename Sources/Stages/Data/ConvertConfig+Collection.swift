internal import FairflowBase
internal import FairflowCore

extension ConvertConfig {
  /// How a collection's `[max, features]` rows are laid out.
  public enum Layout: String, Sendable {
    case objectMajor = "object-major", featureMajor = "feature-major"
  }

  /// One per-object collection of `collections:`: its branches, zero-padded to `max` objects
  /// per entry, optionally sorted by a branch.
  public struct Collection: Sendable, Equatable {
    public var name: String
    public var branches: [String]
    public var max: Int
    public var sortBy: String?
    public var descending: Bool
    public var layout: Layout

    static let keys = ["branches", "max", "sort_by", "descending", "layout"]

    /// Every collection of `collections:` (absent: none), in the given order.
    static func all(
      _ v: Value?, error: (String, String?) -> PipelineError
    ) throws(PipelineError) -> [Collection] {
      guard let v else { return [] }
      guard case .map(let entries) = v else {
        throw error("'collections' must be a mapping", nil)
      }
      var out: [Collection] = []
      for (name, spec) in entries { out.append(try Collection(name: name, spec, error: error)) }
      return out
    }

    init(
      name: String, _ spec: Value, error: (String, String?) -> PipelineError
    ) throws(PipelineError) {
      guard case .map(let fields) = spec else {
        throw error("collection '\(name)' must be a mapping with branches and max", nil)
      }
      for (key, _) in fields where !Self.keys.contains(key) {
        throw error(
          "unknown key '\(key)' in collection '\(name)'",
          "valid keys are: branches, max, sort_by, descending, layout")
      }
      self.name = name
      branches = try ConvertConfig.strings(
        spec["branches"], "collections.\(name).branches", error: error)
      guard !branches.isEmpty else { throw error("collection '\(name)' needs 'branches'", nil) }
      max = try ConvertConfig.positive(spec["max"], "collections.\(name).max", 0, error: error)
      guard max > 0 else {
        throw error("collection '\(name)' needs 'max' (objects kept per entry)", nil)
      }
      layout = .objectMajor
      if let l = spec["layout"] {
        guard let s = l.stringValue, let parsed = Layout(rawValue: s) else {
          throw error("'layout' of collection '\(name)' must be object-major or feature-major", nil)
        }
        layout = parsed
      }
      descending = true
      if let d = spec["descending"] {
        guard case .bool(let b) = d else { throw error("'descending' must be true or false", nil) }
        descending = b
      }
      sortBy = spec["sort_by"]?.stringValue
    }

    /// The normalised form (every field present; `sort_by` null when absent).
    var value: Value {
      .map([
        ("branches", .list(branches.map(Value.string))), ("max", .int(max)),
        ("sort_by", sortBy.map(Value.string) ?? .null), ("descending", .bool(descending)),
        ("layout", .string(layout.rawValue)),
      ])
    }
  }
}
