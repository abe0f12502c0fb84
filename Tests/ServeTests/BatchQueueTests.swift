import Testing

@testable import Serve

/// The dynamic batcher's decisions, driven step by step with a fake clock.
@Suite struct BatchQueueTests {
  func enqueue<T>(_ q: inout BatchQueue<T>, _ item: T, rows: Int, now: Double) -> Bool {
    q.enqueue(item, rows: rows, now: now)
  }

  @Test func waitsForTheOldestDeadlineThenRunsWhatIsQueued() {
    var q = BatchQueue<String>(maxBatch: 4, maxDelay: 0.002, maxRows: 100)
    guard case .idle = q.next(now: 0) else { Issue.record("not idle"); return }
    #expect(enqueue(&q, "a", rows: 1, now: 0))
    guard case .wait(let until) = q.next(now: 0.0005) else { Issue.record("no wait"); return }
    #expect(until == 0.002)
    #expect(enqueue(&q, "b", rows: 2, now: 0.001))
    guard case .run(let batch) = q.next(now: 0.002) else { Issue.record("no run"); return }
    #expect(batch == ["a", "b"])
    #expect(q.queuedRows == 0)
  }

  @Test func runsAtOnceWhenFullAndNeverSplitsARequest() {
    var q = BatchQueue<String>(maxBatch: 4, maxDelay: 1, maxRows: 100)
    #expect(enqueue(&q, "a", rows: 1, now: 0))
    #expect(enqueue(&q, "b", rows: 2, now: 0))
    #expect(enqueue(&q, "c", rows: 2, now: 0))
    // a + b = 3 rows; c does not fit: the batch is full without waiting.
    guard case .run(let first) = q.next(now: 0) else { Issue.record("no run"); return }
    #expect(first == ["a", "b"])
    #expect(enqueue(&q, "big", rows: 9, now: 0))
    guard case .run(let second) = q.next(now: 0) else { Issue.record("no run"); return }
    #expect(second == ["c"])
    guard case .run(let third) = q.next(now: 0) else { Issue.record("no run"); return }
    #expect(third == ["big"])
  }

  @Test func boundsQueuedRowsAndRunsAtOnceWhileDraining() {
    var q = BatchQueue<Int>(maxBatch: 64, maxDelay: 10, maxRows: 5)
    #expect(enqueue(&q, 1, rows: 3, now: 0))
    #expect(!enqueue(&q, 2, rows: 3, now: 0))
    #expect(enqueue(&q, 3, rows: 2, now: 0))
    guard case .wait = q.next(now: 1) else { Issue.record("no wait"); return }
    guard case .run(let batch) = q.next(now: 1, draining: true) else {
      Issue.record("no run")
      return
    }
    #expect(batch == [1, 3])
  }

  @Test func runsAtOnceWhenNothingElseIsArriving() {
    var q = BatchQueue<String>(maxBatch: 4, maxDelay: 1, maxRows: 100)
    #expect(enqueue(&q, "a", rows: 1, now: 0))
    guard case .wait = q.next(now: 0, arriving: 2) else { Issue.record("no wait"); return }
    guard case .run(let batch) = q.next(now: 0, arriving: 0) else { Issue.record("no run"); return }
    #expect(batch == ["a"])
  }
}
