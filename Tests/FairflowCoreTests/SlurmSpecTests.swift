import FairflowBase
import FairflowCore
import Testing

/// `executor:`, `resources: {time: …}` and the `slurm:` section.
@Suite struct SlurmSpecTests {
  static let text = """
    pipeline: cluster
    slurm:
      partition: gpu
      account: proj42
      qos: normal
      time: "02:00:00"
      options: [--constraint=a100, --exclusive]
    stages:
      train:
        matrix: {seed: [1, 2]}
        cmd: python train.py ${matrix.seed}
        outs: ["model-${matrix.seed}.bin"]
        executor: slurm
        resources: {cpus: 8, mem: 16G, gpus: 1, time: 90m}
      plot:
        cmd: python plot.py
        deps: [model-1.bin]
        outs: [plot.svg]
        executor: local
        resources: {time: 30}
      other:
        cmd: touch other
        outs: [other]
    """

  @Test func stagesCarryExecutorAndTimeAndThePipelineItsSlurmSection() throws {
    let pipeline = try expand(Self.text)
    #expect(
      pipeline.slurm
        == SlurmSettings(
          partition: "gpu", account: "proj42", qos: "normal", defaultTimeSeconds: 7200,
          options: ["--constraint=a100", "--exclusive"]))
    let train = try pipeline.stage("train@seed=2")
    #expect(train.executor == .slurm)
    #expect(
      train.resources
        == Resources(cpus: 8, memoryBytes: 16 << 30, gpus: 1, timeSeconds: 5400))
    #expect(try pipeline.stage("plot").executor == .local)
    #expect(try pipeline.stage("plot").resources.timeSeconds == 1800)
    #expect(try pipeline.stage("other").executor == nil)
  }

  @Test func whereAStageRunsIsNotPartOfItsFingerprint() throws {
    let plain = try expand(
      "stages:\n  a:\n    cmd: touch a\n    outs: [a]\n")
    let placed = try expand(
      "slurm: {partition: p}\nstages:\n  a:\n    cmd: touch a\n    outs: [a]\n    executor: slurm\n    resources: {time: 5, cpus: 4}\n"
    )
    let digest = { (pipeline: Pipeline) in
      Fingerprint.encoding(of: try pipeline.stage("a"), dependencyDigests: [:])
    }
    #expect(try digest(plain) == digest(placed))
  }

  @Test func snapshotKeepsTheNewFields() throws {
    let (pipeline, graph) = try graph(Self.text)
    let key = Digest.of("slurm")
    let (decoded, _) = try #require(
      Snapshot.decodePipeline(Snapshot.encode(pipeline, graph: graph, key: key), key: key))
    #expect(decoded.slurm == pipeline.slurm)
    for (a, b) in zip(decoded.stages, pipeline.stages) {
      #expect(a.executor == b.executor)
      #expect(a.resources == b.resources)
    }
    let bare = try expand("stages:\n  a:\n    cmd: touch a\n    outs: [a]\n")
    let bareGraph = try Graph(bare)
    let (decodedBare, _) = try #require(
      Snapshot.decodePipeline(Snapshot.encode(bare, graph: bareGraph, key: key), key: key))
    #expect(decodedBare.slurm == SlurmSettings())
    #expect(decodedBare.stages[0].executor == nil)
    #expect(decodedBare.stages[0].resources.timeSeconds == nil)
  }

  @Test func mistakesPointAtTheLine() throws {
    let unknown = errorText {
      _ = try load("stages:\n  a:\n    cmd: x\n    outs: [a]\n    executor: slrum\n")
    }
    #expect(unknown?.contains("pipelines/test.yaml:5:15: error: unknown executor 'slrum'") == true)
    #expect(unknown?.contains("did you mean 'slurm'") == true)
    let time = errorText {
      _ = try load("stages:\n  a:\n    cmd: x\n    outs: [a]\n    resources: {time: soon}\n")
    }
    #expect(time?.contains("invalid time limit 'soon'") == true)
    let key = errorText {
      _ = try load("slurm: {partiton: gpu}\nstages:\n  a:\n    cmd: x\n    outs: [a]\n")
    }
    #expect(key?.contains("did you mean 'partition'") == true)
  }

  @Test func timeLimitsInSlurmAndUnitForms() {
    #expect(TimeLimit.parse("30") == 1800)
    #expect(TimeLimit.parse("10:30") == 630)
    #expect(TimeLimit.parse("02:00:00") == 7200)
    #expect(TimeLimit.parse("1-12") == 129_600)
    #expect(TimeLimit.parse("1-00:30") == 88_200)
    #expect(TimeLimit.parse("2-01:00:05") == 176_405)
    #expect(TimeLimit.parse("90s") == 90)
    #expect(TimeLimit.parse("1.5h") == 5400)
    #expect(TimeLimit.parse("2d") == 172_800)
    for bad in ["", "0", "soon", "1:2:3:4", "-5", "5x", "0s", "1-"] {
      #expect(TimeLimit.parse(bad) == nil, "\(bad)")
    }
    #expect(TimeLimit.slurmText(59) == "00:00:59")
    #expect(TimeLimit.slurmText(5400) == "01:30:00")
    #expect(TimeLimit.slurmText(176_405) == "2-01:00:05")
  }
}
