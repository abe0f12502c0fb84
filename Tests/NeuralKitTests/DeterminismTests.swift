import FairflowBase
import FairflowCore
import Foundation
import NeuralKit
import Testing

/// NeuralKit's reproducibility guarantee: the same inputs, seed and batch size give the same bits
/// at any thread count, SIMD width and CPU. Serialized: the SIMD-width hook is process-wide (the
/// other suites' results do not depend on it, so they may run beside this one).
@Suite(.serialized) struct DeterminismTests {
  /// The widths this CPU can run, narrowest first (always includes the scalar path).
  static var widths: [Int] { [1, 4, 8, 16].filter { $0 <= Kernels.widestSIMDWidth } }

  /// Runs `body` at each SIMD width, restoring the default afterwards.
  static func atEachWidth<T>(_ body: () -> T) -> [(width: Int, result: T)] {
    defer { Kernels.setSIMDWidth(0) }
    return widths.map { w in
      #expect(Kernels.setSIMDWidth(w) == w)
      return (w, body())
    }
  }

  static func random(_ n: Int, _ g: inout SeededGenerator) -> [Float] {
    (0..<n).map { _ in g.uniform(-2, 2) }
  }

  /// The reference: each element summed from its start value in k order, one correctly rounded
  /// fused multiply-add per step (Swift's `addingProduct`) — written independently of CKernels.
  static func reference(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, _ a: [Float], lda: Int, _ b: [Float],
    ldb: Int, _ c: [Float], ldc: Int, accumulate: Bool
  ) -> [Float] {
    var out = c
    for i in 0..<m {
      for j in 0..<n {
        var acc: Float = accumulate ? c[i * ldc + j] : 0
        for p in 0..<k {
          let x = transA ? a[p * lda + i] : a[i * lda + p]
          let y = transB ? b[j * ldb + p] : b[p * ldb + j]
          acc = acc.addingProduct(x, y)
        }
        out[i * ldc + j] = acc
      }
    }
    return out
  }

