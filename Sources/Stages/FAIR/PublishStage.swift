public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowProvenance
internal import FairflowStore
internal import Fetch
internal import Foundation
internal import Publish
public import FairflowBase

/// `uses: publish`: a trained model → a FAIR publication bundle, optionally deposited
/// (docs/publish.md).
///
/// ```yaml
/// publish:
///   uses: publish
///   deps: [models/hbb, metrics/hbb.json]
///   outs: [publication/hbb]
///   with:
///     model: models/hbb                 # model directory (model.json, weights, model.onnx)
///     metrics: metrics/hbb.json         # numbers; `<name>_uncertainty`/`_std` give uncertainties
///     output: publication/hbb
///     title: Interaction network H→bb tagger
///     description: …
///     creators: ["Doe, Jane", {given: Ann, family: Lee, orcid: 0000-0002-1825-0097}]
///     license: cc-by-4.0
///     version: 1.0.0
///     keywords: [jet tagging]
///     code: https://github.com/org/repo
///     data: [10.5281/zenodo.3602260]    # added to the DOIs found in the model's provenance
///     task: binary classification of large-radius jets (H→bb vs QCD)
///     intended_use: …
///     limitations: …
///     deposit: {url: https://zenodo.org, token_env: ZENODO_TOKEN}   # omit for a dry run
/// ```
///
/// The model's provenance (every record of its lineage, traced through git) goes into the bundle
/// and names the training data DOIs. With `deposit`, the deposition is created first so its
/// reserved DOI is inside the bundle, then the files are uploaded and published; the minted DOI is
/// recorded as the output's origin. The token is read from the named environment variable and
/// never written anywhere.
public struct PublishStage: BuiltinStage {
  public let name = "publish"
  public let version = 1

  public init() {}

  static let textKeys = [
    "description", "license", "version", "publisher", "code", "task", "intended_use",
    "limitations", "resource_type", "date", "metrics",
  ]

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    var fields: [(key: String, value: Value)] = [
      ("model", .string(try reader.string("model"))),
      ("output", .string(try reader.string("output"))),
      ("title", .string(try reader.string("title"))),
    ]
    for key in Self.textKeys {
      guard let value = reader.value(key) else { continue }
      let text: String
      switch value {
      case .string(let s): text = s
      case .int(let i) where key == "version": text = String(i)
      case .double(let d) where key == "version": text = String(d)
      default: throw reader.error("'\(key)' must be a string")
      }
      fields.append((key, .string(text)))
    }
    if let license = fields.first(where: { $0.key == "license" })?.value.stringValue,
      License(spdx: license) == nil
    {
      throw reader.error(
        "'\(license)' is not an SPDX licence id fairflow knows",
        hint: "for example cc-by-4.0, cc0-1.0, mit, apache-2.0, bsd-3-clause")
    }
    if let type = fields.first(where: { $0.key == "resource_type" })?.value.stringValue,
      ResourceType.allCases.first(where: { $0.rawValue.lowercased() == type.lowercased() }) == nil
    {
      throw reader.error(
        "unknown resource_type '\(type)'",
        hint: ResourceType.allCases.map(\.rawValue).joined(separator: ", "))
    }
    guard case .list(let creators)? = reader.value("creators"), !creators.isEmpty else {
      throw reader.error("'creators' must list at least one author")
    }
    for creator in creators {
      switch creator {
      case .string(let s) where !s.isEmpty: continue
      case .map:
        guard creator["name"]?.stringValue != nil || creator["family"]?.stringValue != nil else {
          throw reader.error("each creator map needs 'name' or 'family'")
        }
      default: throw reader.error("a creator is \"Family, Given\" or {given, family, orcid, …}")
      }
    }
    fields.append(("creators", .list(creators)))
    for key in ["keywords", "data"] {
      guard let value = reader.value(key) else { continue }
      guard case .list(let items) = value, items.allSatisfy({ $0.stringValue != nil }) else {
        throw reader.error("'\(key)' must be a list of strings")
      }
      if key == "data" {
        for item in items where DOI(item.stringValue ?? "") == nil {
          throw reader.error("'\(item.stringValue ?? "")' in 'data' is not a DOI")
        }
      }
      fields.append((key, value))
    }
    if let deposit = reader.value("deposit") {
      guard case .map = deposit, let url = deposit["url"]?.stringValue,
        let tokenEnv = deposit["token_env"]?.stringValue
      else {
        throw reader.error("'deposit' needs {url: https://…, token_env: NAME}")
      }
      guard let parsed = URL(string: url), parsed.scheme == "https" || parsed.scheme == "http"
      else { throw reader.error("deposit url '\(url)' is not an http(s) URL") }
      fields.append(("deposit", .map([("url", .string(url)), ("token_env", .string(tokenEnv))])))
    }
    try reader.finish()
    return .map(fields)
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let root = workspace.root
    func text(_ key: String) -> String? { config[key]?.stringValue }
    let modelPath = text("model") ?? ""
    let model = URL(fileURLWithPath: root + "/" + modelPath)
    var inputs = PublicationInputs(modelFiles: try BundleFile.files(in: model))
    var spec = PublicationSpec(
      title: text("title") ?? "", creators: Self.creators(config["creators"]),
      description: text("description") ?? text("title") ?? "")
    spec.license = text("license")
    spec.version = text("version")
    if let publisher = text("publisher") { spec.publisher = publisher }
    spec.keywords = config["keywords"]?.listValue?.compactMap(\.stringValue) ?? []
    spec.codeRepository = text("code").flatMap(URL.init(string:))
    if let type = text("resource_type") {
      spec.resourceType =
        ResourceType.allCases.first { $0.rawValue.lowercased() == type.lowercased() } ?? .model
    }
    spec.dependencies = [Dependency(name: "fairflow", version: FairflowVersion.current)]
    let modelJSON = try? ValueParser.parse(
      FileIO.readText(model.path + "/model.json"), file: modelPath + "/model.json")
    spec.modelCard = ModelCard(
      task: text("task"), inputs: Self.tensors(modelJSON?["inputs"]),
      outputs: Self.tensors(modelJSON?["outputs"]), intendedUse: text("intended_use"),
      limitations: text("limitations"))
    spec.formats = Array(
      Set(inputs.modelFiles.compactMap { $0.path.split(separator: ".").last.map(String.init) })
    ).sorted()
    if let metrics = text("metrics") {
      inputs.metrics = try Self.metrics(FileIO.readText(root + "/" + metrics), file: metrics)
    }

