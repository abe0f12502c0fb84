public import FairflowBase
internal import Crypto
internal import FairflowCore

/// W3C PROV-JSON (https://www.w3.org/submissions/prov-json/) of a run's records:
/// each stage is an activity, each file version (path + digest) an entity, fairflow a software
/// agent acting for the user; `used`, `wasGeneratedBy`, `wasDerivedFrom`, `wasAssociatedWith`
/// and `actedOnBehalfOf` relate them. Fetched inputs carry their DOI/URL.
public enum ProvJSONExporter {
  public static let namespace = "https://w3id.org/fairflow/provenance#"

  /// `reproductions`: the `fairflow reproduce` records of artifacts the run made; each is an
  /// activity (`ff:Reproduction`) that used the artifact, with its result, host and time.
  public static func export(
    _ records: [ProvenanceRecord], reproductions: [ReproductionRecord] = []
  ) -> Value {
    var entities: [(key: String, value: Value)] = []
    var entityIDs: Set<String> = []
    var activities: [(key: String, value: Value)] = []
    var used: [(key: String, value: Value)] = []
    var generated: [(key: String, value: Value)] = []
    var derived: [(key: String, value: Value)] = []
    var associated: [(key: String, value: Value)] = []
    var agents: [(key: String, value: Value)] = []
    var delegations: [(key: String, value: Value)] = []
    var counter = 0
    func blank() -> String {
      counter += 1
      return "_:n\(counter)"
    }

    let software = records.first.map { Value.map($0.context.software) }
    let fairflowAgent = "ff:fairflow-" + (software?["fairflow"]?.stringValue ?? "unknown")
    agents.append(
      (
        fairflowAgent,
        .map([
          ("prov:type", .string("prov:SoftwareAgent")), ("prov:label", .string("fairflow")),
          ("ff:version", .string(software?["fairflow"]?.stringValue ?? "unknown")),
        ])
      ))
    if let user = records.first.map({ Value.map($0.context.user) }),
      let name = user["name"]?.stringValue
    {
      let id = "ff:user-" + slug(user["email"]?.stringValue ?? name)
      var fields: [(key: String, value: Value)] = [
        ("prov:type", .string("prov:Person")), ("prov:label", .string(name)),
      ]
      if let email = user["email"]?.stringValue { fields.append(("ff:email", .string(email))) }
      agents.append((id, .map(fields)))
      delegations.append(
        (
          blank(),
          .map([("prov:delegate", .string(fairflowAgent)), ("prov:responsible", .string(id))])
        ))
    }

    func entity(_ artifact: ProvenanceRecord.Artifact) -> String {
      let id = entityID(artifact)
      if entityIDs.insert(id).inserted {
        var fields: [(key: String, value: Value)] = [
          ("prov:label", .string(artifact.path)), ("ff:path", .string(artifact.path)),
          ("ff:sha256", .string(artifact.sha256)), ("ff:size", .int(artifact.size)),
        ]
        if artifact.isDirectory { fields.append(("prov:type", .string("prov:Collection"))) }
        if let origin = artifact.origin {
          if let doi = origin.doi { fields.append(("ff:doi", .string(doi))) }
          if let url = origin.url { fields.append(("prov:location", .string(url))) }
          if let checksum = origin.checksum {
            fields.append(("ff:repositoryChecksum", .string(checksum)))
          }
          if let retrieved = origin.retrieved {
            fields.append(("ff:retrieved", .string(retrieved)))
          }
        }
        entities.append((id, .map(fields)))
      }
      return id
    }

    for record in records {
      let activity = "ffrun:" + record.run + "/" + slug(record.stage)
      var fields: [(key: String, value: Value)] = [
        ("prov:label", .string(record.stage)), ("prov:startTime", .string(record.started)),
        ("prov:endTime", .string(record.ended)), ("ff:outcome", .string(record.outcome.rawValue)),
        ("ff:run", .string(record.run)), ("ff:pipeline", .string(record.pipeline)),
        ("ff:kind", .string(record.kind)),
      ]
      if let command = record.command { fields.append(("ff:command", .string(command))) }
      if let from = record.restoredFrom { fields.append(("ff:restoredFrom", .string(from))) }
      if let exit = record.exitStatus { fields.append(("ff:exitStatus", .int(exit))) }
      if let commit = record.context.commit { fields.append(("ff:codeCommit", .string(commit))) }
      if !record.params.isEmpty {
        fields.append(("ff:params", .string(Value.map(record.params).canonicalText)))
      }
      activities.append((activity, .map(fields)))
      associated.append(
        (
          blank(),
          .map([("prov:activity", .string(activity)), ("prov:agent", .string(fairflowAgent))])
        ))
      let inputs = record.deps.map(entity)
      for input in inputs {
        used.append(
          (blank(), .map([("prov:activity", .string(activity)), ("prov:entity", .string(input))])))
      }
      for output in record.outputs {
        let id = entity(output)
        generated.append(
          (
            blank(),
            .map([
              ("prov:entity", .string(id)), ("prov:activity", .string(activity)),
              ("prov:time", .string(record.ended)),
            ])
          ))
        for input in inputs {
          derived.append(
            (
              blank(),
              .map([
                ("prov:generatedEntity", .string(id)), ("prov:usedEntity", .string(input)),
                ("prov:activity", .string(activity)),
              ])
            ))
        }
      }
    }
    let outputs = records.flatMap(\.outputs)
    for reproduction in reproductions {
      let activity = "ffrepro:" + slug(reproduction.id)
      activities.append(
        (
          activity,
          .map([
            ("prov:type", .string("ff:Reproduction")),
            ("prov:label", .string("reproduce \(reproduction.artifact)")),
            ("prov:startTime", .string(reproduction.started)),
            ("prov:endTime", .string(reproduction.ended)),
            ("ff:result", .string(reproduction.result)),
            ("ff:host", .string(reproduction.hostname)),
            ("ff:source", .string(reproduction.source)),
            ("ff:codeCommit", .string(reproduction.commit)),
            (
              "ff:stageResults",
              .string(
                Value.list(
                  reproduction.stages.map {
                    .map([("stage", .string($0.stage)), ("result", .string($0.result))])
                  }
                ).canonicalText)
            ),
          ])
        ))
      associated.append(
        (
          blank(),
          .map([("prov:activity", .string(activity)), ("prov:agent", .string(fairflowAgent))])
        ))
      if let artifact = outputs.first(where: {
        $0.path == reproduction.artifact && $0.sha256 == reproduction.sha256
      }) {
        used.append(
          (
            blank(),
            .map([("prov:activity", .string(activity)), ("prov:entity", .string(entity(artifact)))])
          ))
      }
    }
    var document: [(key: String, value: Value)] = [
      (
        "prefix",
        .map([
          ("ff", .string(namespace)), ("ffrun", .string("https://w3id.org/fairflow/run/")),
          ("ffrepro", .string("https://w3id.org/fairflow/reproduction/")),
          ("ffe", .string("https://w3id.org/fairflow/artifact/")),
        ])
      ),
      ("entity", .map(entities)), ("activity", .map(activities)), ("agent", .map(agents)),
    ]
    for (name, relation) in [
      ("used", used), ("wasGeneratedBy", generated), ("wasDerivedFrom", derived),
      ("wasAssociatedWith", associated), ("actedOnBehalfOf", delegations),
    ] where !relation.isEmpty {
      document.append((name, .map(relation)))
    }
    return .map(document)
  }

  /// A stable identifier for one version of one path: `ffe:<sha256 of path, 16 hex>-<sha256>`.
  static func entityID(_ artifact: ProvenanceRecord.Artifact) -> String {
    let pathHash = Digest(bytes: SHA256.hash(data: Array(artifact.path.utf8))).hex.prefix(16)
    return "ffe:\(pathHash)-\(artifact.sha256)"
  }

  /// Letters, digits, '-', '_' and '.' kept; anything else percent-encoded (QName-safe).
  static func slug(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"),
        UInt8(ascii: "."):
        out.unicodeScalars.append(Unicode.Scalar(byte))
      default:
        let hex = String(byte, radix: 16, uppercase: true)
        out += "%" + (hex.count == 1 ? "0" + hex : hex)
      }
    }
    return out
  }
}
