// Times NeuralKit: inference throughput of the interaction network or BraggNN at a batch size and
// thread count, or one training epoch of the interaction network. Prints one JSON line.
// Built with FAIRFLOW_BENCH_OPENBLAS=1 it measures the OpenBLAS baseline instead: OpenBLAS's own
// threads do the parallel work there (the product before the deterministic kernels).
// Also writes the same model (fixed seed) as ONNX for the onnxruntime side of Benchmarks/neural.
// `--engine onnx` times that ONNX file run by fairflow's ONNXInterpreter instead of NeuralKit.
//
//   NeuralBenchmark infer --model in|braggnn --batch B --threads T --seconds S [--onnx PATH]
//                         [--engine native|onnx]
//   NeuralBenchmark train --jets N --batch B --threads T
import FairflowBase
import ModelImport
import NeuralKit
import Foundation

var arguments = Array(CommandLine.arguments.dropFirst())
let mode = arguments.isEmpty ? "infer" : arguments.removeFirst()
var parsed: [String: String] = [:]
while arguments.count >= 2 { parsed[arguments.removeFirst()] = arguments.removeFirst() }
let options = parsed
@MainActor func int(_ key: String, _ fallback: Int) -> Int { Int(options[key] ?? "") ?? fallback }

let threads = int("--threads", 1)
let openblas = Kernels.backend == "openblas"
Kernels.setBLASThreads(threads)
// In the OpenBLAS build, parallelism is OpenBLAS's (as before the deterministic kernels).
let workers = openblas ? 1 : threads
Training.reuseLargeAllocations()
var g = SeededGenerator(seed: 99)

@MainActor func now() -> Double { Date().timeIntervalSinceReferenceDate }

if mode == "train" {
  let n = int("--jets", 2048)
  let model = InteractionNetwork(seed: 1)
  let c = model.configuration
  let set = JetSet(
    tracks: Tensor(
      shape: [n, c.trackFeatures, c.tracks],
      data: (0..<(n * c.trackFeatures * c.tracks)).map { _ in g.uniform(-1, 1) }),
    vertices: Tensor(
      shape: [n, c.vertexFeatures, c.vertices],
      data: (0..<(n * c.vertexFeatures * c.vertices)).map { _ in g.uniform(-1, 1) }),
    labels: (0..<n).map { $0 % 2 })
  var adam = Adam(learningRate: 1e-3)
  let start = now()
  let loss = Training.epoch(
    model, set, batchSize: int("--batch", 128), optimizer: &adam, generator: &g, threads: workers)
  let digest = model.parameters.reduce(into: UInt64(0xcbf2_9ce4_8422_2325)) { h, p in
    for v in p.value.data { h = (h ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
  }
  print(
    "{\"seconds\": \(now() - start), \"jets\": \(n), \"loss\": \(loss), "
      + "\"weights\": \"\(String(digest, radix: 16))\", \"backend\": \"\(Kernels.backend)\", "
      + "\"simd\": \(Kernels.simdWidth)}")
  exit(0)
}

let batch = int("--batch", 128)
let seconds = Double(options["--seconds"] ?? "2") ?? 2
var samples = 0
var elapsed = 0.0
if options["--engine"] == "onnx" {
  let braggnn = options["--model"] == "braggnn"
  let bytes = braggnn ? BraggNN(seed: 1).onnx() : InteractionNetwork(seed: 1).onnx()
  if let path = options["--onnx"] { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
  let interpreter = try ONNXInterpreter(bytes)
  func uniform(_ shape: [Int], _ lo: Float, _ hi: Float) -> Tensor {
    Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.uniform(lo, hi) })
  }
  let c = InteractionNetwork.Configuration()
  let feeds =
    braggnn
    ? ["patch": uniform([batch, 1, 11, 11], 0, 1)]
    : [
      "tracks": uniform([batch, c.trackFeatures, c.tracks], -1, 1),
      "vertices": uniform([batch, c.vertexFeatures, c.vertices], -1, 1),
    ]
  _ = try interpreter.run(feeds)
  let start = now()
  while now() - start < seconds || samples == 0 {
    _ = try interpreter.run(feeds)
    samples += batch
  }
  elapsed = now() - start
} else if options["--model"] == "braggnn" {
  let model = BraggNN(seed: 1)
  if let path = options["--onnx"] { try Data(model.onnx()).write(to: URL(fileURLWithPath: path)) }
  let x = Tensor(shape: [batch, 1, 11, 11], data: (0..<(batch * 121)).map { _ in g.uniform(0, 1) })
  _ = Training.predict(model, patches: x, batchSize: batch, threads: workers)
  let start = now()
  while now() - start < seconds || samples == 0 {
    _ = Training.predict(model, patches: x, batchSize: batch, threads: workers)
    samples += batch
  }
  elapsed = now() - start
} else {
  let model = InteractionNetwork(seed: 1)
  if let path = options["--onnx"] { try Data(model.onnx()).write(to: URL(fileURLWithPath: path)) }
  let c = model.configuration
  let t = Tensor(
    shape: [batch, c.trackFeatures, c.tracks],
    data: (0..<(batch * c.trackFeatures * c.tracks)).map { _ in g.uniform(-1, 1) })
  let v = Tensor(
    shape: [batch, c.vertexFeatures, c.vertices],
    data: (0..<(batch * c.vertexFeatures * c.vertices)).map { _ in g.uniform(-1, 1) })
  @MainActor func once() { _ = model.infer(tracks: t, vertices: v, threads: workers) }
  once()
  let start = now()
  while now() - start < seconds || samples == 0 {
    once()
    samples += batch
  }
  elapsed = now() - start
}
print("{\"samples_per_second\": \(Double(samples) / elapsed)}")
