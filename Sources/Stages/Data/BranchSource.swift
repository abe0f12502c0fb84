internal import HDF5
internal import ROOTIO
internal import StageSupport

/// Where `convert` reads per-entry branches from: a ROOT TTree or RNTuple (fields as branches), or a "raw" HDF5 file in the same
/// schema (`generate` writes these; docs/convert.md): one dataset per branch, flat branches as
/// `[N]` arrays, jagged branches as flat value arrays whose `counter` attribute names the `[N]`
/// dataset of per-entry counts (like ROOT's `x[n]` leaves).
protocol BranchSource {
  var entries: Int { get }
  /// Checks that every branch exists and is readable (errors name the file and branch).
  func validate(_ names: [String]) throws
  func readBranches(_ names: [String], entries: Range<Int>) throws -> [String: Column]
}

extension TTree: BranchSource {
  func readBranches(_ names: [String], entries range: Range<Int>) throws -> [String: Column] {
    try read(names, entries: range)
  }

  func validate(_ names: [String]) throws {
    for name in names {
      let branch = try self.branch(name)
      if !branch.isReadable { _ = try read(name, entries: 0..<0) }
    }
  }
}

extension RNTuple: BranchSource {
  func readBranches(_ names: [String], entries range: Range<Int>) throws -> [String: Column] {
    try read(names, entries: range)
  }

  func validate(_ names: [String]) throws {
    for name in names where !(try field(name).isReadable) {
      _ = try read(name, entries: 0..<0)
    }
  }
}

/// A raw HDF5 file (`fairflow_raw_format = "jagged/1"`).
final class RawHDF5Source: BranchSource {
  let path: String
  let file: HDF5File
  let entries: Int
  /// Prefix sums of each counter dataset, computed once.
  var offsets: [String: [Int]] = [:]

  init(path: String, display: String) throws {
    self.path = display
    file = try HDF5File.open(path)
    guard (try? file.attributes.string("fairflow_raw_format")) == "jagged/1" else {
      throw StageError(
        "\(display): not a raw branch file (no fairflow_raw_format attribute); map datasets with `datasets:` instead"
      )
    }
    entries = Int(try file.attributes.int("entries"))
  }

  deinit { file.close() }

  func counter(of name: String) throws -> String? {
    let d = try file.root.inputDataset(name)
    defer { d.close() }
    return try? d.attributes.string("counter")
  }

  func validate(_ names: [String]) throws {
    for name in names {
      guard try file.root.contains(name) else {
        throw StageError("\(path): no branch '\(name)'")
      }
      if let c = try counter(of: name) {
        guard try file.root.contains(c) else {
          throw StageError("\(path): branch '\(name)' counts with missing '\(c)'")
        }
      } else {
        let d = try file.root.inputDataset(name)
        defer { d.close() }
        guard try d.shape == [entries] else {
          throw StageError("\(path): branch '\(name)' has shape \(try d.shape), not [\(entries)]")
        }
      }
    }
  }

  func prefix(_ counter: String) throws -> [Int] {
    if let known = offsets[counter] { return known }
    let d = try file.root.inputDataset(counter)
    defer { d.close() }
    let counts = try d.read(as: Int64.self)
    guard counts.count == entries, counts.allSatisfy({ $0 >= 0 }) else {
      throw StageError(
        "\(path): counter '\(counter)' does not hold \(entries) non-negative counts")
    }
    var p = [0]
    p.reserveCapacity(entries + 1)
    for c in counts { p.append(p.last! + Int(c)) }
    offsets[counter] = p
    return p
  }

  func readBranches(_ names: [String], entries range: Range<Int>) throws -> [String: Column] {
    var out: [String: Column] = [:]
    for name in names {
      let d = try file.root.inputDataset(name)
      defer { d.close() }
      if let c = try counter(of: name) {
        let p = try prefix(c)
        guard try d.shape == [p.last!] else {
          throw StageError(
            "\(path): branch '\(name)' holds \(try d.shape) values, its counter '\(c)' sums to \(p.last!)"
          )
        }
        let values = try d.read(rows: p[range.lowerBound]..<p[range.upperBound], as: Double.self)
        let offsets = p[range.lowerBound...range.upperBound].map { $0 - p[range.lowerBound] }
        out[name] = Column(
          type: .float64, innerShape: [], offsets: offsets, values: .float64(values),
          entries: range.count)
      } else {
        out[name] = Column(
          type: .float64, innerShape: [], offsets: nil,
          values: .float64(try d.read(rows: range, as: Double.self)),
          entries: range.count)
      }
    }
    return out
  }
}
