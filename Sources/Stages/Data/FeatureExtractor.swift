public import ROOTIO
public import StageSupport
internal import FairflowBase
internal import FairflowCore

/// Turns a batch of branch columns into the rows of the output tensors: selection, one-hot
/// labels, per-entry features and zero-padded, optionally sorted per-object collections. Pure:
/// tested without files.
public struct FeatureExtractor: Sendable {
  public let config: ConvertConfig

  public init(config: ConvertConfig) { self.config = config }

  /// Every branch the conversion reads.
  public var branches: [String] {
    var names: [String] = []
    for c in config.collections {
      names += c.branches
      if let s = c.sortBy { names.append(s) }
    }
    names += config.jets + config.labels + (config.select?.branches ?? [])
    var seen: Set<String> = []
    return names.filter { seen.insert($0).inserted }
  }

  /// Values of one batch: flat branches as doubles per entry, jagged ones with offsets.
  public struct Batch: Sendable {
    public var entries: Int
    var flat: [String: [Double]] = [:]
    var jagged: [String: (offsets: [Int], values: [Double])] = [:]

    public init(columns: [String: Column], entries: Int) throws(StageError) {
      self.entries = entries
      for (name, column) in columns {
        if let offsets = column.offsets {
          guard column.itemSize == 1 else {
            throw StageError(
              "branch '\(name)' has \(column.innerShape) values per object; collections take one value per object"
            )
          }
          jagged[name] = (offsets, column.doubles())
        } else {
          guard column.itemSize == 1 else {
            throw StageError(
              "branch '\(name)' is a fixed array \(column.innerShape); use a scalar branch")
          }
          flat[name] = column.doubles()
        }
      }
    }

    func flatValues(_ name: String, for what: String) throws(StageError) -> [Double] {
      guard let v = flat[name] else {
        throw StageError(
          jagged[name] != nil
            ? "\(what) needs a per-entry branch, but '\(name)' holds a list per entry"
            : "no branch '\(name)'")
      }
      return v
    }
  }

  /// Entries (indices into the batch) that pass the selection and have exactly one label set.
  /// `droppedLabels` counts entries with no or several labels.
  public func selectedRows(_ batch: Batch) throws(StageError) -> (rows: [Int], droppedLabels: Int) {
    var columns: [String: [Double]] = [:]
    for name in config.select?.branches ?? [] {
      columns[name] = try batch.flatValues(name, for: "the selection")
    }
    let labels = try config.labels.map { (name) throws(StageError) in
      try batch.flatValues(name, for: "a label")
    }
    var rows: [Int] = []
    var dropped = 0
    for k in 0..<batch.entries {
      if let select = config.select, !select.passes({ columns[$0]![k] }) { continue }
      if !labels.isEmpty, labels.filter({ $0[k] != 0 }).count != 1 {
        dropped += 1
        continue
      }
      rows.append(k)
    }
    return (rows, dropped)
  }

  /// `[rows, labels]` one-hot.
  public func labels(_ batch: Batch, rows: [Int]) throws(StageError) -> [Float] {
    let columns = try config.labels.map { (name) throws(StageError) in
      try batch.flatValues(name, for: "a label")
    }
    var out = [Float](repeating: 0, count: rows.count * columns.count)
    for (r, k) in rows.enumerated() {
      for (j, column) in columns.enumerated() where column[k] != 0 {
        out[r * columns.count + j] = 1
      }
    }
    return out
  }

  /// `[rows, jets]`: per-entry features.
  public func jets(_ batch: Batch, rows: [Int]) throws(StageError) -> [Float] {
    let columns = try config.jets.map { (name) throws(StageError) in
      try batch.flatValues(name, for: "'jets'")
    }
    var out = [Float](repeating: 0, count: rows.count * columns.count)
    for (r, k) in rows.enumerated() {
      for (j, column) in columns.enumerated() { out[r * columns.count + j] = Float(column[k]) }
    }
    return out
  }

  /// `[rows, max, F]` (object-major) or `[rows, F, max]` (feature-major): the first `max` objects
  /// of each entry (after sorting by `sort_by`, NaN last, ties kept in order), zero-padded.
  public func collection(_ spec: ConvertConfig.Collection, _ batch: Batch, rows: [Int])
    throws(StageError) -> [Float]
  {
    var columns: [(offsets: [Int], values: [Double])] = []
    for name in spec.branches {
      guard let c = batch.jagged[name] else {
        throw StageError(
          batch.flat[name] != nil
            ? "collection '\(spec.name)': branch '\(name)' holds one value per entry, not a list"
            : "collection '\(spec.name)': no branch '\(name)'")
      }
      columns.append(c)
    }
    var key: (offsets: [Int], values: [Double])?
    if let sortBy = spec.sortBy {
      guard let c = batch.jagged[sortBy] else {
        throw StageError(
          "collection '\(spec.name)': sort_by branch '\(sortBy)' is not a list branch")
      }
      key = c
    }
    let f = spec.branches.count
    let m = spec.max
    var out = [Float](repeating: 0, count: rows.count * m * f)
    for (r, k) in rows.enumerated() {
      let first = columns[0].offsets
      let count = first[k + 1] - first[k]
      for (j, c) in columns.enumerated() where c.offsets[k + 1] - c.offsets[k] != count {
        throw StageError(
          "collection '\(spec.name)': entry \(k) has \(count) '\(spec.branches[0])' but \(c.offsets[k + 1] - c.offsets[k]) '\(spec.branches[j])' values"
        )
      }
      var order = Array(0..<count)
      if let key {
        guard key.offsets[k + 1] - key.offsets[k] == count else {
          throw StageError(
            "collection '\(spec.name)': sort_by '\(spec.sortBy!)' has a different count at entry \(k)"
          )
        }
        let base = key.offsets[k]
        let descending = spec.descending
        order.sort { a, b in
          let x = key.values[base + a]
          let y = key.values[base + b]
          if x.isNaN != y.isNaN { return y.isNaN }  // NaN last
          if x == y || (x.isNaN && y.isNaN) { return a < b }
          return descending ? x > y : x < y
        }
      }
      for (slot, object) in order.prefix(m).enumerated() {
        for (j, c) in columns.enumerated() {
          let value = Float(c.values[c.offsets[k] + object])
          let index =
            spec.layout == .objectMajor ? (r * m + slot) * f + j : (r * f + j) * m + slot
          out[index] = value
        }
      }
    }
    return out
  }

  /// The row shape (without the leading row count) of a collection's dataset.
  public static func shape(of spec: ConvertConfig.Collection) -> [Int] {
    spec.layout == .objectMajor
      ? [spec.max, spec.branches.count] : [spec.branches.count, spec.max]
  }
}

/// The conversion's name for `StageError` (the one error of built-in stages).
public typealias ConvertError = StageError
