import FairflowBase
import FairflowCore
import Foundation
import Testing

@Suite struct PipelineLoaderTests {
  static let text = """
    pipeline: demo
    description: A small pipeline
    params:
      epochs: 30
      name: "007"
      model: {lr: 0.001, layers: [64, 32], dropout: ~}
    env: {PYTHONHASHSEED: "0"}
    stages:
      prepare:
        desc: Split the data
        cmd:
          - mkdir -p data
          - python split.py > data/split.csv
        deps: [raw.csv, split.py]
        outs:
          - data/split.csv
          - {path: data/cache.bin, cache: false}
          - path: logs
            persist: true
        env: {OMP_NUM_THREADS: 4, DEBUG: false}
        resources: {cpus: 2, memory: 1.5G, gpus: 1}
      report:
        cmd: python report.py
        deps: data/split.csv
        metrics: [metrics.json]
        params: [epochs]
        always_run: true
    """

  func stage(_ name: String, in spec: PipelineSpec) throws -> StageSpec {
    try #require(spec.stages.first { $0.name.value == name })
  }

  @Test func topLevelFieldsAreRead() throws {
    let spec = try load(Self.text)
    #expect(spec.file == "pipelines/test.yaml")
    #expect(spec.name == "demo")
    #expect(spec.description == "A small pipeline")
    #expect(spec.stages.map(\.name.value) == ["prepare", "report"])
    #expect(spec.env.map { "\($0.key.value)=\($0.value.value)" } == ["PYTHONHASHSEED=0"])
  }

