import FairflowTesting
import Foundation
import Publish
import Testing

/// The spec and inputs of a small but complete publication (every FAIR criterion satisfiable).
enum Fixture {
  /// 2024-01-02T10:00:00Z.
  static let date = Date(timeIntervalSince1970: 1_704_189_600)

  static func spec(doi: String? = "10.5281/zenodo.1234567") -> PublicationSpec {
    PublicationSpec(
      title: "Hbb interaction network",
      creators: [
        Creator(
          givenName: "Jane", familyName: "Doe", orcid: "0000-0002-1825-0097",
          affiliation: "Example Lab"),
        Creator(name: "FAIR4HEP Collaboration"),
      ],
      description: "Interaction network tagging H→bb jets.\n\nTrained with fairflow.",
      license: "cc-by-4.0", version: "1.0", keywords: ["particle physics", "jet tagging"],
      doi: doi, recordURL: doi.map { _ in URL(string: "https://zenodo.org/records/1234567")! },
      trainingData: [
        RelatedDataset(
          doi: "10.7483/OPENDATA.CMS.JGJX.MS7Q", title: "Sample for Hbb tagging",
          creators: ["Chen, Yi"])
      ],
      codeRepository: URL(string: "https://github.com/FAIR4HEP/hbb_interaction_network")!,
      dependencies: [Dependency(name: "fairflow", version: "0.1.0")],
      formats: ["onnx", "safetensors"],
      modelCard: ModelCard(
        task: "binary classification of jets",
        inputs: [
          TensorSpec(name: "tracks", type: "float32", shape: ["N", "30", "60"]),
          TensorSpec(name: "vertices", type: "float32", shape: ["N", "14", "5"]),
        ],
        outputs: [TensorSpec(name: "logits", type: "float32", shape: ["N", "2"])],
        intendedUse: "Research on jet tagging with CMS open data.",
        limitations: "Simulated 2016 conditions only."))
  }

  static func inputs() -> PublicationInputs {
    PublicationInputs(
      modelFiles: [
        BundleFile(path: "model.onnx", bytes: Array("onnx-bytes\n".utf8)),
        BundleFile(path: "weights/model.safetensors", bytes: Array("hello\n".utf8)),
        BundleFile(path: "a b.csv", bytes: Array("a,b\n1,2\n".utf8)),
      ],
      metrics: [
        Metric(name: "AUC", value: 0.9898, uncertainty: 0.0002, description: "test set"),
        Metric(name: "accuracy", value: 0.9545, uncertainty: 0.0005),
      ],
      provenance: [BundleFile(path: "train.json", bytes: Array("{\"stage\":\"train\"}\n".utf8))],
      codeCommit: "fd8b998d7814c5d26e5a597cb1a4d89bf2051004")
  }

  /// A fresh directory for one test.
  static func directory(_ name: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "fairflow-publish-\(name)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}

/// The Python peers (datacite, jsonschema, cffconvert, rocrate, bagit, bdbag) in the venv.
enum Peer {
  /// Runs `arguments` (the first resolved inside the venv's bin/) and returns the output; nil when
  /// there is no venv (an issue when the peers are required, as in CI).
  static func run(_ arguments: [String], in directory: String) throws -> Shell.Output? {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peers (.venv): run scripts/install-deps") }
      return nil
    }
    let bin = URL(fileURLWithPath: python).deletingLastPathComponent()
    var command = arguments
    command[0] = bin.appendingPathComponent(arguments[0]).path
    return try Shell.run(command, in: directory, environment: ["PYTHONIOENCODING": "utf-8"])
  }

  /// Runs a Python script; records an issue with stderr when it fails.
  static func python(_ script: String, in directory: String) throws -> String? {
    guard let output = try run(["python", "-c", script], in: directory) else { return nil }
    guard output.status == 0 else {
      Issue.record("peer script failed (\(output.status)):\n\(output.stderr)")
      return nil
    }
    return output.stdout
  }
}
