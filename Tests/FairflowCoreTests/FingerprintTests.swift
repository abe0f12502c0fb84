import FairflowCore
import Foundation
import Testing

@Suite struct FingerprintTests {
  static let base = """
    params: {p: {a: 1, b: 2}}
    stages:
      s:
        cmd: run ${params.p}
        deps: [in.txt]
        outs: [out.txt]
    """
  static let digests = ["in.txt": Digest.of("in")]

  func fingerprint(
    _ text: String, digests: [String: Digest] = digests, stage: String = "s",
    overrides: [String] = []
  ) throws -> Digest {
    Fingerprint.of(try expand(text, overrides: overrides).stage(stage), dependencyDigests: digests)
  }

  @Test func encodingNamesSchemaAndAlgorithm() throws {
    let encoding = Fingerprint.encoding(
      of: try expand(Self.base).stage("s"), dependencyDigests: Self.digests)
    #expect(encoding.hasPrefix("fairflow-fingerprint 1 sha256\ncommand 17:run {\"a\":1,\"b\":2}\n"))
    #expect(encoding.contains("dep 6:in.txt \(Digest.of("in").hex)\n"))
    #expect(encoding.hasSuffix("out 7:out.txt cache=1 persist=0 metric=0\n"))
  }

  @Test func mapKeyOrderDoesNotMatter() throws {
    let swapped = Self.base.replacingOccurrences(of: "{a: 1, b: 2}", with: "{b: 2, a: 1}")
    #expect(try fingerprint(Self.base) == fingerprint(swapped))
  }

  @Test func everyInputOfTheWorkChangesIt() throws {
    let original = try fingerprint(Self.base)
    #expect(try fingerprint(Self.base.replacingOccurrences(of: "run ", with: "run  ")) != original)
    #expect(try fingerprint(Self.base, overrides: ["p.a=3"]) != original)
    #expect(try fingerprint(Self.base, digests: ["in.txt": Digest.of("other")]) != original)
    #expect(
      try fingerprint(
        Self.base.replacingOccurrences(
          of: "outs: [out.txt]", with: "outs:\n      - {path: out.txt, cache: false}")) != original)
  }

  @Test func stageNameAndMatrixCellDoNotChangeIt() throws {
    let renamed = Self.base.replacingOccurrences(of: "  s:", with: "  renamed:")
    #expect(try fingerprint(renamed, stage: "renamed") == fingerprint(Self.base))
    let matrix = """
      stages:
        m:
          matrix: {k: [x]}
          cmd: run
          outs: [o]
      """
    let plain = "stages:\n  m:\n    cmd: run\n    outs: [o]\n"
    #expect(
      try fingerprint(matrix, digests: [:], stage: "m@k=x")
        == fingerprint(plain, digests: [:], stage: "m"))
  }
}
