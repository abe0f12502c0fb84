import FairflowBase
import FairflowCore
import Testing

/// Fingerprints are run-cache keys and lock-file values: these digests were computed by the
/// encoder as first released, and must never change without a new schema version.
@Suite struct FingerprintPinTests {
  struct Record: StageKind {
    let name = "record"
    let version = 3
    func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
      var reader = config
      let n = reader.value("n") ?? .null
      try reader.finish()
      return n
    }
  }

  static let pipeline = """
    params: {p: {a: 1, b: [2.5, "x"]}, q: "é ü"}
    env: {LANG: C}
    stages:
      plain:
        cmd: cp in.txt out.txt
        deps: [in.txt]
        outs: [out.txt]
      rich:
        cmd: run ${params.p} ${params.q}
        deps: [zeta.txt, alpha.txt, "ünï.txt", dir]
        outs:
          - b.txt
          - {path: a.txt, cache: false}
          - {path: c.txt, persist: true}
        metrics: [m.json]
        env: {MODE: fast, A_VAR: "1"}
      builtin:
        uses: record
        with: {n: {k: [1, 2], j: null}}
        outs: [o]
    """

  static let digests = [
    "in.txt": Digest.of("in"), "zeta.txt": Digest.of("zeta"), "ünï.txt": Digest.of("u"),
    "dir": Digest.of("dir"),
  ]

  @Test(arguments: [
    ("plain", "e2965eaa3fcae90c738b3ecff21a1db0310cdd63dd0f8c8a459997b26c7c2fa3"),
    ("rich", "897059b07093bd2f2c9c2188cb69ae7f7729145fc380340c775a15aaf8b2ef21"),
    ("builtin", "263b0945f75dc8646d0a825f342dfc7ae2304e8c279bec425cc33ae17a03a3f4"),
  ])
  func digestIsPinned(_ stage: String, _ hex: String) throws {
    let pipeline = try expand(Self.pipeline, registry: StageKindRegistry([Record()]))
    let digest = Fingerprint.of(try pipeline.stage(stage), dependencyDigests: Self.digests)
    #expect(digest.hex == hex)
  }
}
