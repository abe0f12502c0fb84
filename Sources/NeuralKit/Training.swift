public import FairflowBase
internal import Glibc

/// Jets for the interaction network: tracks `[N, P, Nt]`, vertices `[N, S, Nv]` (feature-major)
/// and class labels.
public struct JetSet: Sendable {
  public var tracks: Tensor
  public var vertices: Tensor
  public var labels: [Int]

  public init(tracks: Tensor, vertices: Tensor, labels: [Int]) {
    precondition(tracks.shape[0] == labels.count && vertices.shape[0] == labels.count)
    self.tracks = tracks
    self.vertices = vertices
    self.labels = labels
  }

  public var count: Int { labels.count }

  /// Rows `indices`, in that order.
  public func rows(_ indices: ArraySlice<Int>) -> JetSet {
    func take(_ t: Tensor) -> Tensor {
      let row = t.columns
      var data: [Float] = []
      data.reserveCapacity(indices.count * row)
      for i in indices { data += t.data[(i * row)..<((i + 1) * row)] }
      return Tensor(shape: [indices.count] + t.shape.dropFirst(), data: data)
    }
    return JetSet(
      tracks: take(tracks), vertices: take(vertices), labels: indices.map { labels[$0] })
  }
}

/// Training and batched inference. Results depend on the data, the seed and the batch size only:
/// any thread count, SIMD width or CPU gives the same bits (see `Kernels`).
///
/// A training step splits its batch into micro-batches of `microBatch` samples, runs each one's
/// forward and backward pass on its own tape — on up to `threads` threads, without a lock — and
/// sums their losses and parameter gradients in micro-batch order. Memory per thread is bounded
/// by one micro-batch's activations.
public enum Training {
  /// Samples per micro-batch of a training step. Part of the numerics (it fixes the order in
  /// which a batch's gradient is summed), so it is a constant, not a setting.
  public static let microBatch = 8

  /// Keeps freed activation buffers in the heap for reuse instead of returning every large
  /// array to the kernel (glibc unmaps allocations above 128 KiB by default, and each step's
  /// fresh pages then cost page faults — a third of a training step's time before this).
  public static func reuseLargeAllocations() {
    _ = allocatorConfigured
  }

  private static let allocatorConfigured: Bool = {
    // glibc's mallopt with M_MMAP_THRESHOLD (-3) and M_TRIM_THRESHOLD (-1); <malloc.h> is not
    // part of Swift's Glibc module, so it is looked up at run time (absent elsewhere: no-op).
    typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else {
      return false
    }
    let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
    _ = mallopt(-3, 1 << 30)
    _ = mallopt(-1, 1 << 30)
    return true
  }()

  /// `0..<n` shuffled with `generator` (Fisher–Yates).
  static func shuffled(_ n: Int, _ generator: inout SeededGenerator) -> [Int] {
    var order = Array(0..<n)
    if n > 1 {
      for i in stride(from: n - 1, to: 0, by: -1) {
        order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
      }
    }
    return order
  }

  /// The forward and backward passes of one step over `samples` samples: micro-batches on up to
  /// `threads` threads, each building `loss(tape, sampleRange, samples)` (the batch's summed loss
  /// divided by `samples`), then losses and gradients summed in micro-batch order into
  /// `Parameter.grad`. Returns the batch loss.
  public static func accumulateGradients(
    _ parameters: [Parameter], samples: Int, threads: Int,
    loss: (Tape, Range<Int>, Int) -> Tape.Variable
  ) -> Double {
    let chunks = (samples + microBatch - 1) / microBatch
    var losses = [Double](repeating: 0, count: chunks)
    var gradients = [[[Float]]](repeating: [], count: chunks)
    losses.withUnsafeMutableBufferPointer { lossSlots in
      gradients.withUnsafeMutableBufferPointer { gradientSlots in
        Kernels.parallelFor(chunks, threads: threads) { chunk in
          let range = (chunk * microBatch)..<min(samples, (chunk + 1) * microBatch)
          let tape = Tape()
          let value = loss(tape, range, samples)
          lossSlots[chunk] = Double(tape.value(value).data[0])
          gradientSlots[chunk] = tape.gradients(from: value, of: parameters)
        }
      }
    }
    for (index, parameter) in parameters.enumerated() {
      parameter.grad.withUnsafeMutableBufferPointer { total in
        for chunk in gradients {
          chunk[index].withUnsafeBufferPointer { g in
            for i in 0..<total.count { total[i] += g[i] }
          }
        }
      }
    }
    var total = 0.0
    for value in losses { total += value }
    return total
  }

  /// One pass over `data` in mini-batches shuffled with `generator` (Fisher–Yates); returns the
  /// mean training loss. Same data, seed and batch size ⇒ the same weights, bit for bit, at any
  /// thread count (default: every core).
  /// `progress(batch, batches, mean loss so far)` after each batch.
  public static func epoch(
    _ model: InteractionNetwork, _ data: JetSet, batchSize: Int,
    optimizer: inout some Optimizer, generator: inout SeededGenerator,
    threads: Int = Kernels.defaultThreads,
    progress: (Int, Int, Double) -> Void = { _, _, _ in }
  ) -> Double {
    let order = shuffled(data.count, &generator)
    let parameters = model.parameters
    var total = 0.0
    var batches = 0
    for start in stride(from: 0, to: order.count, by: batchSize) {
      let rows = order[start..<min(order.count, start + batchSize)]
      total += accumulateGradients(parameters, samples: rows.count, threads: threads) {
        tape, range, samples in
        let base = rows.startIndex
        let chunk = data.rows(rows[(base + range.lowerBound)..<(base + range.upperBound)])
        return tape.softmaxCrossEntropy(
          model(tape, tracks: chunk.tracks, vertices: chunk.vertices), labels: chunk.labels,
          normalizer: samples)
      }
      batches += 1
      optimizer.step(parameters)
      progress(batches, (order.count + batchSize - 1) / max(batchSize, 1), total / Double(batches))
    }
    return total / Double(max(batches, 1))
  }

  /// Softmax probabilities `[N, classes]`, `batchSize` samples at a time (a memory bound; the
  /// results do not depend on it), each batch on up to `threads` threads.
  public static func predict(
    _ model: InteractionNetwork, _ data: JetSet, batchSize: Int = 256,
    threads: Int = Kernels.defaultThreads
  ) -> [[Float]] {
    var out: [[Float]] = []
    out.reserveCapacity(data.count)
    for start in stride(from: 0, to: data.count, by: max(batchSize, 1)) {
      let batch = data.rows(Array(start..<min(data.count, start + max(batchSize, 1)))[...])
      out += probabilities(
        model.infer(tracks: batch.tracks, vertices: batch.vertices, threads: threads))
    }
    return out
  }

  /// Row-wise softmax of logits `[N, C]` (`Kernels.softmax`).
  static func probabilities(_ logits: Tensor) -> [[Float]] {
    let c = logits.columns
    return (0..<logits.rows).map { i in
      var row = Array(logits.data[(i * c)..<((i + 1) * c)])
      row.withUnsafeMutableBufferPointer { _ = Kernels.softmax($0.baseAddress!, count: c) }
      return row
    }
  }
}
