public import Foundation

/// Checks that a bag directory is complete and valid (RFC 8493 §3, doi-apis.md §11.2) before its
/// payload is trusted: every manifest entry present and hashing right, no payload file missing
/// from a payload manifest, tag manifests right, and `Payload-Oxum` right when given.
public struct BagValidator: Sendable {
  /// What a valid bag holds.
  public struct Report: Sendable, Equatable {
    public var version: String
    public var payloadFiles: Int
    public var payloadBytes: Int64
    /// The payload manifest algorithms, strongest first.
    public var algorithms: [ChecksumAlgorithm]
  }

  /// With `verifyChecksums` false only completeness and `Payload-Oxum` are checked (bdbag's
  /// "fast" mode, minus its reliance on the oxum alone).
  public var verifyChecksums: Bool

  public init(verifyChecksums: Bool = true) {
    self.verifyChecksums = verifyChecksums
  }

  /// Validates the bag at `directory`; throws ``FetchError/invalidBag(_:)`` naming every problem
  /// found (``FetchError/unsafePath(_:)`` for a manifest path that leaves the bag).
  public func validate(_ directory: URL) throws -> Report {
    let bag = try BagContents.read(at: directory)
    let payload = try bag.payloadFiles()
    var problems: [String] = []
    let fetched = Set(bag.fetch.map(\.path))
    let manifestPaths = Set(bag.manifestPaths)
    for path in manifestPaths.sorted() where payload[path] == nil {
      problems.append(
        fetched.contains(path)
          ? "\(path) is in fetch.txt but not fetched yet" : "\(path) is missing")
    }
    for (algorithm, entries) in bag.payloadManifests.sorted(by: { $0.key > $1.key }) {
      for path in payload.keys.sorted() where entries[path] == nil {
        problems.append("\(path) is not in manifest-\(algorithm.rawValue).txt")
      }
    }
    for entry in bag.fetch where !manifestPaths.contains(entry.path) {
      problems.append("\(entry.path) is in fetch.txt but in no payload manifest")
    }
    for (algorithm, entries) in bag.tagManifests {
      for path in entries.keys.sorted()
      where !FileManager.default.fileExists(atPath: directory.appendingPathComponent(path).path) {
        problems.append("\(path) is in tagmanifest-\(algorithm.rawValue).txt but missing")
      }
    }
    // The oxum counts fetched files too, so it only speaks once nothing is missing.
    if let oxum = bag.info("Payload-Oxum"), manifestPaths.allSatisfy({ payload[$0] != nil }) {
      let expected = "\(payload.values.reduce(0, +)).\(payload.count)"
      if oxum != expected { problems.append("Payload-Oxum is \(oxum), the payload is \(expected)") }
    }
    if problems.isEmpty, verifyChecksums {
      problems += try checksumProblems(bag, manifests: bag.payloadManifests)
      problems += try checksumProblems(bag, manifests: bag.tagManifests)
    }
    guard problems.isEmpty else {
      throw FetchError.invalidBag(problems.joined(separator: "; "))
    }
    return Report(
      version: bag.version, payloadFiles: payload.count, payloadBytes: payload.values.reduce(0, +),
      algorithms: bag.payloadManifests.keys.sorted(by: >))
  }

  /// Hashes each listed file once with every algorithm that lists it.
  private func checksumProblems(
    _ bag: BagContents, manifests: [ChecksumAlgorithm: [String: String]]
  ) throws -> [String] {
    var byPath: [String: [ChecksumAlgorithm: String]] = [:]
    for (algorithm, entries) in manifests {
      for (path, hex) in entries { byPath[path, default: [:]][algorithm] = hex }
    }
    var problems: [String] = []
    for (path, expected) in byPath.sorted(by: { $0.key < $1.key }) {
      let actual = try Self.digests(
        of: bag.root.appendingPathComponent(path), algorithms: Array(expected.keys))
      for (algorithm, hex) in expected.sorted(by: { $0.key > $1.key })
      where actual[algorithm] != hex {
        problems.append(
          "\(path): \(algorithm.rawValue) is \(actual[algorithm] ?? "?"), the manifest says \(hex)")
      }
    }
    return problems
  }

  /// Streams `file` once through a hasher per algorithm.
  static func digests(
    of file: URL, algorithms: [ChecksumAlgorithm]
  ) throws -> [ChecksumAlgorithm: String] {
    guard let handle = try? FileHandle(forReadingFrom: file) else {
      throw FetchError.invalidBag("cannot read \(file.path)")
    }
    defer { try? handle.close() }
    var hashers = algorithms.map(StreamingHasher.init)
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      for index in hashers.indices { hashers[index].update(chunk) }
    }
    return Dictionary(uniqueKeysWithValues: hashers.map { ($0.algorithm, $0.finalize()) })
  }
}
