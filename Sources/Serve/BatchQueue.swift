/// The dynamic batcher's decisions, as a pure state machine (no threads, no clock of its own:
/// `now` is passed in), so that tests drive it step by step.
///
/// Requests wait in arrival order. A batch is the longest prefix of the queue whose rows fit in
/// `maxBatch` (a request larger than `maxBatch` runs alone, never split). The batch runs as soon
/// as it is full (the next request would not fit, or it has `maxBatch` rows), or when its oldest
/// request has waited `maxDelay` seconds, or when no other request for the model is arriving
/// (read but still being decoded: waiting would delay this one for nothing), or at once while the
/// server drains. Otherwise the worker waits until the oldest request's deadline.
///
///     arrivals:  a(1 row)  b(2)   c(1)        | maxBatch 4, maxDelay 2 ms
///     t = 0.0 ms a queued → wait until 2.0 ms
///     t = 0.5 ms b queued → 3 rows, not full → wait until 2.0 ms
///     t = 0.9 ms c queued → 4 rows, full → run [a, b, c]
///
/// (while other requests for the model are arriving; with none arriving, `a` runs at once).
///
/// Queued rows are bounded by `maxRows`: `enqueue` refuses what would pass it.
struct BatchQueue<Item> {
  struct Pending {
    let item: Item
    let rows: Int
    let arrival: Double
  }

  /// What the worker does next.
  enum Decision {
    /// Nothing queued: sleep until something is.
    case idle
    /// Sleep until this time (or until something is queued) and ask again.
    case wait(until: Double)
    /// Run these together (in order).
    case run([Item])
  }

  let maxBatch: Int
  let maxDelay: Double
  let maxRows: Int
  private var pending: [Pending] = []
  private var head = 0
  /// Rows waiting.
  private(set) var queuedRows = 0

  init(maxBatch: Int, maxDelay: Double, maxRows: Int) {
    (self.maxBatch, self.maxDelay, self.maxRows) = (max(1, maxBatch), max(0, maxDelay), maxRows)
  }

  var isEmpty: Bool { head == pending.count }

  /// Queues `item` of `rows` rows arrived at `now`; false (and nothing queued) when the queue
  /// would hold more than `maxRows` rows.
  mutating func enqueue(_ item: Item, rows: Int, now: Double) -> Bool {
    guard queuedRows + rows <= maxRows || isEmpty else { return false }
    pending.append(Pending(item: item, rows: rows, arrival: now))
    queuedRows += rows
    return true
  }

  /// The next step at time `now`, with `arriving` requests on their way to the queue;
  /// `draining` runs what is queued without waiting.
  mutating func next(now: Double, arriving: Int = 1, draining: Bool = false) -> Decision {
    guard !isEmpty else { return .idle }
    var end = head
    var rows = 0
    while end < pending.count, end == head || rows + pending[end].rows <= maxBatch {
      rows += pending[end].rows
      end += 1
    }
    let full = rows >= maxBatch || end < pending.count
    let deadline = pending[head].arrival + maxDelay
    guard full || draining || arriving == 0 || now >= deadline else {
      return .wait(until: deadline)
    }
    let batch = pending[head..<end].map(\.item)
    queuedRows -= rows
    head = end
    if head > 64, head * 2 > pending.count {
      pending.removeFirst(head)
      head = 0
    }
    return .run(batch)
  }
}
