import FairflowBase
import FairflowTesting
import Foundation
import ROOTIO
import Testing

/// Truncated and byte-flipped copies of real ROOT files: every read either succeeds or throws a
/// `ROOTError`; never a crash, a hang or unbounded memory.
@Suite struct CorruptFileTests {
  static let sources = [
    "uproot-simple.root", "uproot-HZZ-zlib.root", "uproot-HZZ-lz4.root", "uproot-HZZ-zstd.root",
    "uproot-HZZ-lzma.root", "uproot-issue21.root", "uproot-issue38b.root",
    "uproot-sample-6.20.04-lz4.root", "uproot-nesteddirs.root", "uproot-small-dy-nooffsets.root",
  ]

  /// Opens, lists and reads every readable branch; returns how far it got.
  @discardableResult
  static func readEverything(_ path: String) -> (opened: Bool, values: Int) {
    guard let file = try? ROOTFile(path: path), let entries = try? file.entries() else {
      return (false, 0)
    }
    var values = 0
    for entry in entries where entry.isTree {
      guard let tree = try? file.tree(entry.path) else { continue }
      for branch in tree.allBranches {
        if let column = try? tree.read(branch.name) { values += column.count }
      }
    }
    return (true, values)
  }

  func withCopies(_ body: (String, [UInt8], TemporaryWorkspace) throws -> Void) throws {
    guard let directory = UprootReferenceTests.directory else { return }
    let ws = try TemporaryWorkspace("root-corrupt")
    defer { ws.destroy() }
    for name in Self.sources {
      let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
      try body(name, bytes, ws)
    }
  }

  @Test func truncatedFilesGiveErrors() throws {
    try withCopies { name, bytes, ws in
      let intact = Self.readEverything(ws.root + "/../" + "nonexistent")
      #expect(!intact.opened)
      for fraction in [0.0, 0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99] {
        let cut = Int(Double(bytes.count) * fraction)
        let path = ws.path("\(name)-cut\(cut)")
        try Data(bytes[..<cut]).write(to: URL(fileURLWithPath: path))
        Self.readEverything(path)
        // A direct read of a known branch names the file in its error.
        if let file = try? ROOTFile(path: path), let trees = try? file.entries().filter(\.isTree),
          let first = trees.first
        {
          do throws(ROOTError) {
            let tree = try file.tree(first.path)
            for branch in tree.allBranches { _ = try? tree.read(branch.name) }
          } catch {
            #expect(error.message.contains(path), "\(error.message)")
          }
        }
      }
    }
  }

  @Test func byteFlippedFilesGiveErrorsOrValuesNeverCrashes() throws {
    var generator = SplitMix64(seed: 2026)
    var failures = 0
    var variants = 0
    try withCopies { name, bytes, ws in
      let path = ws.path("\(name)-flipped")
      for variant in 0..<60 {
        var copy = bytes
        if variant % 3 == 2 {
          // A hole: a zeroed run of up to 4 KiB (what a torn write leaves).
          let at = Int(generator.next() % UInt64(copy.count))
          let length = min(Int(generator.next() % 4096) + 1, copy.count - at)
          for i in at..<at + length { copy[i] = 0 }
        } else {
          for _ in 0..<Int(generator.next() % 4 + 1) {
            let at = Int(generator.next() % UInt64(copy.count))
            copy[at] ^= UInt8(truncatingIfNeeded: generator.next() | 1)
          }
        }
        try Data(copy).write(to: URL(fileURLWithPath: path))
        let start = Date()
        let result = Self.readEverything(path)
        #expect(Date().timeIntervalSince(start) < 10, "\(name): a corrupt copy took too long")
        if !result.opened { failures += 1 }
        variants += 1
      }
    }
    if UprootReferenceTests.directory != nil { #expect(variants == 600) }
  }
}
