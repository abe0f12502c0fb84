import FairflowBase
import FairflowCore
import Foundation
import Testing

/// A built-in kind for tests: reads `count` (int), `label` (string, optional) and `extra`
/// (anything), and rejects other keys.
struct RecordingKind: StageKind {
  let name = "record"
  let version = 3

  func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let count = try reader.int("count")
    let label = try reader.string("label", default: "none")
    let extra = reader.value("extra") ?? .null
    try reader.finish()
    return .map([("count", .int(count)), ("label", .string(label)), ("extra", extra)])
  }
}

@Suite struct PipelineExpanderTests {
  static let registry = StageKindRegistry([RecordingKind()])

  @Test func matrixExpandsInDeclarationOrderWithFirstAxisSlowest() throws {
    let pipeline = try expand(
      """
      stages:
        train:
          matrix: {lr: [0.1, 0.01], seed: [1, 2]}
          cmd: train --lr ${matrix.lr} --seed ${matrix.seed} > m-${matrix.lr}-${matrix.seed}
          outs:
            - m-${matrix.lr}-${matrix.seed}
      """)
    #expect(
      pipeline.stages.map(\.name) == [
        "train@lr=0.1,seed=1", "train@lr=0.1,seed=2", "train@lr=0.01,seed=1",
        "train@lr=0.01,seed=2",
      ])
    let last = try pipeline.stage("train@lr=0.01,seed=2")
    #expect(last.action == .command("train --lr 0.01 --seed 2 > m-0.01-2"))
    #expect(last.outputs.map(\.path) == ["m-0.01-2"])
    #expect(last.matrix.map { "\($0.key)=\($0.value.canonicalText)" } == ["lr=0.01", "seed=2"])
    #expect(pipeline.stages.allSatisfy { $0.template == "train" })
    #expect(
      pipeline.stages.allSatisfy {
        $0.location == SourceLocation(file: testFile, line: 2, column: 3)
      })
  }

  @Test func matrixStagesStayInPlaceAmongOtherStages() throws {
    let pipeline = try expand(
      """
      stages:
        first: {cmd: x, outs: [a]}
        middle:
          matrix: {name: [b, a], fast: [true, false]}
          cmd: x
          outs: ["${matrix.name}-${matrix.fast}.out"]
        last: {cmd: x, outs: [z]}
      """)
    #expect(
      pipeline.stages.map(\.name) == [
        "first", "middle@name=b,fast=true", "middle@name=b,fast=false", "middle@name=a,fast=true",
        "middle@name=a,fast=false", "last",
      ])
    #expect(try pipeline.stage("first").matrix.isEmpty)
    #expect(try pipeline.stage("first").template == "first")
  }

  @Test func wholeValueInterpolationInWithKeepsTheType() throws {
    let pipeline = try expand(
      """
      params: {n: 3, model: {lr: 0.5, layers: [64, 32]}, unused: 9}
      stages:
        convert:
          matrix: {seed: [7]}
          uses: record
          with:
            count: ${params.n}
            label: run-${params.n}-${matrix.seed}
            extra:
              model: ${params.model}
              seed: ${matrix.seed}
              layers: ["${params.model.layers}", "${params.model.lr}x"]
          outs: [o]
      """, registry: Self.registry)
    let stage = try pipeline.stage("convert@seed=7")
    let config = Value.map([
      ("count", .int(3)), ("label", .string("run-3-7")),
      (
        "extra",
        .map([
          ("model", .map([("lr", .double(0.5)), ("layers", .list([.int(64), .int(32)]))])),
          ("seed", .int(7)), ("layers", .list([.list([.int(64), .int(32)]), .string("0.5x")])),
        ])
      ),
    ])
    #expect(stage.action == .builtin(kind: "record", version: 3, config: config))
    #expect(stage.displayCommand == "uses: record")
    #expect(stage.params.map(\.name) == ["model", "model.layers", "model.lr", "n"])
  }

  @Test func builtinConfigErrorsPointAtWith() throws {
    let text = """
      params: {name: x}
      stages:
        convert:
          uses: record
          with: {count: "${params.name}"}
          outs: [o]
      """
    #expect(
      errorText { _ = try expand(text, registry: Self.registry) } == """
        pipelines/test.yaml:5:11: error: expected an integer for 'count' of stage 'convert', found "x"
                with: {count: "${params.name}"}
                      ^
        """)
    let typo = text.replacingOccurrences(
      of: #"{count: "${params.name}"}"#, with: "{count: 1, lable: y}")
    #expect(
      errorText { _ = try expand(typo, registry: Self.registry) } == """
        pipelines/test.yaml:5:11: error: unknown key 'lable' in 'with' of stage 'convert'
                with: {count: 1, lable: y}
                      ^
        hint: did you mean 'label'?
        """)
    let missing = text.replacingOccurrences(of: #"{count: "${params.name}"}"#, with: "{label: y}")
    #expect(
      errorText { _ = try expand(missing, registry: Self.registry) } == """
        pipelines/test.yaml:5:11: error: 'with' of stage 'convert' needs 'count'
                with: {label: y}
                      ^
        """)
    let kind = typo.replacingOccurrences(of: "uses: record", with: "uses: recrod")
    #expect(
      errorText { _ = try expand(kind, registry: Self.registry) } == """
        pipelines/test.yaml:4:11: error: unknown stage kind 'recrod' in stage 'convert'
                uses: recrod
                      ^
        hint: did you mean 'record'?
        """)
  }

  @Test func configSuggestionsDoNotDependOnHashOrder() {
    /// Reads six keys, each one edit from `cc`.
    struct TiedKeys: StageKind {
      let name = "tied"
      let version = 1
      func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
        var reader = config
        for key in ["cf", "cb", "ce", "ca", "cd", "cg"] { _ = reader.value(key) }
        try reader.finish()
        return .null
      }
    }
    let text = "stages:\n  s:\n    uses: tied\n    with: {cc: 1}\n    outs: [o]\n"
    // Ties go to the first key in name order, whatever order a set happens to iterate in (each
    // expansion builds fresh sets, so repeating gives other orders a chance to show).
    for _ in 0..<20 {
      #expect(
        errorText { _ = try expand(text, registry: StageKindRegistry([TiedKeys()])) } == """
          pipelines/test.yaml:4:11: error: unknown key 'cc' in 'with' of stage 's'
                  with: {cc: 1}
                        ^
          hint: did you mean 'ca'?
          """)
    }
  }

  @Test func pathListsAreShellQuoted() throws {
    let pipeline = try expand(
      """
      stages:
        s:
          cmd: run ${deps} -- ${outs} -- ${metrics}
          deps: ["my data.csv", ./x/../y.txt, "it's.txt"]
          outs: [out dir/r.txt, plain/file-1.txt]
          metrics: [m.json]
      """)
    let stage = try pipeline.stage("s")
    #expect(
      stage.action
        == .command(
          "run 'my data.csv' y.txt 'it'\\''s.txt' -- 'out dir/r.txt' plain/file-1.txt -- m.json"))
    #expect(stage.deps == ["my data.csv", "y.txt", "it's.txt"])
    #expect(stage.outputs.map(\.path) == ["out dir/r.txt", "plain/file-1.txt", "m.json"])
    #expect(stage.outputs.map(\.isMetric) == [false, false, true])
  }

  @Test func pathsAreNormalisedAndDuplicateDepsMerged() throws {
    let pipeline = try expand(
      """
      stages:
        s:
          cmd: x
          deps: [./data//a.csv, data/a.csv, data/sub/../b.csv]
          outs: [out/]
      """)
    let stage = try pipeline.stage("s")
    #expect(stage.deps == ["data/a.csv", "data/b.csv"])
    #expect(stage.outputs.map(\.path) == ["out"])
  }

  @Test func paramsAreTrackedOnlyWhenReferencedOrListed() throws {
    let pipeline = try expand(
      """
      params: {a: 1, b: 2, c: 3, model: {lr: 0.5, depth: 4}}
      stages:
        s:
          cmd: run ${params.model.lr}
          params: [b]
          outs: [o]
        t:
          cmd: run ${params.model}
          outs: [p]
      """)
    let s = try pipeline.stage("s")
    #expect(s.params.map(\.name) == ["b", "model.lr"])
    #expect(s.params.map(\.value) == [.int(2), .double(0.5)])
    #expect(try pipeline.stage("t").params.map(\.name) == ["model"])
    #expect(try pipeline.stage("t").action == .command("run {\"depth\":4,\"lr\":0.5}"))
  }

  @Test func overridesAreTypedAndMayBeNested() throws {
    let text = """
      params: {n: 1, rate: 0.1, flag: false, name: x, model: {lr: 0.5}}
      stages:
        s:
          cmd: echo ${params.n} ${params.rate} ${params.flag} ${params.name} ${params.model.lr} > o
          outs: [o]
      """
    let pipeline = try expand(
      text, overrides: ["n=7", "rate=2.5", "flag=true", "name=y z", "model.lr=1e-3"])
    let stage = try pipeline.stage("s")
    #expect(stage.action == .command("echo 7 2.5 true y z 0.001 > o"))
    #expect(
      stage.params.map { "\($0.name)=\($0.value.canonicalText)" } == [
        "flag=true", "model.lr=0.001", "n=7", "name=\"y z\"", "rate=2.5",
      ])
    func n(_ overrides: String...) throws -> Value? {
      try expand(text, overrides: overrides).stage("s").params.first { $0.name == "n" }?.value
    }
    #expect(try n("n=x") == .string("x"))
    #expect(try n("n=-4") == .int(-4))
    #expect(try n("n=1", "n=2") == .int(2))
    #expect(try n() == .int(1))
  }

  @Test func overrideErrorsListParametersOrExplainTheSyntax() {
    let text = """
      params: {epochs: 1, model: {lr: 0.5}}
      stages:
        s: {cmd: "echo ${params.epochs}", outs: [o]}
      """
    #expect(
      errorText { _ = try expand(text, overrides: ["zzzzzz=3"]) } == """
        error: unknown parameter 'zzzzzz' in -p zzzzzz=3 (pipeline pipelines/test.yaml)
        hint: declared parameters: epochs, model
        """)
    #expect(
      errorText { _ = try expand(text, overrides: ["=3"]) } == """
        error: invalid parameter override '=3'
        hint: write -p NAME=VALUE
        """)
    #expect(
      errorText { _ = try expand(text, overrides: ["epochs"]) } == """
        error: invalid parameter override 'epochs'
        hint: write -p NAME=VALUE
        """)
  }

  /// A pipeline whose parameter `x` is written as `value` (unquoted).
  static func withParameter(_ value: String) -> String {
    "params:\n  x: \(value)\nstages:\n  s:\n    cmd: echo ${params.x} > o\n    outs: [o]\n"
  }

  /// `-p x=TEXT` and `x: TEXT` in the file are typed by the same code: one value, one fingerprint.
  @Test(arguments: [
    ("yes", Value.bool(true)), ("No", .bool(false)), ("True", .bool(true)), ("TRUE", .bool(true)),
    ("false", .bool(false)), ("off", .bool(false)), ("1e3", .double(1000)), (".5", .double(0.5)),
    ("-2.5E-3", .double(-0.0025)), ("1.", .double(1)), ("42", .int(42)), ("+5", .int(5)),
    ("0x1F", .int(31)), ("1_000", .int(1000)), ("null", .null), ("~", .null), ("NULL", .null),
    ("y", .string("y")), ("1e", .string("1e")), ("2024-01-02", .string("2024-01-02")),
    ("a b", .string("a b")), ("nan", .string("nan")),
  ])
  func overridesAreTypedAsThePipelineFileTypesTheSameText(_ text: String, _ expected: Value)
    throws
  {
    let written = try expand(Self.withParameter(text)).stage("s")
    let overridden = try expand(Self.withParameter("0"), overrides: ["x=\(text)"]).stage("s")
    #expect(written.params.map(\.value) == [expected])
    #expect(overridden.params.map(\.value) == [expected])
    #expect(
      Fingerprint.of(overridden, dependencyDigests: [:])
        == Fingerprint.of(written, dependencyDigests: [:]))
  }

  /// What YAML would read as a list, a mapping or a comment stays one string on the command line.
  @Test(arguments: ["[1, 2]", "{a: 1}", "a #b", "'q'", "*x", " 1"])
  func overridesAreAlwaysOneScalar(_ text: String) throws {
    let stage = try expand(Self.withParameter("0"), overrides: ["x=\(text)"]).stage("s")
    #expect(stage.params.map(\.value) == [.string(text)])
  }

  @Test func overridesThatYAMLCannotHoldAreRefusedLikeTheFileRefusesThem() {
    #expect(
      errorText {
        _ = try expand(Self.withParameter("0"), overrides: ["x=99999999999999999999"])
      } == """
        error: integer '99999999999999999999' does not fit in 64 bits in -p x=99999999999999999999
        hint: -p values are typed like unquoted values in the pipeline file; there, quote it to use it as a string
        """)
    #expect(
      errorText { _ = try expand(Self.withParameter("0"), overrides: ["x=-.inf"]) } == """
        error: number '-.inf' is not a finite 64-bit float in -p x=-.inf
        hint: -p values are typed like unquoted values in the pipeline file; there, quote it to use it as a string
        """)
    #expect(
      errorText { _ = try expand(Self.withParameter("-.inf")) } == """
        pipelines/test.yaml:2:6: error: number '-.inf' is not a finite 64-bit float
              x: -.inf
                 ^
        hint: lock files and provenance are JSON, which has no infinity or NaN; quote it to use it as a string
        """)
  }

  /// `nope` is not a typo of `n`: no "did you mean" for a much shorter name.
  @Test func noSuggestionMuchShorterThanTheWord() {
    let text = "params: {n: 1}\nstages:\n  s:\n    cmd: echo ${params.nope}\n    outs: [o]\n"
    #expect(
      errorText { _ = try expand(text) } == """
        pipelines/test.yaml:4:15: error: unknown parameter 'nope' in '${params.nope}'
                cmd: echo ${params.nope}
                          ^
        """)
    #expect(
      errorText { _ = try expand(text, overrides: ["nope=2"]) } == """
        error: unknown parameter 'nope' in -p nope=2 (pipeline pipelines/test.yaml)
        hint: declared parameters: n
        """)
    #expect(
      errorText { _ = try expand("stages:\n  s:\n    cmd: x\n    nope: 1\n    outs: [o]\n") } == """
        pipelines/test.yaml:4:5: error: unknown key 'nope' in stage 's'
                nope: 1
                ^
        hint: valid keys are: cmd, uses, with, deps, outs, metrics, params, env, resources, always_run, matrix, desc, executor, deterministic, tolerance
        """)
  }

  @Test func shellVariablesPassThrough() throws {
    let pipeline = try expand(
      """
      stages:
        s:
          cmd: echo ${HOME} $USER ${X:-default} > o
          outs: [o]
      """)
    #expect(try pipeline.stage("s").action == .command("echo ${HOME} $USER ${X:-default} > o"))
  }

  @Test func pipelineEnvIsOverriddenByStageEnvAndSorted() throws {
    let pipeline = try expand(
      """
      params: {level: 3}
      env: {B: "1", A: top}
      stages:
        s:
          cmd: "true"
          outs: [o]
          env: {A: stage, C: "${params.level}"}
      """)
    let stage = try pipeline.stage("s")
    #expect(stage.env.map { "\($0.name)=\($0.value)" } == ["A=stage", "B=1", "C=3"])
    #expect(stage.params.map(\.name) == ["level"])
  }

  @Test func stageKeepsResourcesFlagsAndDescription() throws {
    let pipeline = try expand(
      """
      pipeline: demo
      stages:
        s:
          desc: Says hello
          cmd: echo hi
          always_run: true
          resources: {cpus: 4, memory: 1K}
      """)
    #expect(pipeline.name == "demo")
    let stage = try pipeline.stage("s")
    #expect(stage.description == "Says hello")
    #expect(stage.alwaysRun)
    #expect(stage.outputs.isEmpty)
    #expect(stage.resources == Resources(cpus: 4, memoryBytes: 1024))
    #expect(!stage.isRestorable)
  }
}