  @Test func gemmEqualsTheFixedOrderReferenceBitForBitAtEveryWidth() {
    var g = SeededGenerator(seed: 42)
    // Shapes covering every panel (32, 16, 8, 4 and scalar columns), row tails, K blocks (> 256)
    // and the degenerate K = 0.
    let shapes = [
      (1, 1, 1), (5, 3, 7), (4, 32, 9), (7, 61, 13), (9, 20, 300), (3, 2, 517),
      (13, 45, 0), (33, 17, 64),
    ]
    for (m, n, k) in shapes {
      for transA in [false, true] {
        for transB in [false, true] {
          for accumulate in [false, true] {
            let lda = (transA ? m : k) + 3
            let ldb = (transB ? k : n) + 2
            let ldc = n + 1
            let a = Self.random((transA ? k : m) * lda, &g)
            let b = Self.random((transB ? n : k) * ldb, &g)
            let c = Self.random(m * ldc, &g)
            let expected = Self.reference(
              transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c,
              ldc: ldc, accumulate: accumulate)
            for (w, out) in Self.atEachWidth({ () -> [Float] in
              var out = c
              Kernels.sgemm(
                transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, &out,
                ldc: ldc, accumulate: accumulate)
              return out
            }) {
              #expect(
                out.map(\.bitPattern) == expected.map(\.bitPattern),
                "\(m)×\(n)×\(k) transA \(transA) transB \(transB) accumulate \(accumulate) width \(w)"
              )
            }
          }
        }
      }
    }
  }

  /// Units in the last place between a Float result and the exact (Double) value.
  static func ulps(_ x: Float, _ exact: Double) -> Double {
    if exact == 0 { return x == 0 ? 0 : .infinity }
    let e = Float(exact)
    let ulp = Double(e.isFinite ? e.ulp : Float.greatestFiniteMagnitude.ulp)
    return abs(Double(x) - exact) / ulp
  }

  @Test func elementaryFunctionsAreAccurateAgainstTheDoubleLibm() {
    var g = SeededGenerator(seed: 5)
    func check(
      _ name: String, _ f: (Float) -> Float, _ exact: (Double) -> Double, _ lo: Float, _ hi: Float,
      limit: Double
    ) {
      var worst = 0.0
      var at: Float = 0
      var points = (0..<20_000).map { _ in g.uniform(lo, hi) }
      points += (0..<2_000).map { _ in g.uniform(-1, 1) * Float(g.next() % 30) / 29 }
      for x in points where x >= lo && x <= hi {
        let e = Self.ulps(f(x), exact(Double(x)))
        if e > worst { (worst, at) = (e, x) }
      }
      #expect(worst <= limit, "\(name): \(worst) ulp at \(at)")
    }
    check("exp", { Kernels.exp($0) }, Foundation.exp, -87, 88, limit: 1.5)
    check("expm1", Kernels.expm1, Foundation.expm1, -20, 20, limit: 2)
    check("log", { Kernels.log($0) }, Foundation.log, 1e-30, 1e30, limit: 1.5)
    check("log near 1", { Kernels.log($0) }, Foundation.log, 0.5, 2, limit: 1.5)
    check("tanh", Kernels.tanh, Foundation.tanh, -10, 10, limit: 2.5)
    check("sigmoid", Kernels.sigmoid, { 1 / (1 + Foundation.exp(-$0)) }, -80, 80, limit: 2.5)
    // Special values.
    let exp: (Float) -> Float = Kernels.exp
    let log: (Float) -> Float = Kernels.log
    #expect(
      exp(0) == 1 && exp(-.infinity) == 0 && exp(.infinity).isInfinite)
    #expect(exp(89) == .infinity && exp(-104) == 0 && exp(-.nan).isNaN)
    #expect(exp(-100) > 0 && exp(-100) < Float.leastNormalMagnitude)
    #expect(log(1) == 0 && log(0) == -.infinity && log(-1).isNaN)
    #expect(
      Self.ulps(
        log(Float.leastNonzeroMagnitude),
        Foundation.log(Double(Float.leastNonzeroMagnitude))) <= 1)
    #expect(Kernels.tanh(30) == 1 && Kernels.tanh(-30) == -1 && Kernels.tanh(1e-20) == 1e-20)
    #expect(Kernels.sigmoid(-200) == 0 && Kernels.sigmoid(200) == 1 && Kernels.sigmoid(0) == 0.5)
  }

  @Test func doublePrecisionFunctionsAreAccurateAgainstTheLibm() {
    var g = SeededGenerator(seed: 6)
    func uniform(_ lo: Double, _ hi: Double) -> Double {
      lo + (hi - lo) * Double(g.next() >> 11) / Double(1 << 53)
    }
    func ulps(_ x: Double, _ exact: Double) -> Double { abs(x - exact) / exact.ulp }
    var worst = (exp: 0.0, log: 0.0, trig: 0.0)
    for _ in 0..<50_000 {
      let x = uniform(-700, 700)
      worst.exp = max(worst.exp, ulps(Kernels.exp(x), Foundation.exp(x)))
      let y = Foundation.exp(uniform(-700, 700))
      worst.log = max(worst.log, ulps(Kernels.log(y), Foundation.log(y)))
      let u = uniform(-4, 4)
      // libm's sin(π·u) carries the rounding of π and of π·u (up to ≈ 1.4e-15 for |u| ≤ 4).
      worst.trig = max(
        worst.trig, abs(Kernels.sinPi(u) - Foundation.sin(Double.pi * u)) / 1e-16,
        abs(Kernels.cosPi(u) - Foundation.cos(Double.pi * u)) / 1e-16)
    }
    #expect(worst.exp <= 1.5, "exp: \(worst.exp) ulp")
    #expect(worst.log <= 1.5, "log: \(worst.log) ulp")
    #expect(worst.trig <= 20, "sinPi/cosPi: \(worst.trig)e-16")
    #expect(Kernels.sinPi(1) == 0 && Kernels.cosPi(0.5) == 0 && Kernels.cosPi(2) == 1)
    #expect(Kernels.sinPi(0.5) == 1 && Kernels.cosPi(1) == -1 && Kernels.sinPi(1.5) == -1)
    #expect(Kernels.exp(0.0) == 1 && Kernels.log(1.0) == 0 && Kernels.exp(710.0) == .infinity)
    #expect(Kernels.log(0.0) == -.infinity && Kernels.log(-1.0).isNaN && Kernels.exp(-746.0) == 0)
    #expect(ulps(Kernels.log(Double.leastNonzeroMagnitude), -744.4400719213812) <= 1)
  }

  static func trainInteractionNetwork(threads: Int) -> [UInt8] {
    let model = InteractionNetwork(TrainingTests.small, seed: 7)
    var optimizer = Adam(learningRate: 1e-2, weightDecay: 1e-4)
    var g = SeededGenerator(seed: 8)
    let data = TrainingTests.jets(100, seed: 9)
    for _ in 0..<2 {
      _ = Training.epoch(
        model, data, batchSize: 30, optimizer: &optimizer, generator: &g, threads: threads)
    }
    return model.checkpoint(metadata: [("seed", "7")]).safetensors
  }

  static func trainBraggNN(threads: Int) -> [UInt8] {
    var g = SeededGenerator(seed: 3)
    let (patches, targets) = BraggNNTests.blobs(40, &g)
    let model = BraggNN(seed: 4)
    var optimizer = Adam(learningRate: 3e-3)
    _ = Training.epoch(
      model, patches: patches, targets: targets, batchSize: 20, optimizer: &optimizer,
      generator: &g, threads: threads)
    return model.checkpoint().safetensors
  }

  @Test func anyThreadCountGivesTheBitsOfOneThread() {
    let one = Self.trainInteractionNetwork(threads: 1)
    for threads in [2, 3, 4] {
      #expect(Self.trainInteractionNetwork(threads: threads) == one, "\(threads) threads")
    }
    let bragg = Self.trainBraggNN(threads: 1)
    for threads in [2, 3, 4] {
      #expect(Self.trainBraggNN(threads: threads) == bragg, "BraggNN, \(threads) threads")
    }
  }

  @Test func everySIMDWidthGivesTheSameBits() {
    let runs = Self.atEachWidth {
      (Self.trainInteractionNetwork(threads: 2), Self.trainBraggNN(threads: 2))
    }
    for run in runs.dropFirst() {
      #expect(run.result.0 == runs[0].result.0, "interaction network at width \(run.width)")
      #expect(run.result.1 == runs[0].result.1, "BraggNN at width \(run.width)")
    }
  }

  /// The golden digests: every machine that runs these tests — x86-64 with or without AVX-512,
  /// arm64 — must train exactly these models. A change here is a change of the numerics: say so
  /// in the commit and regenerate README's tables.
  @Test func goldenDigests() {
    #expect(
      Digest.of(Self.trainInteractionNetwork(threads: 3)).hex
        == "bbebc0f9f38ab5d398328f760a182e954a72ab28747f648223bf49c66cd09239",
      "interaction network on \(Kernels.widestSIMDWidth)-wide SIMD")
    #expect(
      Digest.of(Self.trainBraggNN(threads: 3)).hex
        == "a0f3cd5ebef118440f509385749c45abf86cf95b93bbd47dbcc6fe97211c7c1a",
      "BraggNN on \(Kernels.widestSIMDWidth)-wide SIMD")
  }

  @Test func inferenceDoesNotDependOnThreadsOrChunks() {
    let model = InteractionNetwork(TrainingTests.small, seed: 3)
    let data = TrainingTests.jets(37, seed: 4)
    let one = model.infer(tracks: data.tracks, vertices: data.vertices, chunk: 2, threads: 1)
    for (chunk, threads) in [(1, 3), (5, 2), (37, 4), (2, 8)] {
      let other = model.infer(
        tracks: data.tracks, vertices: data.vertices, chunk: chunk, threads: threads)
      #expect(
        other.data.map(\.bitPattern) == one.data.map(\.bitPattern),
        "chunk \(chunk) threads \(threads)")
    }
    let bragg = BraggNN(seed: 2)
    var g = SeededGenerator(seed: 1)
    let patches = Tensor(
      shape: [23, 1, 11, 11], data: (0..<(23 * 121)).map { _ in g.uniform(0, 1) })
    let p1 = Training.predict(bragg, patches: patches, batchSize: 256, threads: 1)
    #expect(Training.predict(bragg, patches: patches, batchSize: 5, threads: 3) == p1)
    // The tape-free path (predict) gives the tape's forward bits.
    let tape = Tape()
    let forward = tape.value(bragg(tape, patches: patches)).data
    #expect(p1.map(\.bitPattern) == forward.map(\.bitPattern))
  }
}
