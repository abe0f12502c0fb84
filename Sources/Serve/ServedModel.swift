public import ModelImport
internal import FairflowBase
internal import Foundation
internal import NeuralKit

/// One model the server answers for: a model directory as `train` and `import-model` write it
/// (`model.json` + `model.safetensors`), loaded once, named after its directory.
///
/// Its inputs and output are the model's own (`ModelImporter.Model.inputSignature`), all FP32
/// with a variable first (batch) axis, `-1` in the metadata. It runs through
/// `ModelImporter.Model.predict`, the path `fairflow predict` takes.
public struct ServedModel: Sendable {
  /// The name in URLs: `/v2/models/NAME`.
  public let name: String
  /// The directory it was loaded from.
  public let path: String
  public let model: ModelImporter.Model
  /// SHA-256 of `model.safetensors` (the metadata's `parameters.weights_sha256`).
  public let weightsDigest: String

  public init(name: String, path: String, model: ModelImporter.Model, weightsDigest: String) {
    (self.name, self.path, self.model, self.weightsDigest) = (name, path, model, weightsDigest)
  }

  public var inputs: [ModelImporter.Model.TensorSignature] { model.inputSignature }
  public var output: ModelImporter.Model.TensorSignature { model.outputSignature }

  /// Loads the model directory `path`, or, when `path` is a published bundle (a bag holding a
  /// model directory somewhere below it), the model directories inside, each named after its
  /// own directory (after the bundle's when there is one).
  public static func load(_ path: String) throws(ServeError) -> [ServedModel] {
    let base = URL(fileURLWithPath: path).standardizedFileURL.lastPathComponent
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      isDirectory.boolValue
    else { throw ServeError("\(path): no such directory") }
    if isModelDirectory(path) { return [try loadOne(path, name: base)] }
    let found = modelDirectories(below: path, depth: 4)
    guard !found.isEmpty else {
      throw ServeError(
        "\(path) is not a model directory: it has no model.json and model.safetensors, and none is below it",
        hint: "serve a directory written by `fairflow import-model`, a `train` stage or a bundle")
    }
    if found.count == 1 { return [try loadOne(found[0], name: base)] }
    var models: [ServedModel] = []
    for directory in found {
      models.append(
        try loadOne(directory, name: URL(fileURLWithPath: directory).lastPathComponent))
    }
    return models
  }

  static func isModelDirectory(_ path: String) -> Bool {
    let files = FileManager.default
    return files.fileExists(atPath: path + "/model.json")
      && files.fileExists(atPath: path + "/model.safetensors")
  }

  /// Model directories below `path` (not following into one), sorted.
  static func modelDirectories(below path: String, depth: Int) -> [String] {
    guard depth > 0,
      let entries = try? FileManager.default.contentsOfDirectory(atPath: path)
    else { return [] }
    var found: [String] = []
    for entry in entries.sorted() where !entry.hasPrefix(".") {
      let child = path + "/" + entry
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: child, isDirectory: &isDirectory),
        isDirectory.boolValue
      else { continue }
      if isModelDirectory(child) {
        found.append(child)
      } else {
        found += modelDirectories(below: child, depth: depth - 1)
      }
    }
    return found
  }

  static func loadOne(_ path: String, name: String) throws(ServeError) -> ServedModel {
    guard let json = FileManager.default.contents(atPath: path + "/model.json"),
      let weights = FileManager.default.contents(atPath: path + "/model.safetensors")
    else { throw ServeError("\(path): cannot read model.json and model.safetensors") }
    let bytes = [UInt8](weights)
    do {
      let model = try ModelImporter.load(
        json: String(decoding: json, as: UTF8.self), safetensors: bytes)
      return ServedModel(name: name, path: path, model: model, weightsDigest: Digest.of(bytes).hex)
    } catch {
      throw ServeError("\(path): not a model fairflow can serve: \(error)")
    }
  }
}
