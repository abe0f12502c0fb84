internal import Glibc

/// What both conversions (`HDF5Conversion`, `ROOTConversion`) start from: the validated
/// configuration, the workspace root and the sorted input files (workspace-relative), plus the
/// steps they share — routing entries to splits, cutting a file into batches, closing the report.
struct ConversionInputs {
  let config: ConvertConfig
  let root: String
  let files: [String]

  /// The absolute path of an input file.
  func path(_ file: String) -> String { root + "/" + file }

  /// The router for `entries` entries over every input, in order.
  func router(entries: Int, splits: Int) -> SplitRouter {
    SplitRouter(split: config.split, entries: entries, splits: splits)
  }

  /// `0..<count` in consecutive ranges of at most `size` entries.
  static func batches(of count: Int, size: Int) -> [Range<Int>] {
    stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
  }
}

/// Which split each converted entry goes to: under a file split, a whole file's (or none);
/// under a fraction split, the seeded assignment of its position over all inputs; else the one
/// split `all`.
struct SplitRouter {
  /// Where the entries of one input file go.
  enum FileRoute: Equatable {
    /// Entry by entry (the fraction assignment, or the single split).
    case perEntry
    /// Every entry to one split (a file split).
    case whole(Int)
    /// The file matches no split of a file split.
    case skipped
  }

  let split: ConvertConfig.Split
  let assignment: SplitAssignment?
  let splits: Int

  init(split: ConvertConfig.Split, entries: Int, splits: Int) {
    self.split = split
    self.splits = splits
    if case .fractions(let f, let seed) = split {
      assignment = SplitAssignment(entries: entries, fractions: f.map(\.fraction), seed: seed)
    } else {
      assignment = nil
    }
  }

  /// The route of a file: its first split whose patterns match under a file split.
  func route(_ file: String) -> FileRoute {
    guard case .files(let list) = split else { return .perEntry }
    for (i, entry) in list.enumerated()
    where entry.patterns.contains(where: { fnmatch($0, file, 0) == 0 }) {
      return .whole(i)
    }
    return .skipped
  }

  /// `rows` (indices within a batch whose first entry is entry `start` over all inputs),
  /// grouped by split.
  func distribute(_ rows: some Sequence<Int>, start: Int, route: FileRoute) -> [[Int]] {
    var perSplit = Array(repeating: [Int](), count: splits)
    for k in rows {
      let split: Int
      switch route {
      case .whole(let s): split = s
      default: split = assignment.map { Int($0.splits[start + k]) } ?? 0
      }
      perSplit[split].append(k)
    }
    return perSplit
  }
}
