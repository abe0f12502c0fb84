internal import FairflowBase
internal import Foundation
internal import ModelImport
internal import NeuralKit

/// Runs one model's requests in batches on a thread of its own (never an event loop, never the
/// cooperative pool): `BatchQueue` decides, this class sleeps, concatenates the batch's rows,
/// runs `ModelImporter.Model.predict` once and hands each request its own rows.
///
/// A row's output does not depend on the rows it is batched with (deterministic kernels,
/// docs/decisions/013): ServeTests checks every row of a batched run against the same row run
/// alone, bit for bit.
final class DynamicBatcher: @unchecked Sendable {
  /// Gets the request's output rows `[rows] + output row shape`.
  typealias Completion = @Sendable (Tensor) -> Void

  struct Job {
    let inputs: [Tensor]
    let rows: Int
    let completion: Completion
  }

  let model: ServedModel
  private let metrics: ServerMetrics
  private let condition = NSCondition()
  private var queue: BatchQueue<Job>
  private var draining = false
  private var stopped = false
  private var running = 0
  /// Requests announced by `arriving`, not yet queued.
  private var incoming = 0

  init(model: ServedModel, limits: ServeLimits, metrics: ServerMetrics) {
    self.model = model
    self.metrics = metrics
    queue = BatchQueue(
      maxBatch: limits.maxBatch, maxDelay: limits.maxQueueDelay, maxRows: limits.maxQueueRows)
    let thread = Thread { [self] in loop() }
    thread.name = "serve-\(model.name)"
    thread.start()
  }

  /// A request for this model was read and is being decoded: it may join the next batch
  /// (`submit` or `abandon` follows).
  func arriving() {
    condition.lock()
    incoming += 1
    condition.unlock()
  }

  /// A request announced by `arriving` will not come (it was refused).
  func abandon() {
    condition.lock()
    incoming -= 1
    condition.signal()
    condition.unlock()
  }

  /// Queues a request (announced by `arriving` when `announced`); false when the queue is full
  /// (the caller answers 503).
  func submit(
    _ inputs: [Tensor], rows: Int, announced: Bool = false,
    completion: @escaping Completion
  ) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    if announced {
      incoming -= 1
      condition.signal()
    }
    guard !stopped,
      queue.enqueue(
        Job(inputs: inputs, rows: rows, completion: completion), rows: rows,
        now: MonotonicClock.now())
    else { return false }
    condition.signal()
    return true
  }

  /// Runs what is queued without waiting for batches to fill (SIGTERM).
  func drain() {
    condition.lock()
    draining = true
    condition.signal()
    condition.unlock()
  }

  /// Whether nothing is queued or running.
  var isIdle: Bool {
    condition.lock()
    defer { condition.unlock() }
    return queue.isEmpty && running == 0
  }

  /// Ends the thread once the queue is empty.
  func stop() {
    condition.lock()
    stopped = true
    condition.signal()
    condition.unlock()
  }

  private func loop() {
    while true {
      condition.lock()
      var jobs: [Job] = []
      while jobs.isEmpty {
        switch queue.next(now: MonotonicClock.now(), arriving: incoming, draining: draining) {
        case .idle:
          if stopped {
            condition.unlock()
            return
          }
          condition.wait()
        case .wait(let until):
          _ = condition.wait(until: Date(timeIntervalSinceNow: until - MonotonicClock.now()))
        case .run(let batch):
          jobs = batch
        }
      }
      running += 1
      condition.unlock()
      run(jobs)
      condition.lock()
      running -= 1
      condition.unlock()
    }
  }

  private func run(_ jobs: [Job]) {
    let rows = jobs.reduce(0) { $0 + $1.rows }
    metrics.recordBatch(model: model.name, rows: rows)
    let output: Tensor
    if jobs.count == 1 {
      output = model.model.predict(jobs[0].inputs, batchSize: rows)
    } else {
      let inputs = model.inputs.indices.map { i in
        var data: [Float] = []
        data.reserveCapacity(rows * model.inputs[i].rowCount)
        for job in jobs { data += job.inputs[i].data }
        return Tensor(shape: [rows] + model.inputs[i].rowShape, data: data)
      }
      output = model.model.predict(inputs, batchSize: rows)
    }
    let width = model.output.rowCount
    var start = 0
    for job in jobs {
      let part = Array(output.data[(start * width)..<((start + job.rows) * width)])
      job.completion(Tensor(shape: [job.rows] + model.output.rowShape, data: part))
      start += job.rows
    }
  }
}
