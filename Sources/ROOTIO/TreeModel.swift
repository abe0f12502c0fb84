/// A TLeaf (reference §3.5): one typed column of a branch.
public struct Leaf: Sendable, Equatable {
  public var className: String
  public var name: String
  public var title: String
  /// Fixed elements per entry (product of constant dimensions; 1 for scalars and `x[n]`).
  var length: Int
  var lengthType: Int
  var isRange: Bool
  var isUnsigned: Bool
  /// Name of the branch holding the counter leaf of a `x[n]` leaf.
  var countBranch: String?
  /// TLeafElement's fType.
  var elementType: Int?
}

/// A TBranch or TBranchElement (reference §3.3–3.4), with where its baskets are.
public struct Branch: Sendable {
  public var name: String
  public var title: String
  /// "TBranch", "TBranchElement", …
  public var className: String
  public var entries: Int
  var entryOffsetLength: Int
  var writeBasket: Int
  var basketBytes: [Int]
  var basketEntry: [Int]
  var basketSeek: [Int]
  public var leaves: [Leaf]
  public var subBranches: [Branch]
  var embedded: [EmbeddedBasket]
  /// TBranchElement: fClassName ("vector<float>"), fID, fType, fStreamerType.
  public var elementClassName: String?
  var elementID = 0
  var elementKind = 0
  var streamerType = 0
}

/// A basket streamed inside the TTree record (reference §5).
struct EmbeddedBasket: Sendable {
  var entries: Int
  var keylen: Int
  var entrySize: Int
  /// Entry start offsets into `data` (nil for fixed-size entries).
  var offsets: [Int]?
  var data: [UInt8]
}

/// A TTree's metadata: name, entry count and branches (values are read with `read`).
public struct TTree: Sendable {
  public var path: String
  public var name: String
  public var title: String
  public var entries: Int
  public var version: Int
  public var branches: [Branch]
  let file: ROOTFile

  /// Every branch, sub-branches after their parent.
  public var allBranches: [Branch] {
    func walk(_ b: Branch) -> [Branch] { [b] + b.subBranches.flatMap(walk) }
    return branches.flatMap(walk)
  }

  public func branch(_ name: String) throws(ROOTError) -> Branch {
    guard let b = allBranches.first(where: { $0.name == name }) else {
      throw ROOTError(
        "\(file.path): tree '\(path)' has no branch '\(name)'",
        hint: "branches: \(allBranches.prefix(20).map(\.name).joined(separator: ", "))")
    }
    return b
  }
}
