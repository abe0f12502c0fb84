import FairflowTesting
import Foundation
import ROOTIO
import Testing

/// Every ROOT file in FAIRFLOW_ROOT_TESTDATA (real files written by ROOT, see its README), read
/// by fairflow and by uproot: values must agree bit for bit; the files and branches the README
/// marks out of scope must be rejected with a clear error.
@Suite struct UprootReferenceTests {
  /// Set by `.ci/run` to ../shared/testdata/root; unset on a user's machine (tests skip).
  static let directory: String? = ProcessInfo.processInfo.environment["FAIRFLOW_ROOT_TESTDATA"]

  static let expectedFiles = [
    "uproot-HZZ.root", "uproot-HZZ-uncompressed.root", "uproot-HZZ-zlib.root",
    "uproot-HZZ-lzma.root", "uproot-HZZ-lz4.root", "uproot-HZZ-zstd.root", "uproot-Zmumu.root",
    "uproot-Zmumu-uncompressed.root", "uproot-Zmumu-zlib.root", "uproot-Zmumu-lzma.root",
    "uproot-Zmumu-lz4.root", "uproot-Zmumu-zstd.root", "uproot-sample-5.23.02-zlib.root",
    "uproot-sample-6.10.05-zlib.root", "uproot-sample-6.20.04-uncompressed.root",
    "uproot-sample-6.20.04-zlib.root", "uproot-sample-6.20.04-lzma.root",
    "uproot-sample-6.20.04-lz4.root", "uproot-simple.root", "uproot-small-flat-tree.root",
    "uproot-nesteddirs.root", "uproot-issue38a.root", "uproot-issue38b.root",
    "uproot-issue-172.root", "uproot-issue-60a.root", "uproot-small-dy-withoffsets.root",
    "uproot-small-dy-nooffsets.root", "uproot-issue21.root", "uproot-issue243-new.root",
    "uproot-hepdata-example.root", "uproot-empty.root", "uproot-from-geant4.root",
    "uproot-double32-float16.root",
  ]

  struct Reference: Sendable {
    var file: String
    var tree: String
    var branch: String?
    var digest: ColumnDigest?
    var error: String?

    /// The peer scripts' output (uproot_digest.py, rntuple_digest.py): one JSON object a line.
    static func parse(_ output: String) throws -> [Reference] {
      try output.split(separator: "\n").map { line in
        let o = try #require(
          try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        var digest: ColumnDigest?
        if o["error"] == nil, let dtype = o["dtype"] as? String {
          digest = ColumnDigest(
            dtype: dtype, inner: o["inner"] as? [Int] ?? [], jagged: o["jagged"] as? Bool ?? false,
            entries: o["entries"] as? Int ?? -1, counts: o["counts"] as? String,
            values: o["values"] as? String ?? "")
        }
        return Reference(
          file: o["file"] as? String ?? "", tree: o["tree"] as? String ?? "",
          branch: o["branch"] as? String, digest: digest, error: o["error"] as? String)
      }
    }
  }

  /// uproot's digests of every branch of every file (one Python run for the suite).
  static let references: Result<[Reference], any Error>? = {
    guard let directory else { return nil }
    return Result {
      let python = try #require(
        PythonPeer.interpreter, "no Python peer venv: run scripts/install-deps")
      let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Peers/uproot_digest.py").path
      let files = expectedFiles.map { directory + "/" + $0 }
      let out = try Shell.run([python, script] + files, in: directory)
      guard out.status == 0 else { throw ROOTError("uproot_digest.py failed: \(out.stderr)") }
      return try Reference.parse(out.stdout)
    }
  }()

  func load() throws -> [Reference]? {
    guard let result = Self.references else {
      print("note: FAIRFLOW_ROOT_TESTDATA is not set; ROOT reference-file tests skipped")
      return nil
    }
    return try result.get()
  }

  @Test func everyExpectedFileIsPresent() throws {
    guard let directory = Self.directory else { return }
    for name in Self.expectedFiles {
      #expect(FileManager.default.fileExists(atPath: directory + "/" + name), "missing \(name)")
    }
  }

  /// What the README says about a branch that is out of scope: the words its error must contain.
  static func expectedRejection(file: String, tree: String, branch: String) -> String? {
    switch (file, tree) {
    case ("uproot-from-geant4.root", _): return "unsupported TTree version 5"
    case ("uproot-double32-float16.root", _):
      return branch.hasPrefix("float16") || branch == "array_10"
        ? "unsupported leaf class TLeafF16" : "unsupported leaf class TLeafD32"
    case ("uproot-nesteddirs.root", "three/tree"): return "unsupported branch"
    case ("uproot-issue243-new.root", "triggerList") where branch.hasPrefix("triggerMap"):
      return "unsupported branch"
    case ("uproot-small-dy-nooffsets.root", _)
    where branch.hasPrefix("Jet_") || branch.hasPrefix("Muon_"):
      return "generated offset map (kGenerateOffsetMap) not supported"
    default: return nil
    }
  }

  @Test func valuesEqualUprootsOrAreRejectedClearly() throws {
    guard let directory = Self.directory, let references = try load() else { return }
    #expect(references.count > 400, "uproot listed \(references.count) branches")
    var checked = 0
    var rejected = 0
    var trees: [String: TTree] = [:]
    for ref in references {
      guard let branch = ref.branch else { continue }
      let path = directory + "/" + ref.file
      let tree: TTree
      if let cached = trees[path + "\u{0}" + ref.tree] {
        tree = cached
      } else {
        do {
          tree = try ROOTFile(path: path).tree(ref.tree)
          trees[path + "\u{0}" + ref.tree] = tree
        } catch {
          let expected = Self.expectedRejection(file: ref.file, tree: ref.tree, branch: branch)
          #expect(expected != nil, "\(ref.file) \(ref.tree): \(error)")
          if let expected { #expect(error.message.contains(expected), "\(error.message)") }
          #expect(error.message.contains(ref.file), "the error names the file")
          rejected += 1
          continue
        }
      }
      let name = branch.split(separator: "/").last.map(String.init) ?? branch
      if let expected = Self.expectedRejection(file: ref.file, tree: ref.tree, branch: branch) {
        let error = #expect(throws: ROOTError.self, "\(ref.file) \(ref.tree) \(branch)") {
          try tree.read(name)
        }
        #expect(error?.message.contains(expected) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(ref.file) == true)
        rejected += 1
        continue
      }
      var reference = ref.digest
      if ref.file == "uproot-small-dy-nooffsets.root" {
        // uproot's reference for this file is the same branch of the -withoffsets file.
        reference =
          references.first {
            $0.file == "uproot-small-dy-withoffsets.root" && $0.branch == branch
          }?.digest
      }
      guard let reference else {
        Issue.record("uproot could not read \(ref.file) \(ref.tree) \(branch): \(ref.error ?? "")")
        continue
      }
      do {
        let column = try tree.read(name)
        #expect(ColumnDigest(column) == reference, "\(ref.file) \(ref.tree) \(branch)")
        checked += 1
      } catch {
        Issue.record("\(ref.file) \(ref.tree) \(branch): \(error)")
      }
    }
    #expect(checked > 400)
    #expect(rejected > 20)
    print(
      "ROOT reference files: \(checked) branches equal uproot's, \(rejected) rejected as out of scope"
    )
  }
}
