import FairflowTesting
import Foundation
import Testing

/// The committed fuzz corpora (Fuzz/Corpus/<target>, seeds plus every input that once crashed a
/// target) replayed through the plain-build drivers of the libFuzzer targets: a regression test
/// for every finding. `scripts/fuzz` does the fuzzing itself.
@Suite struct FuzzCorpusReplayTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  @Test(arguments: ["FuzzROOTReader", "FuzzPipelineLoader", "FuzzBagIt"])
  func committedCorpusReplaysCleanly(_ target: String) throws {
    let driver = URL(fileURLWithPath: CLIProcess.binary).deletingLastPathComponent()
      .appendingPathComponent(target).path
    try #require(
      FileManager.default.isExecutableFile(atPath: driver), "build with swift build --build-tests")
    let corpus = Self.root.appendingPathComponent("Fuzz/Corpus/\(target)").path
    let seeds = try FileManager.default.contentsOfDirectory(atPath: corpus).count
    #expect(seeds >= 5)
    let out = try Shell.run(
      ["bash", "-c", "ulimit -v 4194304; exec timeout -s KILL 120 \"$0\" \"$@\"", driver, corpus],
      in: Self.root.path)
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    #expect(out.stdout.contains("replayed \(seeds) inputs"), "\(out.stdout)")
  }
}
