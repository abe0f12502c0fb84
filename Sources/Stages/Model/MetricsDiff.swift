package import FairflowBase

/// `fairflow metrics diff`: every metric of a pipeline's metrics files, as committed at a git
/// revision and as the workspace has it now, with the change.
///
///     file                   metric    HEAD    now     change
///     metrics/evaluate.json  accuracy  0.5     0.9     +0.4 (+80%)
///     metrics/evaluate.json  auc       0.9537  0.9437  -0.01 (-1.049%)
///     metrics/evaluate.json  rows      –       2000    new
///
/// Numbers follow `MetricFormat` (four significant digits, more where old and new would print
/// alike); `--json` keeps them exact.
package struct MetricsDiff: Sendable {
  /// One metric before and after.
  package struct Row: Sendable, Equatable {
    package var file: String
    package var metric: String
    package var old: Double?
    package var new: Double?

    package var change: Double? { new.flatMap { n in old.map { n - $0 } } }
  }

  package var revision: String
  package private(set) var rows: [Row] = []

  package init(revision: String) { self.revision = revision }

  /// Adds `file`'s metrics, sorted by name: `old` at the revision, `new` now.
  package mutating func add(file: String, old: [String: Double], new: [String: Double]) {
    for metric in Set(old.keys).union(new.keys).sorted() {
      rows.append(Row(file: file, metric: metric, old: old[metric], new: new[metric]))
    }
  }

  /// `fairflow metrics diff --json` (schema 1).
  package var json: Value {
    let list = rows.map { r in
      Value.map([
        ("file", .string(r.file)), ("metric", .string(r.metric)),
        ("old", r.old.map(Value.double) ?? .null), ("new", r.new.map(Value.double) ?? .null),
        ("change", r.change.map(Value.double) ?? .null),
      ])
    }
    return .map([("schema", .int(1)), ("rev", .string(revision)), ("metrics", .list(list))])
  }

  /// The header and one row of cells per metric; columns 2–4 are numbers.
  package var table: [[String]] {
    [["file", "metric", revision, "now", "change"]]
      + rows.map { r in
        let digits = MetricFormat.digits(distinguishing: [r.old, r.new].compactMap { $0 })
        func number(_ x: Double?) -> String {
          x.map { MetricFormat.number($0, digits: digits) } ?? "–"
        }
        return [r.file, r.metric, number(r.old), number(r.new), Self.change(r)]
      }
  }

  /// "+0.4 (+80%)", "-0.01 (-1.049%)", "0", "new", "removed".
  static func change(_ r: Row) -> String {
    guard let old = r.old else { return "new" }
    guard let new = r.new, let change = r.change else { return "removed" }
    let text = MetricFormat.change(change)
    guard text != "0", old != 0, old.isFinite, new.isFinite else { return text }
    return text + " (" + MetricFormat.change(change / abs(old) * 100) + "%)"
  }
}
