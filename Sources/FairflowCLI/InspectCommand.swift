internal import ArgumentParser
internal import FairflowBase
internal import FairflowCore
internal import ROOTIO
internal import Glibc

/// `fairflow inspect FILE`: what a ROOT file holds; with `--tree` and `--branch`, read those
/// branches and summarise their values.
struct Inspect: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract: "Show a ROOT file's trees and RNTuples: branches or fields, types, entry counts.",
    discussion: """
      With --tree T --branch B (repeatable, or 'all'), reads those branches (or an RNTuple's \
      fields) and prints entries, values, min, max and mean of each, and the time the read took.
      """)
  @Argument(help: "The ROOT file.") var file: String
  @Option(help: "A tree or RNTuple to read values from (path such as dir/tree).")
  var tree: String?
  @Option(
    name: .customLong("branch"), help: "A branch or field to read ('all' for every readable one).")
  var branches: [String] = []
  @Option(help: "Only entries FROM..<TO, as FROM:TO.") var entries: String?
  @Flag(help: "Print JSON.") var json = false

  func run() async throws {
    let root = try ROOTFile(path: file)
    guard let treePath = tree else {
      print(try root.outline(), terminator: "")
      return
    }
    let isRNTuple = try root.className(of: treePath) == RNTuple.className
    let ntuple = isRNTuple ? try root.rntuple(treePath) : nil
    let t = isRNTuple ? nil : try root.tree(treePath)
    var names = branches
    if names.isEmpty || names == ["all"] {
      names =
        ntuple?.fields.filter(\.isReadable).map(\.name)
        ?? t?.allBranches.filter(\.isReadable).map(\.name) ?? []
    }
    var range: Range<Int>?
    if let entries {
      let parts = entries.split(separator: ":", omittingEmptySubsequences: false)
      guard parts.count == 2, let lo = Int(parts[0]), let hi = Int(parts[1]), lo <= hi else {
        throw ValidationError("--entries must be FROM:TO, e.g. 0:1000")
      }
      range = lo..<hi
    }
    var rows: [Value] = []
    var totalBytes = 0
    let start = MonotonicClock.now()
    var read: [String: Column] = [:]
    if let ntuple {
      read = try ntuple.read(names, entries: range)
    } else if let t {
      read = try t.read(names, entries: range)
    }
    let columns = names.map { ($0, read[$0]!) }
    let seconds = MonotonicClock.now() - start
    for (name, column) in columns {
      let values = column.doubles()
      let finite = values.filter(\.isFinite)
      let bytes = column.type == .string ? 0 : column.count * column.type.width
      totalBytes += bytes
      rows.append(
        .map([
          ("branch", .string(name)), ("type", .string(column.type.rawValue)),
          ("entries", .int(column.entries)), ("values", .int(column.count)), ("bytes", .int(bytes)),
          ("min", finite.min().map(Value.double) ?? .null),
          ("max", finite.max().map(Value.double) ?? .null),
          ("mean", finite.isEmpty ? .null : .double(finite.reduce(0, +) / Double(finite.count))),
        ]))
    }
    if json {
      print(
        Value.map([
          ("schema", .int(1)), ("file", .string(file)), ("tree", .string(treePath)),
          ("read_seconds", .double(seconds)), ("bytes", .int(totalBytes)),
          ("branches", .list(rows)),
        ]).prettyJSON, terminator: "")
      return
    }
    for row in rows {
      let text = ["branch", "type", "entries", "values", "min", "max", "mean"].map {
        "\($0)=\(row[$0]?.interpolationText ?? "-")"
      }
      print(text.joined(separator: "  "))
    }
    print("read \(totalBytes) bytes of values in \((seconds * 1000).rounded() / 1000) s")
  }
}
