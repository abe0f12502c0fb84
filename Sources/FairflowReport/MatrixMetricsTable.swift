package import FairflowBase

/// One stage group's metrics as one table: a row per matrix cell (its coordinates, then its
/// numbers), a column per metric in the order the files list them, and for two or more cells a
/// last row with each metric's mean ± sample std (`SampleStatistics`). Numbers go through
/// `NumberFormat` (four significant digits, integers as integers); a cell whose file lacks a
/// metric shows "–" and is left out of that metric's mean.
package struct MatrixMetricsTable: Sendable {
  /// One cell: its matrix values as text, its metrics (nil: no metrics file yet).
  package struct Row: Sendable {
    package var coordinates: [String]
    package var values: [(key: String, value: Value)]?
    package init(coordinates: [String], values: [(key: String, value: Value)]?) {
      self.coordinates = coordinates
      self.values = values
    }
  }

  /// The matrix keys (`seed`), the first columns.
  package var keys: [String]
  package var rows: [Row]
  /// Adds the mean ± std row (matrix cells are replicates; unrelated stages side by side are not).
  package var showsStatistics: Bool

  package init(keys: [String], rows: [Row], showsStatistics: Bool = true) {
    self.keys = keys
    self.rows = rows
    self.showsStatistics = showsStatistics
  }

  /// Metric names in first-seen order over the rows.
  package var metrics: [String] {
    var seen = Set<String>()
    var names: [String] = []
    for row in rows {
      for (key, _) in row.values ?? [] where seen.insert(key).inserted { names.append(key) }
    }
    return names
  }

  /// A metric's mean and spread over the cells that have it.
  package func statistics(of metric: String) -> SampleStatistics? {
    let values = rows.compactMap { $0.values?.first { $0.key == metric }?.value }
    let integers = values.allSatisfy { if case .int = $0 { true } else { false } }
    return SampleStatistics(values.compactMap(\.doubleValue), integers: integers)
  }

  /// The table (`class="matrix"`; the statistics row is `class="mean-std"`).
  package var html: String {
    let metrics = self.metrics
    let head = keys.map(HTML.escape) + metrics.map(HTML.escape)
    var body = rows.map { row -> [String] in
      let cells = metrics.map { metric -> String in
        guard let values = row.values else { return "not run" }
        return values.first { $0.key == metric }.map { NumberFormat.text($0.value) } ?? "–"
      }
      return row.coordinates.map(HTML.escape) + cells
    }
    var classes: [Int: String] = [:]
    if showsStatistics, rows.count > 1 {
      let label = ["mean ± std"] + Array(repeating: "", count: max(keys.count - 1, 0))
      classes[body.count] = "mean-std"
      body.append(label + metrics.map { statistics(of: $0)?.formatted ?? "–" })
    }
    return HTML.table(
      head: head, rows: body, class: "matrix", rowClasses: classes, numericFrom: keys.count)
  }
}
