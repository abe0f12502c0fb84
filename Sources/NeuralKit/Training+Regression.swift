public import FairflowBase

extension Training {
  /// One pass of BraggNN over patches `[N, 1, P, P]` and targets `[N, 2]` (MSE), in seeded
  /// shuffled mini-batches; returns the mean loss. `progress(batch, batches, loss)` is called
  /// after each batch.
  public static func epoch(
    _ model: BraggNN, patches: Tensor, targets: Tensor, batchSize: Int,
    optimizer: inout some Optimizer, generator: inout SeededGenerator,
    threads: Int = Kernels.defaultThreads, progress: (Int, Int, Double) -> Void = { _, _, _ in }
  ) -> Double {
    let n = patches.shape[0]
    let order = shuffled(n, &generator)
    let parameters = model.parameters
    let per = patches.columns
    var total = 0.0
    let batches = (n + batchSize - 1) / batchSize
    for (k, start) in stride(from: 0, to: n, by: batchSize).enumerated() {
      let rows = order[start..<min(n, start + batchSize)]
      let value = accumulateGradients(parameters, samples: rows.count, threads: threads) {
        tape, range, samples in
        var x: [Float] = []
        var y: [Float] = []
        x.reserveCapacity(range.count * per)
        for r in rows[(rows.startIndex + range.lowerBound)..<(rows.startIndex + range.upperBound)] {
          x += patches.data[(r * per)..<((r + 1) * per)]
          y += targets.data[(r * 2)..<(r * 2 + 2)]
        }
        return tape.meanSquaredError(
          model(tape, patches: Tensor(shape: [range.count] + patches.shape.dropFirst(), data: x)),
          Tensor(shape: [range.count, 2], data: y), normalizer: 2 * samples)
      }
      total += value
      optimizer.step(parameters)
      progress(k + 1, batches, value)
    }
    return total / Double(max(batches, 1))
  }

  /// BraggNN outputs `[N, 2]`, `batchSize` patches at a time split over up to `threads`
  /// threads (each patch's output is independent of the others: no bit depends on either).
  public static func predict(
    _ model: BraggNN, patches: Tensor, batchSize: Int = 256, threads: Int = Kernels.defaultThreads
  ) -> [Float] {
    let n = patches.shape[0]
    let per = patches.columns
    var out = [Float](repeating: 0, count: 2 * n)
    // Pieces of at most 32 patches keep one piece's activations in cache.
    let piece = max(1, min(max(batchSize, 1), 32, (n + max(threads, 1) - 1) / max(threads, 1)))
    let pieces = (n + piece - 1) / piece
    out.withUnsafeMutableBufferPointer { out in
      Kernels.parallelFor(pieces, threads: threads) { index in
        let start = index * piece
        let rows = min(n, start + piece) - start
        let y = patches.data.withUnsafeBufferPointer {
          model.infer(
            patches: UnsafeBufferPointer(rebasing: $0[(start * per)..<((start + rows) * per)]),
            batch: rows)
        }
        for i in 0..<(2 * rows) { out[2 * start + i] = y[i] }
      }
    }
    return out
  }
}

extension BraggNN {
  public func checkpoint(metadata: [(String, String)] = []) -> (json: String, safetensors: [UInt8])
  {
    let tensors = parameters.map { ($0.name, $0.value) }
    let json = Value.map([
      ("schema", .string("fairflow.model/1")), ("architecture", .string("braggnn")),
      (
        "configuration",
        .map([
          ("patch", .int(configuration.patch)),
          ("dense", .list(configuration.dense.map(Value.int))),
        ])
      ),
      ("parameters", .int(parameterCount)),
      (
        "tensors",
        .list(
          tensors.map {
            .map([("name", .string($0.0)), ("shape", .list($0.1.shape.map(Value.int)))])
          })
      ),
      (
        "inputs",
        .list([
          ModelIO.input(
            "patch", [1, configuration.patch, configuration.patch], features: [],
            layout: "NCHW [batch, 1, P, P]")
        ])
      ),
      (
        "outputs",
        .list([
          ModelIO.input("ploc", [2], features: ["x", "y"], layout: "[batch, 2], peak centre / P")
        ])
      ),
      ("normalisation", .string("per-patch min-max to [0, 1] before the model")),
    ]).prettyJSON
    return (json, SafeTensors.encode(tensors, metadata: metadata))
  }

  public func load(safetensors bytes: [UInt8]) throws(CheckpointError) {
    try NeuralKit.load(parameters, from: bytes)
  }
}
