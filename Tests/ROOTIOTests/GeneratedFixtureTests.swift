import FairflowTesting
import Foundation
import ROOTIO
import Testing

/// ROOT files written by uproot (every compression mode, several baskets per branch, a nested
/// directory, a 20 MB basket split into two compression blocks), read by fairflow and compared
/// with uproot's own reading, digest for digest.
@Suite struct GeneratedFixtureTests {
  static let peers = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Peers").path

  /// (directory, uproot's digests) made once for the suite; nil when no Python peers (skipped).
  static let fixtures: Result<(String, [UprootReferenceTests.Reference]), any Error>? = {
    guard let python = PythonPeer.interpreter else { return nil }
    return Result {
      let ws = try TemporaryWorkspace("root-fixtures")
      let made = try Shell.run([python, peers + "/make_fixtures.py", ws.root], in: ws.root)
      guard made.status == 0 else { throw ROOTError("make_fixtures.py failed: \(made.stderr)") }
      let files = try FileManager.default.contentsOfDirectory(atPath: ws.root)
        .filter { $0.hasSuffix(".root") }.sorted().map { ws.root + "/" + $0 }
      let out = try Shell.run([python, peers + "/uproot_digest.py"] + files, in: ws.root)
      guard out.status == 0 else { throw ROOTError("uproot_digest.py failed: \(out.stderr)") }
      let refs = try UprootReferenceTests.Reference.parse(out.stdout)
      return (ws.root, refs)
    }
  }()

  func load() throws -> (String, [UprootReferenceTests.Reference])? {
    guard let fixtures = Self.fixtures else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return nil
    }
    return try fixtures.get()
  }

  @Test func everyBranchOfEveryCompressionModeEqualsUproot() throws {
    guard let (directory, refs) = try load() else { return }
    var checked = 0
    var files: Set<String> = []
    for ref in refs {
      guard let branch = ref.branch, let digest = ref.digest else {
        Issue.record(
          "uproot failed on \(ref.file) \(ref.tree) \(ref.branch ?? ""): \(ref.error ?? "")")
        continue
      }
      let tree = try ROOTFile(path: directory + "/" + ref.file).tree(ref.tree)
      let column = try tree.read(branch)
      #expect(ColumnDigest(column) == digest, "\(ref.file) \(ref.tree) \(branch)")
      checked += 1
      files.insert(ref.file)
    }
    #expect(files.count == 8)
    #expect(checked == 5 * (16 + 2) + 3)
  }

  @Test func branchesHaveSeveralBasketsAndTheBigOneSeveralBlocks() throws {
    guard let (directory, _) = try load() else { return }
    let tree = try ROOTFile(path: directory + "/fixture-zlib.root").tree("Events")
    #expect(try tree.basketCount("Jet_pt") == 4)
    let big = try ROOTFile(path: directory + "/big-zlib.root").tree("Big")
    #expect(try big.basketCount("v") == 1)
    let column = try big.read("v")
    #expect(column.entries == 2_500_000)
    // 20,000,000 bytes: more than one 16 MiB compression block.
    #expect(column.entries * 8 > 0xFF_FFFF)
  }

  @Test func entryRangesEqualSlicesOfTheWholeBranch() throws {
    guard let (directory, _) = try load() else { return }
    let tree = try ROOTFile(path: directory + "/fixture-lz4.root").tree("Events")
    let whole = try tree.read("Jet_pt")
    let part = try tree.read("Jet_pt", entries: 240..<620)  // crosses basket boundaries
    let offsets = try #require(whole.offsets)
    guard case .float32(let all) = whole.values, case .float32(let some) = part.values else {
      Issue.record("not float32")
      return
    }
    #expect(part.entries == 380)
    #expect(some.map(\.bitPattern) == all[offsets[240]..<offsets[620]].map(\.bitPattern))
    #expect(part.offsets?.first == 0 && part.offsets?.last == some.count)
    let flat = try tree.read("i8", entries: 999..<1000)
    guard case .int64(let last) = flat.values, case .int64(let allI8) = try tree.read("i8").values
    else { return }
    #expect(last == [allI8[999]])
    #expect(throws: ROOTError.self) { try tree.read("i8", entries: 0..<1001) }
  }
}
