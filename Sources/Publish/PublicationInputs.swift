public import Foundation

/// What a run produced that goes into the bundle: the model directory's files, the evaluation
/// metrics, the provenance records, the commit of the code that produced them and what
/// re-executes it.
public struct PublicationInputs: Sendable, Equatable {
  /// Model files, placed under `model/` in the payload (paths relative to the model directory).
  public var modelFiles: [BundleFile]
  public var metrics: [Metric]
  /// Provenance record files (JSON), placed under `provenance/`.
  public var provenance: [BundleFile]
  /// Commit of the code that produced the model (git SHA), when known.
  public var codeCommit: String?
  /// What re-executes the lineage (source archive, recipe, lock file), placed under
  /// `reproduce/`; empty when the lineage cannot be reproduced from the bundle.
  public var reproduce: [BundleFile]

  public init(
    modelFiles: [BundleFile] = [], metrics: [Metric] = [], provenance: [BundleFile] = [],
    codeCommit: String? = nil, reproduce: [BundleFile] = []
  ) {
    self.modelFiles = modelFiles
    self.metrics = metrics
    self.provenance = provenance
    self.codeCommit = codeCommit
    self.reproduce = reproduce
  }
}

/// One file for the bundle: its `/`-separated path inside its section and where its bytes are.
public struct BundleFile: Sendable, Equatable {
  /// Where the content comes from: bytes in memory, or a file copied (streamed) at write time.
  public enum Content: Sendable, Equatable {
    case bytes([UInt8])
    case file(URL)
  }

  public var path: String
  public var content: Content

  public init(path: String, bytes: [UInt8]) {
    self.path = path
    self.content = .bytes(bytes)
  }

  public init(path: String, file: URL) {
    self.path = path
    self.content = .file(file)
  }

  /// Every regular file under `directory`, with paths relative to it, sorted.
  public static func files(in directory: URL) throws(PublishError) -> [BundleFile] {
    let manager = FileManager.default
    guard let walker = manager.enumerator(atPath: directory.path) else {
      throw .io(path: directory.path, detail: "cannot list the directory")
    }
    var found: [BundleFile] = []
    while let relative = walker.nextObject() as? String {
      var isDirectory: ObjCBool = false
      let url = directory.appendingPathComponent(relative)
      if manager.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
        found.append(BundleFile(path: relative, file: url))
      }
    }
    return found.sorted { $0.path < $1.path }
  }
}

/// One evaluation result: a value and, when measured (e.g. over seeds), its uncertainty.
public struct Metric: Sendable, Equatable {
  public var name: String
  public var value: Double
  /// One standard deviation, in the units of ``value``.
  public var uncertainty: Double?
  /// What was measured on which data (`test set, 1.8M jets`).
  public var description: String?

  public init(name: String, value: Double, uncertainty: Double? = nil, description: String? = nil) {
    self.name = name
    self.value = value
    self.uncertainty = uncertainty
    self.description = description
  }
}