    // Provenance: the lineage of the model (and metrics), as recorded in git.
    let lineage = try Self.lineage(
      of: [modelPath] + (text("metrics").map { [$0] } ?? []), workspace: root)
    inputs.provenance = lineage.files
    inputs.codeCommit = lineage.commit
    var datasets = lineage.datasets
    for doi in config["data"]?.listValue?.compactMap(\.stringValue) ?? []
    where !datasets.contains(where: { $0.doi.lowercased() == doi.lowercased() }) {
      datasets.append(RelatedDataset(doi: doi))
    }
    spec.trainingData = datasets

    let date = try Self.date(text("date"))
    let output = URL(fileURLWithPath: root + "/" + (text("output") ?? ""))
    try FileManager.default.createDirectory(
      at: output.deletingLastPathComponent(), withIntermediateDirectories: true)

    guard let deposit = config["deposit"] else {
      let summary = try PublicationBundle.write(spec: spec, inputs: inputs, to: output, date: date)
      print(Self.report(summary, deposited: nil))
      print("publish: dry run (no `deposit`): nothing was uploaded")
      return
    }
    let tokenEnv = deposit["token_env"]?.stringValue ?? ""
    guard let token = ProcessInfo.processInfo.environment[tokenEnv], !token.isEmpty else {
      throw PublishError.invalidSpec(
        field: "deposit.token_env", detail: "the environment variable \(tokenEnv) is not set")
    }
    let base = URL(string: deposit["url"]?.stringValue ?? "")!
    let depositor = ZenodoDepositor(
      client: WebClient(transport: NetworkTransport.shared), baseURL: base, token: token)
    let deposition = try await depositor.createDeposition()
    spec.doi = deposition.reservedDOI
    spec.recordURL = base.appendingPathComponent("records/\(deposition.id)")
    let summary = try PublicationBundle.write(spec: spec, inputs: inputs, to: output, date: date)
    let result = try await depositor.deposit(
      bundle: output, metadata: ZenodoMetadata(spec: spec, date: date), into: deposition)
    print(Self.report(summary, deposited: result))
    if let file = ProcessInfo.processInfo.environment["FAIRFLOW_ORIGINS"] {
      var origin: [(key: String, value: Value)] = [
        ("doi", .string(result.doi)),
        ("url", .string((result.recordURL ?? spec.recordURL!).absoluteString)),
        ("relation", .string("published-as")),
        ("deposition", .int(result.depositionID)),
      ]
      if let concept = result.conceptDOI { origin.append(("concept_doi", .string(concept))) }
      let origins = Value.map([(text("output") ?? "", .map(origin))])
      try FileIO.writeAtomically(Array(origins.canonicalText.utf8), to: file)
    }
  }

  static func report(
    _ summary: PublicationBundle.Summary, deposited: ZenodoDepositor.DepositResult?
  )
    -> String
  {
    var lines = [
      "publish: \(summary.payload.count) payload files → \(summary.directory.lastPathComponent) "
        + "(bag, RO-Crate, DataCite, CITATION.cff, model card); FAIR \(summary.assessment.score)"
    ]
    for criterion in summary.assessment.criteria where !criterion.passed {
      lines.append("  FAIR \(criterion.id) not met: \(criterion.detail)")
    }
    if let deposited {
      lines.append(
        "publish: deposited as \(deposited.doi)"
          + (deposited.recordURL.map { " (\($0.absoluteString))" } ?? ""))
    }
    return lines.joined(separator: "\n")
  }

  static func creators(_ value: Value?) -> [Creator] {
    (value?.listValue ?? []).map { item in
      if let text = item.stringValue {
        let parts = text.split(separator: ",", maxSplits: 1).map {
          $0.trimmingCharacters(in: .whitespaces)
        }
        return parts.count == 2
          ? Creator(givenName: parts[1], familyName: parts[0]) : Creator(name: text)
      }
      if let family = item["family"]?.stringValue {
        return Creator(
          givenName: item["given"]?.stringValue, familyName: family,
          orcid: item["orcid"]?.stringValue, affiliation: item["affiliation"]?.stringValue)
      }
      return Creator(
        name: item["name"]?.stringValue ?? "", orcid: item["orcid"]?.stringValue,
        affiliation: item["affiliation"]?.stringValue)
    }
  }

  /// `inputs`/`outputs` of model.json (`name`, `dtype`, `shape` with "batch") → model card rows.
  static func tensors(_ value: Value?) -> [TensorSpec] {
    (value?.listValue ?? []).compactMap { item in
      guard let name = item["name"]?.stringValue else { return nil }
      let shape = (item["shape"]?.listValue ?? []).map { dim in
        dim.intValue.map(String.init) ?? dim.stringValue ?? "?"
      }
      return TensorSpec(
        name: name, type: item["dtype"]?.stringValue ?? "float32", shape: shape,
        description: item["layout"]?.stringValue)
    }
  }

  /// Numeric entries of a metrics JSON object (nested objects flattened with `.`); a sibling
  /// `<name>_uncertainty`, `<name>_std` or `<name>_err` becomes that metric's uncertainty.
  static func metrics(_ text: String, file: String) throws -> [Metric] {
    var numbers: [(String, Double)] = []
    func walk(_ value: Value, _ prefix: String) {
      switch value {
      case .map(let pairs):
        for (key, v) in pairs { walk(v, prefix.isEmpty ? key : prefix + "." + key) }
      case .int(let i): numbers.append((prefix, Double(i)))
      case .double(let d): numbers.append((prefix, d))
      default: break
      }
    }
    walk(try ValueParser.parse(text, file: file), "")
    let byName = Dictionary(numbers, uniquingKeysWith: { a, _ in a })
    let suffixes = ["_uncertainty", "_std", "_err"]
    return numbers.compactMap { name, value in
      if suffixes.contains(where: {
        name.hasSuffix($0) && byName[String(name.dropLast($0.count))] != nil
      }) {
        return nil
      }
      let uncertainty = suffixes.lazy.compactMap { byName[name + $0] }.first
      return Metric(name: name, value: value, uncertainty: uncertainty)
    }
  }

  /// `date: YYYY-MM-DD`, else `SOURCE_DATE_EPOCH`, else now (the only input that is not content).
  static func date(_ text: String?) throws -> Date {
    if let text {
      let formatter = DateFormatter()
      formatter.locale = Locale(identifier: "en_US_POSIX")
      formatter.timeZone = TimeZone(identifier: "UTC")
      formatter.dateFormat = "yyyy-MM-dd"
      guard let date = formatter.date(from: text) else {
        throw PublishError.invalidSpec(field: "date", detail: "expected YYYY-MM-DD, got \(text)")
      }
      return date
    }
    if let epoch = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Double.init) {
      return Date(timeIntervalSince1970: epoch)
    }
    return Date()
  }

  struct Lineage {
    var files: [BundleFile] = []
    var datasets: [RelatedDataset] = []
    var commit: String?
  }

  /// Every provenance record in the lineage of `paths` (one JSON file per run and stage), the
  /// DOIs where the chain ends, and the code commit that made the first path.
  static func lineage(of paths: [String], workspace root: String) throws -> Lineage {
    var lineage = Lineage()
    guard let store = try ProvenanceStore.open(workspace: root, create: false) else {
      return lineage
    }
    let tracer = Tracer(store: store, workspace: root)
    let observer = Observer(root: root, statCache: StatCache(file: ""))
    var seen: Set<String> = []
    func visit(_ node: Tracer.Node) {
      if let origin = node.origin, let doi = origin.doi,
        !lineage.datasets.contains(where: { $0.doi.lowercased() == doi.lowercased() })
      {
        let title = origin.metadata.first { $0.key == "title" }?.value.stringValue
        let creators =
          origin.metadata.first { $0.key == "creators" }?.value.listValue?.compactMap(\.stringValue)
          ?? []
        lineage.datasets.append(RelatedDataset(doi: doi, title: title, creators: creators))
      }
      if let record = node.producer, seen.insert(record.run + "/" + record.stage).inserted {
        lineage.commit = lineage.commit ?? record.context.commit
        lineage.files.append(
          BundleFile(
            path: record.run + "/" + ProvenanceStore.fileName(stage: record.stage),
            bytes: Array(record.json.utf8)))
      }
      node.inputs.forEach(visit)
    }
    for (index, path) in paths.enumerated() {
      guard let observed = try observer.observe(path) else { continue }
      let node = try tracer.trace(path: path, sha256: observed.digest.hex, size: observed.size)
      visit(node)
      if node.producer != nil {
        lineage.files.append(
          BundleFile(path: "trace-\(index + 1).json", bytes: Array(node.value.prettyJSON.utf8)))
      }
    }
    return lineage
  }
}
