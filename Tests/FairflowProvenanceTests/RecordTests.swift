import FairflowBase
import FairflowCore
import FairflowProvenance
import Testing

@Suite struct RecordTests {
  static let context = RunContext(
    host: [("hostname", .string("h")), ("cores", .int(2))],
    software: [("fairflow", .string("0.1.0"))], environment: [("LANG", .string("C"))],
    user: [("name", .string("Ada"))], code: [("commit", .null)])

  static func record() -> ProvenanceRecord {
    ProvenanceRecord(
      run: "20261129T101010.000Z-abcd", pipeline: "pipelines/x.yaml", stage: "train@seed=1/2",
      kind: "train", command: "uses: train", implementationVersion: 3,
      params: [("lr", .double(.nan)), ("layers", .list([.int(1), .int(2)]))],
      env: [("TOKEN", .string("<redacted>"))],
      deps: [
        .init(
          path: "data/raw", sha256: String(repeating: "a", count: 64), size: 10,
          isDirectory: true, files: 2,
          origin: .init(
            doi: "10.1/x", url: "https://x", checksum: "md5:1", retrieved: "2026-01-01T00:00:00Z",
            metadata: [("license", .string("CC-BY-4.0"))]))
      ],
      outputs: [.init(path: "m.bin", sha256: String(repeating: "b", count: 64), size: 5)],
      outcome: .restored, restoredFrom: "20261128T000000.000Z-0000", failure: nil,
      exitStatus: nil, started: "2026-11-29T10:10:10.000Z", ended: "2026-11-29T10:10:11.500Z",
      durationSeconds: 1.5, fingerprint: String(repeating: "c", count: 64),
      executor: [("kind", .string("local"))], context: context)
  }

  @Test func jsonRoundTripsEveryField() throws {
    let record = Self.record()
    let text = record.json
    #expect(text.contains("\"lr\": \"NaN\""), "non-finite numbers stay valid JSON")
    let back = try ProvenanceRecord(json: text, source: "t")
    #expect(back.deps == record.deps)
    #expect(back.outputs == record.outputs)
    #expect(back.restoredFrom == record.restoredFrom)
    #expect(back.implementationVersion == 3)
    #expect(back.durationSeconds == 1.5)
    #expect(back.context == record.context)
    #expect(back.json == text, "stable encoding")
  }

  @Test func malformedRecordsAreClearErrors() {
    #expect(throws: ProvenanceError.self) {
      try ProvenanceRecord(json: "{}", source: "runs/x/y.json")
    }
    let error = #expect(throws: ProvenanceError.self) {
      try ProvenanceRecord(json: "{\"schema\": \"fairflow.provenance/1\"}", source: "runs/x/y.json")
    }
    #expect(error?.message.hasPrefix("runs/x/y.json: malformed provenance record") == true)
  }

  @Test func stageFileNamesAreSafeAndDistinct() {
    #expect(ProvenanceStore.fileName(stage: "train") == "train.json")
    #expect(ProvenanceStore.fileName(stage: "a/b") == "a%2Fb.json")
    #expect(ProvenanceStore.fileName(stage: "a%2Fb") == "a%252Fb.json")
    #expect(ProvenanceStore.fileName(stage: "..") == "%2E..json")
  }

  @Test func provJSONRelatesActivitiesEntitiesAndAgents() {
    let doc = ProvJSONExporter.export([Self.record()])
    guard case .map(let entities)? = doc["entity"], case .map(let activities)? = doc["activity"]
    else {
      Issue.record("missing sections")
      return
    }
    #expect(entities.count == 2)
    #expect(activities.count == 1)
    #expect(activities[0].key.hasPrefix("ffrun:20261129T101010.000Z-abcd/train%40seed%3D1%2F2"))
    let raw = entities.first { $0.value["ff:path"] == .string("data/raw") }?.value
    #expect(raw?["ff:doi"] == .string("10.1/x"))
    #expect(raw?["prov:type"] == .string("prov:Collection"))
    guard case .map(let derived)? = doc["wasDerivedFrom"] else {
      Issue.record("no derivations")
      return
    }
    #expect(derived.count == 1)
  }
}
