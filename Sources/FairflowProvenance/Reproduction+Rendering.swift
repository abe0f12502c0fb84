public import FairflowBase

extension Reproduction {
  /// The rows as text: one line per stage, then the differing outputs and metric deltas.
  public static func text(_ plan: ReproductionPlan, rows: [StageComparison]) -> String {
    var out = ""
    let width = max(5, rows.map(\.stage.count).max() ?? 5)
    for row in rows {
      out += row.stage.padding(width) + "  " + row.verdict.rawValue
      if let reason = row.reason { out += ": " + reason }
      out += "\n"
      for difference in row.differences {
        let reproduced = difference.reproduced.map { "sha256 \($0.prefix(12))" } ?? "missing"
        out +=
          "  " + String(repeating: " ", count: width) + difference.path + ": recorded sha256 "
          + difference.recorded.prefix(12) + ", reproduced " + reproduced
          + (difference.compared ? "" : " (not compared: declared deterministic: false)")
          + (difference.corrupt.isEmpty
            ? ""
            : " (cached copy corrupt"
              + (difference.corrupt == [""]
                ? "" : ": " + difference.corrupt.joined(separator: ", "))
              + ")") + "\n"
        if !difference.files.isEmpty {
          let shown = difference.files.prefix(10).joined(separator: ", ")
          let more = difference.files.count > 10 ? " and \(difference.files.count - 10) more" : ""
          out += "  " + String(repeating: " ", count: width) + "  files: " + shown + more + "\n"
        }
        for metric in difference.metrics {
          out +=
            "  " + String(repeating: " ", count: width) + "  " + metric.key + ": "
            + format(metric.recorded) + " -> " + format(metric.reproduced)
            + (metric.delta.map { " (delta " + format($0) + ")" } ?? "") + judgement(metric)
            + "\n"
        }
      }
    }
    let identical = rows.filter { $0.verdict == .identical }.count
    let tolerated = rows.filter { $0.verdict == .withinTolerance }.count
    out +=
      "\(plan.target): \(identical) of \(rows.count) stage\(rows.count == 1 ? "" : "s") "
      + "identical" + (tolerated > 0 ? ", \(tolerated) within tolerance" : "")
      + " at \(plan.commit.prefix(12))\n"
    return out
  }

  /// ", within tolerance 0.002" / ", outside tolerance 1%" / ", no tolerance declared".
  static func judgement(_ metric: StageComparison.MetricDelta) -> String {
    guard let within = metric.within else { return "" }
    guard let tolerance = metric.tolerance else { return ", no tolerance declared" }
    return (within ? ", within tolerance " : ", outside tolerance ") + tolerance
  }

  static func format(_ value: Double?) -> String {
    guard let value else { return "absent" }
    return value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
  }

  /// The rows as JSON (`schema: 1`).
  public static func json(
    _ plan: ReproductionPlan, rows: [StageComparison], scratch: String?
  ) -> Value {
    func number(_ value: Double?) -> Value { value.map(Value.double) ?? .null }
    let stages = rows.map { row -> Value in
      .map([
        ("stage", .string(row.stage)), ("run", .string(row.run)),
        ("result", .string(row.verdict.rawValue)),
        ("reason", row.reason.map(Value.string) ?? .null),
        (
          "outputs",
          .list(
            row.differences.map { d in
              .map([
                ("path", .string(d.path)), ("recorded", .string(d.recorded)),
                ("reproduced", d.reproduced.map(Value.string) ?? .null),
                ("files", .list(d.files.map(Value.string))),
                (
                  "metrics",
                  .list(
                    d.metrics.map { m in
                      var fields: [(key: String, value: Value)] = [
                        ("key", .string(m.key)), ("recorded", number(m.recorded)),
                        ("reproduced", number(m.reproduced)), ("delta", number(m.delta)),
                      ]
                      if let within = m.within {
                        fields.append(("tolerance", m.tolerance.map(Value.string) ?? .null))
                        fields.append(("within", .bool(within)))
                      }
                      return .map(fields)
                    })
                ),
                ("compared", .bool(d.compared)),
                ("corrupt", .list(d.corrupt.map(Value.string))),
              ])
            })
        ),
      ])
    }
    return .map([
      ("schema", .int(1)), ("artifact", .string(plan.target)), ("sha256", .string(plan.sha256)),
      ("pipeline", .string(plan.pipeline)), ("commit", .string(plan.commit)),
      ("identical", .bool(rows.allSatisfy { $0.verdict == .identical })),
      ("reproduced", .bool(exitStatus(rows) == .success)),
      ("scratch", scratch.map(Value.string) ?? .null), ("stages", .list(stages)),
    ])
  }
}

extension String {
  fileprivate func padding(_ width: Int) -> String {
    count >= width ? self : self + String(repeating: " ", count: width - count)
  }
}
