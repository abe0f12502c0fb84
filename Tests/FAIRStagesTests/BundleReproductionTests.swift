import FairflowBase
import FairflowTesting
import Foundation
import Publish
import Testing

@testable import FAIRStages

/// `fairflow reproduce DOI | BUNDLE | URL` without a network or a child run: which form an
/// argument takes, and the comparison of a scratch run's outputs with a published bundle.
@Suite struct BundleReproductionTests {
  @Test func argumentsAreClassifiedAndExistingPathsStayPaths() throws {
    let ws = try TemporaryWorkspace("bundle-source")
    defer { ws.destroy() }
    try ws.write("report.txt", "r\n")
    try ws.write("publication/m/bagit.txt", "BagIt-Version: 1.0\n")
    try ws.write("10.5281/zenodo.5", "a file named like a DOI\n")
    func source(_ argument: String) -> BundleReproduction.Source? {
      BundleReproduction.Source(argument: argument, workingDirectory: ws.root)
    }
    #expect(source("report.txt") == nil)
    #expect(source("nope.txt") == nil)
    #expect(source("10.5281/zenodo.5") == nil, "an existing path keeps PATH mode")
    #expect(
      source("publication/m") == .bundle(FileManager.default.realPath(ws.path("publication/m"))))
    #expect(source("10.5281/zenodo.7") == .doi("10.5281/zenodo.7"))
    #expect(source("doi:10.5281/zenodo.7") == .doi("doi:10.5281/zenodo.7"))
    #expect(source("https://doi.org/10.5281/zenodo.7") == .doi("https://doi.org/10.5281/zenodo.7"))
    #expect(source("https://zenodo.org/records/7") == .url("https://zenodo.org/records/7"))
  }

  /// A scratch directory laid out as `prepare` leaves it, and a workspace as the child left it.
  func reproduction(_ ws: TemporaryWorkspace, metrics: String, recorded: String)
    throws -> BundleReproduction
  {
    try ws.write(
      "bundle/data/metrics.json",
      """
      {"metrics": [{"name": "auc", "value": 0.9, "uncertainty": 0.01},
                   {"name": "loss.final", "value": 1}]}
      """)
    try ws.write("bundle/data/model/model.json", "{}\n")
    try ws.write("bundle/data/model/weights.bin", "abc")
    try ws.write("source/proj/release/m/model.json", "{}\n")
    try ws.write("source/proj/release/m/weights.bin", "abd")
    try ws.write("source/proj/release/m/extra.txt", "new")
    try ws.write("source/proj/metrics/m.json", metrics)
    let recipe = ReproduceRecipe(
      commit: String(repeating: "c", count: 40), pipeline: "pipelines/main.yaml",
      workspace: "proj", stage: "evaluate", params: ["seed=3"],
      artifacts: [
        .init(path: "release/m", sha256: String(repeating: "0", count: 64), isDirectory: true),
        .init(path: "metrics/m.json", sha256: recorded, isDirectory: false),
      ],
      lock: nil)
    return BundleReproduction(
      source: .doi("10.5281/zenodo.7"), scratch: ws.root, payload: ws.path("bundle/data"),
      recipe: recipe, doi: "10.5281/zenodo.7")
  }

  @Test func comparisonNamesDifferingFilesAndMetricDeltas() throws {
    let ws = try TemporaryWorkspace("bundle-compare")
    defer { ws.destroy() }
    let metrics = #"{"auc": 0.91, "auc_std": 0.01, "loss": {"final": 1.0}}"#
    let r = try reproduction(ws, metrics: metrics, recorded: Digest.of(metrics).hex)
    #expect(r.workspace == ws.path("source/proj"))
    #expect(
      r.childArguments == [
        "run", "pipelines/main.yaml", "--stage", "evaluate", "--force", "--no-provenance", "-p",
        "seed=3",
      ])
    let comparison = r.compare(childStatus: 0)
    // (The verdicts and deltas through the JSON: their types live in FairflowProvenance.)
    let json = comparison.json(scratch: nil)
    let rows = json["artifacts"]?.listValue ?? []
    #expect(rows.map { $0["result"] } == [.string("differs"), .string("identical")])
    #expect(rows.first?["files"] == .list([.string("weights.bin"), .string("extra.txt")]))
    #expect(
      json["metrics"]
        == .list([
          .map([
            ("key", .string("auc")), ("recorded", .double(0.9)), ("reproduced", .double(0.91)),
            ("delta", .double(0.91 - 0.9)),
          ])
        ]))
    #expect(json["identical"] == .bool(false))
    #expect(json["doi"] == .string("10.5281/zenodo.7"))
    #expect(comparison.exitStatus == .failure)
    let text = comparison.text
    #expect(text.contains("release/m       differs\n"), "\(text)")
    #expect(text.contains("files: weights.bin, extra.txt"))
    #expect(text.contains("metrics/m.json  identical\n"))
    #expect(text.contains("  auc: 0.9 -> 0.91 (delta "))
    #expect(
      text.hasSuffix(
        "10.5281/zenodo.7: 1 of 2 artifacts identical (stage 'evaluate' of pipelines/main.yaml "
          + "at cccccccccccc)\n"))
  }

  @Test func unpackPlacesTheTreeAndTheLockFileAndRefusesAMissingPipeline() throws {
    let ws = try TemporaryWorkspace("bundle-unpack")
    defer { ws.destroy() }
    let tar = try TarArchive.write(
      [
        .init(
          path: "proj/pipelines/main.yaml",
          kind: .file(Array("stages: {}\n".utf8), executable: false)),
        .init(path: "proj/run.sh", kind: .file(Array("#!/bin/sh\n".utf8), executable: true)),
      ], mtime: 0)
    try FileManager.default.createDirectory(
      atPath: ws.path("bundle/data/reproduce"), withIntermediateDirectories: true)
    try Data(tar).write(to: URL(fileURLWithPath: ws.path("bundle/data/reproduce/source.tar")))
    try ws.write("bundle/data/reproduce/main.lock", "schema: 1\n")
    var recipe = ReproduceRecipe(
      commit: String(repeating: "c", count: 40), pipeline: "pipelines/main.yaml",
      workspace: "proj", stage: "evaluate", params: [],
      artifacts: [
        .init(path: "m.json", sha256: String(repeating: "0", count: 64), isDirectory: false)
      ],
      lock: "pipelines/main.lock")
    let r = BundleReproduction(
      source: .bundle("/b"), scratch: ws.path("scratch"), payload: ws.path("bundle/data"),
      recipe: recipe, doi: nil)
    try r.unpack()
    #expect(try ws.read("scratch/source/proj/pipelines/main.lock") == "schema: 1\n")
    #expect(FileManager.default.isExecutableFile(atPath: ws.path("scratch/source/proj/run.sh")))

    recipe.pipeline = "pipelines/other.yaml"
    let missing = BundleReproduction(
      source: .bundle("/b"), scratch: ws.path("scratch2"), payload: ws.path("bundle/data"),
      recipe: recipe, doi: nil)
    do {
      try missing.unpack()
      Issue.record("a missing pipeline was accepted")
    } catch {
      #expect("\(error)" == "reproduce/source.tar of /b has no pipelines/other.yaml in 'proj'")
    }
  }

  @Test func aFailedRunMissingAnOutputCannotBeCompared() throws {
    let ws = try TemporaryWorkspace("bundle-cannot")
    defer { ws.destroy() }
    let r = try reproduction(ws, metrics: "{}", recorded: String(repeating: "1", count: 64))
    try FileManager.default.removeItem(atPath: ws.path("source/proj/metrics"))
    let comparison = r.compare(childStatus: 1)
    #expect(
      comparison.json(scratch: nil)["artifacts"]?.listValue?.last?["result"] == .string("cannot"))
    #expect(
      comparison.artifacts[1].reason
        == "the scratch run failed (exit status 1) before producing it")
    #expect(comparison.metrics.isEmpty)
  }
}

extension FileManager {
  fileprivate func realPath(_ path: String) -> String {
    URL(fileURLWithPath: path).resolvingSymlinksInPath().path
  }
}
