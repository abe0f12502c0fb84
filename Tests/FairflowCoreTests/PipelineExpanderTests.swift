import FairflowCore
import Testing

@Suite struct PipelineExpanderTests {
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
    #expect(
      pipeline.stage("train@lr=0.01,seed=2").action
        == .command("train --lr 0.01 --seed 2 > m-0.01-2"))
    #expect(pipeline.stages.allSatisfy { $0.template == "train" })
  }

  @Test func pathListsAreShellQuotedAndParamsTrackedOnlyWhenUsed() throws {
    let pipeline = try expand(
      """
      params: {a: 1, b: 2, model: {lr: 0.5}}
      stages:
        s:
          cmd: run ${deps} ${outs} ${params.model.lr}
          deps: ["my data.csv", ./x/../y.txt]
          outs: [out dir/r.txt]
          metrics: [m.json]
          params: [b]
      """)
    let stage = pipeline.stage("s")
    #expect(stage.action == .command("run 'my data.csv' y.txt 'out dir/r.txt' 0.5"))
    #expect(stage.deps == ["my data.csv", "y.txt"])
    #expect(stage.params.map(\.name) == ["b", "model.lr"])
    #expect(stage.outputs.map(\.isMetric) == [false, true])
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
    #expect(pipeline.stage("s").action == .command("echo 7 2.5 true y z 0.001 > o"))
    #expect(pipeline.stage("s").params.first { $0.name == "n" }?.value == .int(7))
    #expect(throws: PipelineError.self) { try expand(text, overrides: ["nn=1"]) }
    #expect(throws: PipelineError.self) { try expand(text, overrides: ["=1"]) }
  }

  @Test func shellVariablesPassThrough() throws {
    let pipeline = try expand(
      """
      stages:
        s:
          cmd: echo ${HOME} $USER > o
          outs: [o]
      """)
    #expect(pipeline.stage("s").action == .command("echo ${HOME} $USER > o"))
  }

  @Test func pipelineEnvIsOverriddenByStageEnvAndSorted() throws {
    let pipeline = try expand(
      """
      env: {B: "1", A: top}
      stages:
        s:
          cmd: "true"
          outs: [o]
          env: {A: stage, C: 3}
      """)
    #expect(pipeline.stage("s").env.map { "\($0.name)=\($0.value)" } == ["A=stage", "B=1", "C=3"])
  }
}
