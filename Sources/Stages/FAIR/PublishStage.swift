public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowBase
internal import FairflowStore
internal import Fetch
internal import Publish
internal import Foundation

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
/// and names the training data DOIs; so does, when the lineage has one clean code commit, what
/// re-executes it (`reproduce/`: the commit's source archive, the recipe, the lock file). With
/// `deposit`, the deposition is created first so its reserved DOI is inside the bundle, then the
/// files are uploaded and published; the minted DOI is recorded as the output's origin. The token
/// is read from the named environment variable and never written anywhere.
public struct PublishStage: TypedStage {
  public typealias Configuration = PublishConfig
  public let name = "publish"
  public let version = 1

  public init() {}

  public func run(_ config: PublishConfig, stage: Stage, workspace: Workspace) async throws {
    try await run(
      config, workspace: workspace.root, environment: ProcessInfo.processInfo.environment)
  }

  /// The run with its environment explicit: `SOURCE_DATE_EPOCH`, the deposit token's variable
  /// and `FAIRFLOW_ORIGINS`, the file the published DOI goes to.
  func run(_ config: PublishConfig, workspace root: String, environment: [String: String])
    async throws
  {
    let model = URL(fileURLWithPath: root + "/" + config.model)
    var inputs = PublicationInputs(modelFiles: try BundleFile.files(in: model))
    var spec = Self.spec(config, modelFiles: inputs.modelFiles, modelJSON: model.path)
    if let metrics = config.metrics {
      inputs.metrics = try PublicationFields.metrics(
        FileIO.readText(root + "/" + metrics), file: metrics)
    }
    // Provenance: the lineage of the model (and metrics), as recorded in git.
    let lineage = try PublishLineage(
      of: [config.model] + (config.metrics.map { [$0] } ?? []), workspace: root)
    inputs.provenance = lineage.files
    inputs.codeCommit = lineage.commit
    spec.trainingData = lineage.datasets(adding: config.data ?? [])
    // The recipe to re-execute the lineage from the bundle (when it can be).
    let recipe = PublishRecipe(model: config.model, metrics: config.metrics, workspace: root)
    inputs.reproduce = recipe.files

    let date = try PublicationFields.date(config.date, environment: environment)
    let output = URL(fileURLWithPath: root + "/" + config.output)
    try FileManager.default.createDirectory(
      at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard let deposit = config.deposit else {
      let summary = try PublicationBundle.write(spec: spec, inputs: inputs, to: output, date: date)
      print(Self.report(summary, deposited: nil))
      print(recipe.note)
      print("publish: dry run (no `deposit`): nothing was uploaded")
      return
    }
    let token = try Self.token(deposit, environment: environment)
    let (summary, result) = try await Self.deposit(
      &spec, inputs: inputs, to: output, date: date, at: deposit, token: token)
    print(Self.report(summary, deposited: result))
    print(recipe.note)
    if let file = environment["FAIRFLOW_ORIGINS"] {
      let origins = Value.map([(config.output, Self.origin(result, recordURL: spec.recordURL))])
      try FileIO.writeAtomically(Array(origins.canonicalText.utf8), to: file)
    }
  }

  /// The publication's metadata from the configuration and the model directory (model card
  /// tensors from its model.json, formats from its files' extensions).
  static func spec(_ config: PublishConfig, modelFiles: [BundleFile], modelJSON directory: String)
    -> PublicationSpec
  {
    var spec = PublicationSpec(
      title: config.title, creators: config.authors,
      description: config.description ?? config.title)
    spec.license = config.license
    spec.version = config.version
    if let publisher = config.publisher { spec.publisher = publisher }
    spec.keywords = config.keywords ?? []
    spec.codeRepository = config.code.flatMap(URL.init(string:))
    if let type = config.resourceType {
      spec.resourceType =
        ResourceType.allCases.first { $0.rawValue.lowercased() == type.lowercased() } ?? .model
    }
    spec.dependencies = [Dependency(name: "fairflow", version: FairflowVersion.current)]
    let modelJSON = try? ValueParser.parse(
      FileIO.readText(directory + "/model.json"), file: config.model + "/model.json")
    spec.modelCard = ModelCard(
      task: config.task, inputs: PublicationFields.tensors(modelJSON?["inputs"]),
      outputs: PublicationFields.tensors(modelJSON?["outputs"]),
      intendedUse: config.intendedUse, limitations: config.limitations)
    spec.formats = Array(
      Set(modelFiles.compactMap { $0.path.split(separator: ".").last.map(String.init) })
    ).sorted()
    return spec
  }

  /// The deposit token, from the environment variable the configuration names.
  static func token(_ deposit: PublishConfig.Deposit, environment: [String: String]) throws
    -> String
  {
    guard let token = environment[deposit.tokenEnv], !token.isEmpty else {
      throw PublishError.invalidSpec(
        field: "deposit.token_env",
        detail: "the environment variable \(deposit.tokenEnv) is not set")
    }
    return token
  }

  /// Creates the deposition (its reserved DOI and record URL go into `spec` and the bundle),
  /// writes the bundle, uploads and publishes it.
  static func deposit(
    _ spec: inout PublicationSpec, inputs: PublicationInputs, to output: URL, date: Date,
    at deposit: PublishConfig.Deposit, token: String
  ) async throws -> (PublicationBundle.Summary, ZenodoDepositor.DepositResult) {
    let base = URL(string: deposit.url)!
    let depositor = ZenodoDepositor(
      client: WebClient(transport: NetworkTransport.shared), baseURL: base, token: token)
    let deposition = try await depositor.createDeposition()
    spec.doi = deposition.reservedDOI
    spec.recordURL = base.appendingPathComponent("records/\(deposition.id)")
    let summary = try PublicationBundle.write(spec: spec, inputs: inputs, to: output, date: date)
    let result = try await depositor.deposit(
      bundle: output, metadata: ZenodoMetadata(spec: spec, date: date), into: deposition)
    return (summary, result)
  }

  /// The origin of the published output: the minted DOI and record.
  static func origin(_ result: ZenodoDepositor.DepositResult, recordURL: URL?) -> Value {
    var origin: [(key: String, value: Value)] = [
      ("doi", .string(result.doi)),
      ("url", .string((result.recordURL ?? recordURL!).absoluteString)),
      ("relation", .string("published-as")),
      ("deposition", .int(result.depositionID)),
    ]
    if let concept = result.conceptDOI { origin.append(("concept_doi", .string(concept))) }
    return .map(origin)
  }

  static func report(
    _ summary: PublicationBundle.Summary, deposited: ZenodoDepositor.DepositResult?
  ) -> String {
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
}
