internal import Glibc

/// Runs blocking work (waiting for a child process, hashing and syncing outputs) on a thread of
/// its own and resumes the awaiting task when it is done.
///
/// Neither the cooperative pool (as wide as the machine has cores) nor Dispatch's global queues
/// (not more threads than cores doing work) may block: with `-j` above the core count, or
/// beside other blocked work, the next stage's bookkeeping would wait for an unrelated stage to
/// end. A thread costs tens of microseconds to start; a stage costs milliseconds.
package enum BlockingThread {
  package static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
      start { continuation.resume(returning: work()) }
    }
  }

  /// Starts `body` on a new detached thread (a small stack: the work is shallow).
  package static func start(_ body: @escaping @Sendable () -> Void) {
    final class Box: @unchecked Sendable {
      let body: @Sendable () -> Void
      init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    var attributes = pthread_attr_t()
    pthread_attr_init(&attributes)
    defer { pthread_attr_destroy(&attributes) }
    pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
    pthread_attr_setstacksize(&attributes, 1 << 20)
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
      &thread, &attributes,
      { pointer in
        let box = Unmanaged<Box>.fromOpaque(pointer!).takeRetainedValue()
        box.body()
        return nil
      }, box)
    if result != 0 {
      // No thread to be had: run it here rather than never.
      Unmanaged<Box>.fromOpaque(box).takeRetainedValue().body()
    }
  }
}
