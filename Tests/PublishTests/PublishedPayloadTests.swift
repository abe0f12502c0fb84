import FairflowTesting
import Foundation
import Publish
import Testing

/// The `reproduce/` part of a bundle, and putting a deposit's flat files back in place from the
/// RO-Crate.
@Suite struct PublishedPayloadTests {
  static let recipe = ReproduceRecipe(
    commit: "fd8b998d7814c5d26e5a597cb1a4d89bf2051004", pipeline: "pipelines/main.yaml",
    workspace: "analysis", stage: "evaluate", params: ["seed=3"],
    artifacts: [
      .init(path: "models/m", sha256: String(repeating: "a", count: 64), isDirectory: true),
      .init(path: "metrics/m.json", sha256: String(repeating: "b", count: 64), isDirectory: false),
    ],
    lock: "pipelines/main.lock")

  static func inputs() throws -> PublicationInputs {
    var inputs = Fixture.inputs()
    // A model file named like a top-level file: its upload key becomes its path with `__`.
    inputs.modelFiles.append(BundleFile(path: "metrics.json", bytes: Array("{}\n".utf8)))
    let source = try TarArchive.write(
      [
        .init(
          path: "analysis/pipelines/main.yaml",
          kind: .file(Array("stages: {}\n".utf8), executable: false))
      ], mtime: 1_704_189_600)
    inputs.reproduce = [
      BundleFile(path: BundleLayout.sourceArchiveName, bytes: source),
      BundleFile(path: "main.lock", bytes: Array("schema: 1\n".utf8)),
      BundleFile(path: BundleLayout.recipeName, bytes: recipe.json),
    ]
    return inputs
  }

  func write(_ name: String) throws -> (URL, PublicationBundle.Summary) {
    let bundle = try Fixture.directory(name).appendingPathComponent("bundle")
    let summary = try PublicationBundle.write(
      spec: Fixture.spec(), inputs: try Self.inputs(), to: bundle, date: Fixture.date)
    return (bundle, summary)
  }

  @Test func reproducePartIsListedAssessedAndByteIdentical() throws {
    let (first, summary) = try write("reproduce-1")
    let (second, _) = try write("reproduce-2")
    for file in summary.files {
      let a = try Data(contentsOf: first.appendingPathComponent(file))
      #expect(a == (try Data(contentsOf: second.appendingPathComponent(file))), "\(file)")
    }
    #expect(
      summary.payload.map(\.path).filter { $0.hasPrefix("reproduce/") } == [
        "reproduce/main.lock", "reproduce/reproduce.json", "reproduce/source.tar",
      ])
    let crate = try String(
      contentsOf: first.appendingPathComponent("data/ro-crate-metadata.json"), encoding: .utf8)
    #expect(crate.contains("\"Source code of the code commit (ustar)\""))
    #expect(crate.contains("\"Reproduction recipe (fairflow reproduce)\""))
    let r2 = try #require(summary.assessment.criterion("R2"))
    #expect(r2.passed)
    #expect(
      r2.detail.hasSuffix(
        "source archive reproduce/source.tar of commit fd8b998d7814c5d26e5a597cb1a4d89bf2051004"))
  }

  /// What `fairflow reproduce DOI` does with a record: the files come back flat, under their
  /// upload keys; the RO-Crate says where each goes and what it must hash to.
  @Test func uploadKeysMapBackToPayloadPathsAndTamperingIsNamed() throws {
    let (bundle, summary) = try write("rebuild")
    let data = bundle.appendingPathComponent("data")
    let listing = try PublishedPayload(
      roCrate: Array(try Data(contentsOf: data.appendingPathComponent(BundleLayout.roCrate))))
    #expect(
      listing.entries.map(\.path)
        == summary.payload.map(\.path).filter { $0 != BundleLayout.roCrate })
    #expect(listing.entry("model/a b.csv")?.size == 8)

    // Flat, as the deposit uploaded them.
    let root = bundle.deletingLastPathComponent()
    let flat = root.appendingPathComponent("flat")
    try FileManager.default.createDirectory(at: flat, withIntermediateDirectories: true)
    let paths = try BundleFile.files(in: data).map(\.path)
    for (path, key) in zip(paths, try ZenodoDepositor.uploadKeys(for: paths)) {
      try FileManager.default.copyItem(
        at: data.appendingPathComponent(path), to: flat.appendingPathComponent(key))
    }
    let byKey = try listing.pathsByUploadKey()
    #expect(byKey["model__metrics.json"] == "model/metrics.json")
    #expect(byKey["metrics.json"] == "metrics.json")
    #expect(byKey["source.tar"] == "reproduce/source.tar")
    #expect(Set(byKey.keys) == Set(try FileManager.default.contentsOfDirectory(atPath: flat.path)))

    let rebuilt = root.appendingPathComponent("rebuilt")
    for (key, path) in byKey {
      let target = rebuilt.appendingPathComponent(path)
      try FileManager.default.createDirectory(
        at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
      try FileManager.default.copyItem(at: flat.appendingPathComponent(key), to: target)
    }
    try listing.verify(in: rebuilt)
    #expect(
      try Data(contentsOf: rebuilt.appendingPathComponent("reproduce/reproduce.json"))
        == Data(Self.recipe.json))

    let onnx = rebuilt.appendingPathComponent("model/model.onnx")
    try Data("onnx-bytez\n".utf8).write(to: onnx)
    #expect(
      throws: PublishError.invalidBundle(
        "model/model.onnx: sha256 b9ec87454cc5 (11 bytes), the RO-Crate says 69e429e14272 "
          + "(11 bytes): the file was altered after publication")
    ) { try listing.verify(in: rebuilt) }
    try FileManager.default.removeItem(at: onnx)
    #expect(
      throws: PublishError.invalidBundle("model/model.onnx is listed in the RO-Crate but missing")
    ) {
      try listing.verify(in: rebuilt)
    }
  }

  @Test func recipeRoundTripsAndRefusesOtherSchemasAndUnsafePaths() throws {
    #expect(try ReproduceRecipe(json: Self.recipe.json) == Self.recipe)
    #expect(Self.recipe.lockFileName == "main.lock")
    let text = String(decoding: Self.recipe.json, as: UTF8.self)
    func refusal(_ edited: String) -> PublishError? {
      do {
        _ = try ReproduceRecipe(json: Array(edited.utf8))
        return nil
      } catch {
        return error
      }
    }
    #expect(
      refusal(text.replacingOccurrences(of: "\"schema\": 1", with: "\"schema\": 2"))
        == .invalidBundle("reproduce/reproduce.json: schema 2, this fairflow reads schema 1"))
    #expect(
      refusal(text.replacingOccurrences(of: "pipelines/main.yaml", with: "../main.yaml"))
        == .invalidBundle("reproduce/reproduce.json: unsafe pipeline '../main.yaml'"))
    #expect(
      refusal(text.replacingOccurrences(of: "\"models/m\"", with: "\"/models/m\""))
        == .invalidBundle("reproduce/reproduce.json: unsafe path '/models/m'"))
    #expect(
      refusal(text.replacingOccurrences(of: "\"stage\"", with: "\"step\""))
        == .invalidBundle("reproduce/reproduce.json: \"stage\" is missing or not a string"))
  }
}
