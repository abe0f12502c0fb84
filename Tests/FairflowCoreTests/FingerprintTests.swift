import FairflowBase
import FairflowCore
import Foundation
import Testing

@Suite struct FingerprintTests {
  static let base = """
    params: {p: {a: 1, b: 2}}
    stages:
      s:
        cmd: run ${params.p}
        deps: [in.txt, aux.txt]
        outs: [out.txt]
    """
  static let digests = ["in.txt": Digest.of("in"), "aux.txt": Digest.of("aux")]

  func fingerprint(
    _ text: String = base, digests: [String: Digest] = digests, stage: String = "s",
    overrides: [String] = []
  ) throws -> Digest {
    Fingerprint.of(
      try expand(text, overrides: overrides).stage(stage), dependencyDigests: digests)
  }

  func edited(_ target: String, _ replacement: String) -> String {
    let text = Self.base.replacingOccurrences(of: target, with: replacement)
    precondition(text != Self.base, "fixture edit did not apply: \(target)")
    return text
  }

  @Test func encodingNamesSchemaAndAlgorithmAndListsInputsSorted() throws {
    let encoding = Fingerprint.encoding(
      of: try expand(Self.base).stage("s"), dependencyDigests: Self.digests)
    #expect(
      encoding == """
        fairflow-fingerprint 1 sha256
        command 17:run {"a":1,"b":2}
        param 1:p 13:{"a":1,"b":2}
        dep 7:aux.txt \(Digest.of("aux").hex)
        dep 6:in.txt \(Digest.of("in").hex)
        out 7:out.txt cache=1 persist=0 metric=0

        """)
    #expect(try fingerprint() == Digest.of(encoding))
  }

  @Test func missingDependencyIsEncodedAsMissing() throws {
    let encoding = Fingerprint.encoding(
      of: try expand(Self.base).stage("s"), dependencyDigests: ["in.txt": Digest.of("in")])
    #expect(encoding.contains("dep 7:aux.txt missing\n"))
  }

  @Test func mapKeyOrderDoesNotMatter() throws {
    #expect(try fingerprint(edited("{a: 1, b: 2}", "{b: 2, a: 1}")) == fingerprint())
  }

  @Test func dependencyDeclarationOrderDoesNotMatter() throws {
    #expect(try fingerprint(edited("[in.txt, aux.txt]", "[aux.txt, in.txt]")) == fingerprint())
  }

  @Test func commandChangesIt() throws {
    #expect(try fingerprint(edited("run ", "run  ")) != fingerprint())
  }

  @Test func paramValueChangesIt() throws {
    #expect(try fingerprint(overrides: ["p.a=3"]) != fingerprint())
    #expect(try fingerprint(overrides: ["p.a=1"]) == fingerprint())
    // 1 and 1.0 are different values.
    #expect(try fingerprint(overrides: ["p.a=1.0"]) != fingerprint())
    // `:=` gives JSON: the same value as the plain form, or one the plain form cannot type.
    #expect(try fingerprint(overrides: ["p.a:=1"]) == fingerprint())
    #expect(try fingerprint(overrides: ["p.a:=1.0"]) == fingerprint(overrides: ["p.a=1.0"]))
    #expect(try fingerprint(overrides: [#"p.a:="1""#]) != fingerprint())
    #expect(try fingerprint(overrides: ["p.a:=[1,2]"]) != fingerprint(overrides: ["p.a=[1,2]"]))
    #expect(try fingerprint(overrides: [#"p:={"a":1,"b":2}"#]) == fingerprint())
    let error = #expect(throws: PipelineError.self) { try fingerprint(overrides: ["p.a:=[1,"]) }
    #expect(error?.message.contains("invalid JSON in -p p.a:=[1,") == true)
  }

  @Test func dependencyDigestChangesIt() throws {
    var digests = Self.digests
    digests["in.txt"] = Digest.of("other")
    #expect(try fingerprint(digests: digests) != fingerprint())
    #expect(try fingerprint(digests: ["in.txt": Digest.of("in")]) != fingerprint())
  }

  @Test(arguments: [
    "- {path: out.txt, cache: false}", "- {path: out.txt, persist: true}",
    "- {path: out2.txt}",
  ])
  func outputDeclarationChangesIt(_ output: String) throws {
    #expect(try fingerprint(edited("outs: [out.txt]", "outs:\n      \(output)")) != fingerprint())
  }

  @Test func declaringAnOutputAsMetricChangesIt() throws {
    #expect(try fingerprint(edited("outs: [out.txt]", "metrics: [out.txt]")) != fingerprint())
  }

  @Test func environmentChangesIt() throws {
    let withEnv = edited("outs: [out.txt]", "outs: [out.txt]\n    env: {MODE: fast}")
    #expect(try fingerprint(withEnv) != fingerprint())
    #expect(
      try fingerprint(withEnv.replacingOccurrences(of: "fast", with: "slow"))
        != fingerprint(withEnv))
  }

  @Test func builtinKindVersionAndConfigChangeIt() throws {
    struct Versioned: StageKind {
      let name = "record"
      var version: Int
      func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
        var reader = config
        let n = reader.value("n") ?? .null
        try reader.finish()
        return n
      }
    }
    func builtin(version: Int, n: Int) throws -> Digest {
      let text = "stages:\n  s:\n    uses: record\n    with: {n: \(n)}\n    outs: [o]\n"
      let pipeline = try expand(text, registry: StageKindRegistry([Versioned(version: version)]))
      return Fingerprint.of(try pipeline.stage("s"), dependencyDigests: [:])
    }
    #expect(try builtin(version: 1, n: 1) == builtin(version: 1, n: 1))
    #expect(try builtin(version: 2, n: 1) != builtin(version: 1, n: 1))
    #expect(try builtin(version: 1, n: 2) != builtin(version: 1, n: 1))
  }

  @Test func stageNameDescriptionAndResourcesDoNotChangeIt() throws {
    #expect(try fingerprint(edited("  s:", "  renamed:"), stage: "renamed") == fingerprint())
    let decorated = edited(
      "outs: [out.txt]", "outs: [out.txt]\n    desc: hello\n    resources: {cpus: 4}")
    #expect(try fingerprint(decorated) == fingerprint())
  }

  @Test func matrixCellDoesNotChangeIt() throws {
    let matrix = """
      stages:
        m:
          matrix: {k: [x, y]}
          cmd: run
          outs: ["o-${matrix.k}"]
      """
    let plain = "stages:\n  m:\n    cmd: run\n    outs: [o-x]\n"
    #expect(
      try fingerprint(matrix, digests: [:], stage: "m@k=x")
        == fingerprint(plain, digests: [:], stage: "m"))
    #expect(
      try fingerprint(matrix, digests: [:], stage: "m@k=y")
        != fingerprint(plain, digests: [:], stage: "m"))
  }

  @Test func unusedParamsDoNotChangeIt() throws {
    let text = Self.base.replacingOccurrences(of: "params: {", with: "params: {q: 1, ")
    #expect(try fingerprint(text) == fingerprint())
    #expect(try fingerprint(text, overrides: ["q=2"]) == fingerprint())
  }

  @Test func lengthPrefixesStopACommandFromForgingOtherLines() throws {
    // Unprefixed, both would encode as "command a\nenv X c\n".
    let forged = "stages:\n  s:\n    cmd: \"a\\nenv X c\"\n    outs: [o]\n"
    let honest = "stages:\n  s:\n    cmd: a\n    env: {X: c}\n    outs: [o]\n"
    #expect(try fingerprint(forged, digests: [:]) != fingerprint(honest, digests: [:]))
    let encoding = Fingerprint.encoding(of: try expand(forged).stage("s"), dependencyDigests: [:])
    #expect(encoding.hasPrefix("fairflow-fingerprint 1 sha256\ncommand 9:a\nenv X c\n"))
  }
}
