internal import COpenBLAS
internal import Glibc

func cExp(_ x: Double) -> Double { Glibc.exp(x) }

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

public enum Training {
  /// BLAS threads (default: OpenBLAS's own choice, the number of cores).
  public static func setThreads(_ n: Int) { openblas_set_num_threads(Int32(n)) }

  /// Stops OpenBLAS's worker threads, which its library constructor starts in every process
  /// that links it and which then spin in `sched_yield` for a while: a command that does no
  /// linear algebra (`run`, `status`, …) must not busy-wait on a core the stages need. The
  /// first threaded BLAS call starts them again.
  public static func stopIdleThreads() { blas_thread_shutdown_() }

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

  /// One pass over `data` in mini-batches shuffled with `generator` (Fisher–Yates); returns the
  /// mean training loss. Same seed and thread count ⇒ the same weights, bit for bit.
  public static func epoch(
    _ model: InteractionNetwork, _ data: JetSet, batchSize: Int,
    optimizer: inout some Optimizer, generator: inout SeededGenerator
  ) -> Double {
    var order = Array(0..<data.count)
    if order.count > 1 {
      for i in stride(from: order.count - 1, to: 0, by: -1) {
        order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
      }
    }
    var total = 0.0
    var batches = 0
    for start in stride(from: 0, to: order.count, by: batchSize) {
      let batch = data.rows(order[start..<min(order.count, start + batchSize)])
      let tape = Tape()
      let loss = tape.softmaxCrossEntropy(
        model(tape, tracks: batch.tracks, vertices: batch.vertices), labels: batch.labels)
      total += Double(tape.value(loss).data[0])
      batches += 1
      tape.backward(from: loss)
      optimizer.step(model.parameters)
    }
    return total / Double(max(batches, 1))
  }

  /// Softmax probabilities `[N, classes]`, computed in batches.
  public static func predict(_ model: InteractionNetwork, _ data: JetSet, batchSize: Int = 256)
    -> [[Float]]
  {
    var out: [[Float]] = []
    for start in stride(from: 0, to: data.count, by: batchSize) {
      let batch = data.rows(Array(0..<data.count)[start..<min(data.count, start + batchSize)])
      let logits = model.infer(tracks: batch.tracks, vertices: batch.vertices)
      let c = logits.columns
      for i in 0..<logits.rows {
        let row = Array(logits.data[(i * c)..<((i + 1) * c)])
        let m = row.max()!
        let e = row.map { Float(Double($0 - m).exponential) }
        let s = e.reduce(0, +)
        out.append(e.map { $0 / s })
      }
    }
    return out
  }
}

extension Double {
  var exponential: Double {
    // exp via the C library without importing Foundation into the public interface.
    cExp(self)
  }
}
