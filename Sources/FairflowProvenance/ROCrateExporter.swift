public import FairflowBase
internal import FairflowCore

/// A Workflow Run RO-Crate (https://w3id.org/ro/wfrun/provenance/0.5) describing one run:
/// the pipeline file as the `ComputationalWorkflow`, each stage a `HowToStep` with its tool, each
/// stage execution a `CreateAction` (instrument, object = inputs, result = outputs) controlled
/// by a `ControlAction` inside the engine's `OrganizeAction`, and every file with its SHA-256 and
/// size. Paths in the crate are the workspace-relative paths, so the crate directory mirrors the
/// workspace for the files it carries.
public enum ROCrateExporter {
  public static let profiles: [(id: String, name: String)] = [
    ("https://w3id.org/ro/wfrun/process/0.5", "Process Run Crate"),
    ("https://w3id.org/ro/wfrun/workflow/0.5", "Workflow Run Crate"),
    ("https://w3id.org/ro/wfrun/provenance/0.5", "Provenance Run Crate"),
    ("https://w3id.org/workflowhub/workflow-ro-crate/1.0", "Workflow RO-Crate"),
  ]

  /// `reproductions`: `fairflow reproduce` records of artifacts the run made, each an
  /// `AssessAction` on the artifact (result, host, time).
  public static func export(
    _ records: [ProvenanceRecord], pipelineFile: String,
    reproductions: [ReproductionRecord] = []
  ) -> Value {
    func ref(_ id: String) -> Value { .map([("@id", .string(id))]) }
    var graph: [Value] = []
    var files: [String: Value] = [:]
    var fileOrder: [String] = []
    func file(_ artifact: ProvenanceRecord.Artifact) -> String {
      let id = artifact.isDirectory ? artifact.path + "/" : artifact.path
      if files[id] == nil {
        var fields: [(key: String, value: Value)] = [
          ("@id", .string(id)), ("@type", .string(artifact.isDirectory ? "Dataset" : "File")),
          ("name", .string(artifact.path)), ("contentSize", .int(artifact.size)),
          ("sha256", .string(artifact.sha256)),
        ]
        if let origin = artifact.origin {
          if let doi = origin.doi {
            fields.append(("identifier", .string("https://doi.org/" + doi)))
          }
          if let url = origin.url { fields.append(("contentUrl", .string(url))) }
          if let retrieved = origin.retrieved {
            fields.append(("sdDatePublished", .string(retrieved)))
          }
        }
        files[id] = .map(fields)
        fileOrder.append(id)
      }
      return id
    }

    let first = records.first
    let run = first?.run ?? "unknown"
    let software = first.map { Value.map($0.context.software) }
    let version = software?["fairflow"]?.stringValue ?? "unknown"
    let workflowID = pipelineFile
    let runAction = "#run-" + run
    let organize = "#organize-" + run
    let engine = "#fairflow-" + version
    var stepIDs: [String] = []
    var controlIDs: [String] = []
    var allInputs: [String] = []
    var allOutputs: [String] = []
    let started = records.map(\.started).min() ?? ""
    let ended = records.map(\.ended).max() ?? ""

    for (position, record) in records.enumerated() {
      let slug = ProvJSONExporter.slug(record.stage)
      let step = "#step-" + slug
      let tool = "#tool-" + slug
      let action = "#action-\(run)-\(slug)"
      let control = "#control-\(run)-\(slug)"
      stepIDs.append(step)
      controlIDs.append(control)
      graph.append(
        .map([
          ("@id", .string(step)), ("@type", .string("HowToStep")),
          ("position", .string(String(position))), ("workExample", ref(tool)),
        ]))
      var toolFields: [(key: String, value: Value)] = [
        ("@id", .string(tool)), ("@type", .string("SoftwareApplication")),
        ("name", .string(record.stage)),
      ]
      if let command = record.command { toolFields.append(("description", .string(command))) }
      graph.append(.map(toolFields))
      let inputs = record.deps.map(file)
      let outputs = record.outputs.map(file)
      allInputs += inputs
      allOutputs += outputs
      var actionFields: [(key: String, value: Value)] = [
        ("@id", .string(action)), ("@type", .string("CreateAction")),
        ("name", .string("Run of stage \(record.stage)")), ("instrument", ref(tool)),
        ("startTime", .string(record.started)), ("endTime", .string(record.ended)),
        ("object", .list(inputs.map(ref))), ("result", .list(outputs.map(ref))),
        (
          "actionStatus",
          ref(
            record.outcome == .failed
              ? "http://schema.org/FailedActionStatus" : "http://schema.org/CompletedActionStatus")
        ),
      ]
      if let failure = record.failure { actionFields.append(("error", .string(failure))) }
      if let from = record.restoredFrom {
        actionFields.append(("description", .string("outputs restored from run \(from)")))
      }
      graph.append(.map(actionFields))
      graph.append(
        .map([
          ("@id", .string(control)), ("@type", .string("ControlAction")),
          ("instrument", ref(step)), ("object", ref(action)),
        ]))
    }
    let producedOutputs = Set(allOutputs)
    let runInputs = unique(allInputs.filter { !producedOutputs.contains($0) })
    let runOutputs = unique(allOutputs)

    var root: [(key: String, value: Value)] = [
      ("@id", .string("./")), ("@type", .string("Dataset")),
      ("name", .string("fairflow run \(run) of \(pipelineFile)")),
      ("description", .string("Provenance of run \(run), exported by fairflow \(version).")),
      ("datePublished", .string(ended.isEmpty ? started : ended)),
      ("conformsTo", .list(profiles.map { ref($0.id) })),
      ("mainEntity", ref(workflowID)),
      ("hasPart", .list(([workflowID] + fileOrder).map(ref))),
      ("mentions", ref(runAction)),
    ]
    if let commit = first?.context.commit {
      root.append(("version", .string(commit)))
    }
    var head: [Value] = [
      .map([
        ("@id", .string("ro-crate-metadata.json")), ("@type", .string("CreativeWork")),
        ("conformsTo", ref("https://w3id.org/ro/crate/1.1")), ("about", ref("./")),
      ]),
      .map(root),
    ]
    for profile in profiles {
      head.append(
        .map([
          ("@id", .string(profile.id)), ("@type", .string("CreativeWork")),
          ("name", .string(profile.name)),
          ("version", .string(String(profile.id.split(separator: "/").last ?? ""))),
        ]))
    }
    head.append(
      .map([
        ("@id", .string(workflowID)),
        (
          "@type",
          .list(["File", "SoftwareSourceCode", "ComputationalWorkflow", "HowTo"].map(Value.string))
        ),
        ("name", .string(pipelineFile)), ("programmingLanguage", ref("#fairflow-pipeline")),
        ("step", .list(stepIDs.map(ref))),
      ]))
    head.append(
      .map([
        ("@id", .string("#fairflow-pipeline")), ("@type", .string("ComputerLanguage")),
        ("name", .string("fairflow pipeline YAML")),
        ("url", ref("https://w3id.org/fairflow")),
      ]))
    head.append(
      .map([
        ("@id", .string(engine)), ("@type", .string("SoftwareApplication")),
        ("name", .string("fairflow")), ("version", .string(version)),
      ]))
    var runFields: [(key: String, value: Value)] = [
      ("@id", .string(runAction)), ("@type", .string("CreateAction")),
      ("name", .string("fairflow run \(run)")), ("instrument", ref(workflowID)),
      ("startTime", .string(started)), ("endTime", .string(ended)),
      ("object", .list(runInputs.map(ref))), ("result", .list(runOutputs.map(ref))),
    ]
    if let user = first.map({ Value.map($0.context.user) }), let name = user["name"]?.stringValue {
      let person = "#person-" + ProvJSONExporter.slug(user["email"]?.stringValue ?? name)
      runFields.append(("agent", ref(person)))
      var fields: [(key: String, value: Value)] = [
        ("@id", .string(person)), ("@type", .string("Person")), ("name", .string(name)),
      ]
      if let email = user["email"]?.stringValue { fields.append(("email", .string(email))) }
      head.append(.map(fields))
    }
    head.append(.map(runFields))
    head.append(
      .map([
        ("@id", .string(organize)), ("@type", .string("OrganizeAction")),
        ("name", .string("fairflow orchestration of run \(run)")), ("instrument", ref(engine)),
        ("result", ref(runAction)), ("object", .list(controlIDs.map(ref))),
        ("startTime", .string(started)), ("endTime", .string(ended)),
      ]))
    for reproduction in reproductions {
      let target = records.flatMap(\.outputs).first {
        $0.path == reproduction.artifact && $0.sha256 == reproduction.sha256
      }
      var fields: [(key: String, value: Value)] = [
        ("@id", .string("#reproduction-" + ProvJSONExporter.slug(reproduction.id))),
        ("@type", .string("AssessAction")),
        ("name", .string("fairflow reproduce \(reproduction.artifact)")),
        ("description", .string(reproduction.summaryLine)), ("instrument", ref(engine)),
        ("startTime", .string(reproduction.started)), ("endTime", .string(reproduction.ended)),
        ("result", .string(reproduction.result)),
      ]
      if let target { fields.append(("object", ref(file(target)))) }
      graph.append(.map(fields))
    }
    let body = head + graph + fileOrder.compactMap { files[$0] }
    return .map([
      (
        "@context",
        .list([
          .string("https://w3id.org/ro/crate/1.1/context"),
          .map([("sha256", .string("https://w3id.org/ro/terms/workflow-run#sha256"))]),
        ])
      ),
      ("@graph", .list(body)),
    ])
  }

  private static func unique(_ ids: [String]) -> [String] {
    var seen: Set<String> = []
    return ids.filter { seen.insert($0).inserted }
  }
}
