internal import CKernels
internal import Glibc

extension Kernels {
  /// Every core this process may run on (its affinity mask): the default thread count of
  /// training and inference.
  public static var cores: Int { Int(ffk_cores()) }

  /// The thread count training and inference use when not told: `FAIRFLOW_THREADS` from the
  /// environment (a pipeline's `env:` can set it per stage), else every core. It never changes
  /// a result, only how fast it comes.
  public static var defaultThreads: Int {
    if let text = getenv("FAIRFLOW_THREADS").map({ String(cString: $0) }), let n = Int(text), n > 0
    {
      return n
    }
    return cores
  }

  /// Runs `body(i)` once for each `i` in `0..<count` on up to `threads` threads (the caller is
  /// one of them); returns when all are done. Index `i` goes to thread `i mod threads`, so what
  /// an index computes must not depend on which thread runs it — callers write each index's
  /// result to its own slot and combine the slots in index order afterwards. No lock is taken.
  public static func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let t = min(max(threads, 1), count)
    guard t > 1 else {
      for i in 0..<count { body(i) }
      return
    }
    withoutActuallyEscaping(body) { body in
      let job = ParallelJob(body: body, count: count, threads: t)
      var workers: [pthread_t] = []
      for w in 1..<t {
        let context = Unmanaged.passRetained(ParallelWorker(job: job, first: w)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(
          &thread, nil,
          { raw in
            Unmanaged<ParallelWorker>.fromOpaque(raw!).takeRetainedValue().run()
            return nil
          }, context)
        if status == 0 {
          workers.append(thread)
        } else {  // no thread to be had: do that share here
          Unmanaged<ParallelWorker>.fromOpaque(context).takeRetainedValue().run()
        }
      }
      ParallelWorker(job: job, first: 0).run()
      for thread in workers { pthread_join(thread, nil) }
    }
  }
}

private final class ParallelJob: @unchecked Sendable {
  let body: (Int) -> Void
  let count: Int
  let threads: Int
  init(body: @escaping (Int) -> Void, count: Int, threads: Int) {
    (self.body, self.count, self.threads) = (body, count, threads)
  }
}

private final class ParallelWorker: @unchecked Sendable {
  let job: ParallelJob
  let first: Int
  init(job: ParallelJob, first: Int) { (self.job, self.first) = (job, first) }
  func run() { for i in stride(from: first, to: job.count, by: job.threads) { job.body(i) } }
}
