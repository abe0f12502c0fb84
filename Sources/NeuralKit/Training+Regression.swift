public import FairflowCore

extension Training {
  /// One pass of BraggNN over patches `[N, 1, P, P]` and targets `[N, 2]` (MSE), in seeded
  /// shuffled mini-batches; returns the mean loss. `progress(batch, batches, loss)` is called
  /// after each batch.
  public static func epoch(
    _ model: BraggNN, patches: Tensor, targets: Tensor, batchSize: Int,
    optimizer: inout some Optimizer, generator: inout SeededGenerator,
    progress: (Int, Int, Double) -> Void = { _, _, _ in }
  ) -> Double {
    let n = patches.shape[0]
    var order = Array(0..<n)
    if n > 1 {
      for i in stride(from: n - 1, to: 0, by: -1) {
        order.swapAt(i, Int(generator.next() % UInt64(i + 1)))
      }
    }
    let per = patches.columns
    var total = 0.0
    let batches = (n + batchSize - 1) / batchSize
    for (k, start) in stride(from: 0, to: n, by: batchSize).enumerated() {
      let rows = order[start..<min(n, start + batchSize)]
      var x: [Float] = []
      var y: [Float] = []
      x.reserveCapacity(rows.count * per)
      for r in rows {
        x += patches.data[(r * per)..<((r + 1) * per)]
        y += targets.data[(r * 2)..<(r * 2 + 2)]
      }
      let tape = Tape()
      let loss = tape.meanSquaredError(
        model(tape, patches: Tensor(shape: [rows.count] + patches.shape.dropFirst(), data: x)),
        Tensor(shape: [rows.count, 2], data: y))
      let value = Double(tape.value(loss).data[0])
      total += value
      tape.backward(from: loss)
      optimizer.step(model.parameters)
      progress(k + 1, batches, value)
    }
    return total / Double(max(batches, 1))
  }

  /// BraggNN outputs `[N, 2]`, in batches.
  public static func predict(_ model: BraggNN, patches: Tensor, batchSize: Int = 256) -> [Float] {
    let n = patches.shape[0]
    let per = patches.columns
    var out: [Float] = []
    for start in stride(from: 0, to: n, by: batchSize) {
      let rows = min(n, start + batchSize) - start
      let tape = Tape()
      out +=
        tape.value(
          model(
            tape,
            patches: Tensor(
              shape: [rows] + patches.shape.dropFirst(),
              data: Array(patches.data[(start * per)..<((start + rows) * per)])))
        ).data
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

  public func load(safetensors bytes: [UInt8]) throws(PipelineError) {
    try NeuralKit.load(parameters, from: bytes)
  }
}