  @Test func paramsKeepTheirYAMLTypesAndLocations() throws {
    let spec = try load(Self.text)
    #expect(spec.params.map(\.key) == ["epochs", "name", "model"])
    #expect(spec.params[0].value == .int(30))
    #expect(spec.params[1].value == .string("007"))  // quoted: stays text
    #expect(
      spec.params[2].value
        == .map([
          ("lr", .double(0.001)), ("layers", .list([.int(64), .int(32)])), ("dropout", .null),
        ]))
    #expect(spec.paramLocations["epochs"] == SourceLocation(file: testFile, line: 4, column: 3))
  }

  @Test func commandListIsJoinedWithAnd() throws {
    let prepare = try stage("prepare", in: load(Self.text))
    #expect(prepare.cmd?.value == "mkdir -p data && python split.py > data/split.csv")
    #expect(prepare.uses == nil)
    #expect(prepare.description == "Split the data")
  }

  @Test func outputsCarryCacheAndPersistFlags() throws {
    let prepare = try stage("prepare", in: load(Self.text))
    #expect(
      prepare.outs.map { "\($0.path.value) cache=\($0.cache) persist=\($0.persist)" } == [
        "data/split.csv cache=true persist=false",
        "data/cache.bin cache=false persist=false",
        "logs cache=true persist=true",
      ])
    #expect(prepare.outs[2].path.location == SourceLocation(file: testFile, line: 18, column: 15))
    #expect(prepare.metrics.isEmpty)
  }

  @Test func metricsParamsAndAlwaysRun() throws {
    let report = try stage("report", in: load(Self.text))
    #expect(report.metrics.map(\.path.value) == ["metrics.json"])
    #expect(report.outs.isEmpty)
    #expect(report.params.map(\.value) == ["epochs"])
    #expect(report.alwaysRun)
    #expect(try !stage("prepare", in: load(Self.text)).alwaysRun)
  }

  @Test func aSingleStringIsAOneElementList() throws {
    let report = try stage("report", in: load(Self.text))
    #expect(report.deps.map(\.value) == ["data/split.csv"])
    #expect(report.deps[0].location == SourceLocation(file: testFile, line: 24, column: 11))
  }

  @Test func stageEnvScalarsBecomeText() throws {
    let prepare = try stage("prepare", in: load(Self.text))
    #expect(
      prepare.env.map { "\($0.key.value)=\($0.value.value)" } == [
        "OMP_NUM_THREADS=4", "DEBUG=false",
      ])
  }

  @Test func resourcesAreRead() throws {
    let prepare = try stage("prepare", in: load(Self.text))
    #expect(prepare.resources == Resources(cpus: 2, memoryBytes: 1_610_612_736, gpus: 1))
    #expect(try stage("report", in: load(Self.text)).resources == Resources())
  }

  @Test(arguments: [
    ("512M", 512 << 20), ("4G", 4 << 30), ("1.5GiB", 3 << 29), ("100", 100), ("2k", 2048),
    ("1TB", 1 << 40), ("64MiB", 64 << 20), ("0", 0),
  ])
  func memorySizesUseBinaryUnits(_ written: String, _ bytes: Int) throws {
    let spec = try load(
      "stages:\n  a:\n    cmd: x\n    outs: [o]\n    resources: {memory: \(written)}\n")
    #expect(spec.stages[0].resources.memoryBytes == bytes)
    #expect(ByteSize.parse(written) == bytes)
  }

  @Test(arguments: ["lots", "-1G", "1.5.2G", "G", ""])
  func invalidMemorySizesAreRejected(_ written: String) {
    #expect(ByteSize.parse(written) == nil)
  }

  @Test func usesAndWithAreKeptForTheExpander() throws {
    let spec = try load(
      """
      stages:
        convert:
          uses: csv-to-parquet
          with: {src: in.csv, rows: 10}
          outs: [out.parquet]
      """)
    let convert = spec.stages[0]
    #expect(convert.cmd == nil)
    #expect(convert.uses?.value == "csv-to-parquet")
    #expect(convert.with?.value == .map([("src", .string("in.csv")), ("rows", .int(10))]))
    #expect(convert.with?.location == SourceLocation(file: testFile, line: 4, column: 11))
  }

  @Test func matrixKeepsAxesInDeclarationOrder() throws {
    let spec = try load(
      """
      stages:
        train:
          matrix: {seed: [3, 1], model: [small, "big"], fast: [true]}
          cmd: x
          outs: [o]
      """)
    let matrix = try #require(spec.stages[0].matrix)
    #expect(matrix.value.map(\.key) == ["seed", "model", "fast"])
    #expect(matrix.value[0].values == [.int(3), .int(1)])
    #expect(matrix.value[1].values == [.string("small"), .string("big")])
    #expect(matrix.value[2].values == [.bool(true)])
  }

  /// Stage names are `train@opt=adam,lr=0.1`: a value holding a separator would make two
  /// different cells look alike, so it is refused where it is written.
  @Test(arguments: [
    (#""sgd,momentum""#, "'sgd,momentum'", "','"),
    (#"lr=0.1"#, "'lr=0.1'", "'='"),
    (#"nets/small"#, "'nets/small'", "'/'"),
    (#"'big net'"#, "'big net'", "a space"),
    (#""a\tb""#, #""a\tb""#, "a tab"),
    (#""a\nb""#, #""a\nb""#, "a line break (U+000A)"),
    (#""\u00A0x""#, "'\u{A0}x'", "whitespace (U+00A0)"),
    (#""red\u001B[0m""#, #""red\u001b[0m""#, "a control character (U+001B)"),
  ])
  func matrixValuesThatWouldMakeStageNamesAmbiguousAreRefused(
    _ written: String, _ shown: String, _ character: String
  ) {
    let text =
      "stages:\n  train:\n    matrix:\n      opt: [adam, \(written)]\n    cmd: x\n"
      + "    outs: [\"m-${matrix.opt}\"]\n"
    #expect(
      errorText { _ = try load(text) } == """
        pipelines/test.yaml:4:19: error: matrix value \(shown) (entry 2 of matrix key 'opt') contains \(character)
                  opt: [adam, \(written)]
                              ^
        hint: matrix values become part of stage names (train@opt=...), so they cannot contain ',', '=', '/', whitespace or control characters; use a short label
        """)
  }

  @Test func matrixValuesWithOtherPunctuationStayValid() throws {
    let pipeline = try expand(
      """
      stages:
        train:
          matrix: {opt: [adam-w, v1.2, "a+b", "x@y", "50%", café], lr: [1.0e-5, -2]}
          cmd: x
          outs: ["m-${matrix.opt}-${matrix.lr}"]
      """)
    #expect(pipeline.stages.count == 12)
    #expect(pipeline.stages[0].name == "train@opt=adam-w,lr=1e-05")
    #expect(pipeline.stages[11].name == "train@opt=café,lr=-2")
  }

  @Test func alwaysRunStageNeedsNoOutputs() throws {
    let spec = try load("stages:\n  ping:\n    cmd: date\n    always_run: true\n")
    #expect(spec.stages[0].outs.isEmpty && spec.stages[0].alwaysRun)
  }

  @Test func errorsCarryLocationSourceLineAndHint() throws {
    let text = "stages:\n  a:\n    cmd: x\n    dpes: [b]\n    outs: [o]\n"
    do {
      _ = try PipelineLoader.load(text: text, file: testFile)
      Issue.record("accepted an unknown key")
    } catch {
      #expect(error.location == SourceLocation(file: testFile, line: 4, column: 5))
      #expect(error.problem == "unknown key 'dpes' in stage 'a'")
      #expect(error.sourceLine == "    dpes: [b]")
      #expect(error.hint == "did you mean 'deps'?")
      #expect(error.exitStatus == .invalidInput)
      #expect(
        error.description == """
          pipelines/test.yaml:4:5: error: unknown key 'dpes' in stage 'a'
                  dpes: [b]
                  ^
          hint: did you mean 'deps'?
          """)
    }
  }

  @Test func windowsLineEndingsKeepLinesCaretsAndColumns() {
    let crlf = { (text: String) in text.replacingOccurrences(of: "\n", with: "\r\n") }
    #expect(
      errorText { _ = try load(crlf("stages:\n  a:\n    cmd: x\n    dpes: [b]\n    outs: [o]\n")) }
        == """
        pipelines/test.yaml:4:5: error: unknown key 'dpes' in stage 'a'
                dpes: [b]
                ^
        hint: did you mean 'deps'?
        """)
    #expect(
      errorText {
        _ = try expand(
          crlf("params: {n: 1}\nstages:\n  a:\n    cmd: echo ${params.m}\n    outs: [o]\n"))
      } == """
        pipelines/test.yaml:4:15: error: unknown parameter 'm' in '${params.m}'
                cmd: echo ${params.m}
                          ^
        hint: did you mean 'n'?
        """)
    #expect(
      errorText { _ = try load(crlf("stages:\n  a:\n    cmd: x\n    outs: [o]\n    cmd: y\n")) }
        == """
        pipelines/test.yaml:5:5: error: duplicate key 'cmd' (first defined on line 3)
                cmd: y
                ^
        hint: each key may appear once in a mapping
        """)
  }

  /// YAML also breaks lines at a lone CR, NEL, LS and PS; the line shown must be the one meant.
  @Test(arguments: ["\r", "\u{85}", "\u{2028}", "\u{2029}"])
  func otherLineBreaksCountAsYAMLCountsThem(_ lineBreak: String) {
    let text = "# note\(lineBreak)stages:\n  a:\n    cmd: x\n    dpes: [b]\n    outs: [o]\n"
    #expect(
      errorText { _ = try load(text) } == """
        pipelines/test.yaml:5:5: error: unknown key 'dpes' in stage 'a'
                dpes: [b]
                ^
        hint: did you mean 'deps'?
        """)
  }

  @Test func controlCharactersAreLocatedAndNeverEchoedRaw() {
    #expect(
      errorText { _ = try load("stages:\n  a:\n    cmd: echo \u{1b}[31mred\n    outs: [o]\n") }
        == """
        pipelines/test.yaml:3:15: error: invalid YAML input: control characters are not allowed (found U+001B)
                cmd: echo \u{FFFD}[31mred
                          ^
        hint: remove it, or write it as an escape inside double quotes ("\\u001B")
        """)
    // Escaped inside double quotes, the same character is accepted.
    #expect(
      (try? load("stages:\n  a:\n    cmd: \"echo \\u001B[0m\"\n    outs: [o]\n"))?.stages[0].cmd?
        .value == "echo \u{1b}[0m")
  }

  @Test func caretCountsCombiningMarksAsPartOfTheirLetter() {
    // "é" written as e + U+0301: YAML counts two columns, the terminal shows one.
    #expect(
      errorText {
        _ = try expand("stages:\n  a:\n    cmd: \"e\u{301}cho ${params.x}\"\n    outs: [o]\n")
      }
        == """
        pipelines/test.yaml:3:17: error: unknown parameter 'x' in '${params.x}'
                cmd: "e\u{301}cho ${params.x}"
                           ^
        """)
  }

  @Test func longLinesAreCutAroundTheCaret() {
    let error = PipelineError(
      "bad", at: SourceLocation(file: "f", line: 1, column: 150),
      sourceLine: String(repeating: "a", count: 149) + "X" + String(repeating: "b", count: 150))
    let lines = error.message.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(
      lines[1] == "    …" + String(repeating: "a", count: 20) + "X"
        + String(repeating: "b", count: 79) + "…")
    #expect(lines[2] == "    " + String(repeating: " ", count: 21) + "^")
  }

  @Test func aliasBombsFailInsteadOfExhaustingMemory() {
    // Eight levels of ten aliases each: 10^8 values if expanded.
    var text = "params:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...7 {
      let items = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      text += "  a\(level): &a\(level) [\(items)]\n"
    }
    text += "stages:\n  s:\n    cmd: x\n    outs: [o]\n"
    let message = errorText { _ = try load(text) }
    #expect(
      message?.contains(
        "error: the YAML document is too large after expanding aliases (more than 2000000 nodes)")
        == true)
    #expect(
      message?.hasSuffix("hint: remove recursive or repeated anchors (&name / *name)") == true)
  }
}
