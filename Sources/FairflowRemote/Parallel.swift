/// Runs `body` for every item, at most `width` at a time, and returns the failures in the order
/// the items were given. One failure does not stop the others (a push reports every object it
/// could not send), unless it says the remote itself is out of reach or refuses us
/// (``RemoteError/isFatal``); cancellation (Ctrl-C) stops too: no new item starts.
func forEachConcurrently<Item: Sendable>(
  _ items: [Item], width: Int, _ body: @escaping @Sendable (Item) async throws -> Void
) async -> [(index: Int, error: any Error)] {
  var failures: [(index: Int, error: any Error)] = []
  var stopped = false
  await withTaskGroup(of: (Int, (any Error)?).self) { group in
    var next = 0
    func startNext() {
      guard next < items.count, !Task.isCancelled, !stopped else { return }
      let index = next
      next += 1
      group.addTask {
        do {
          try await body(items[index])
          return (index, nil)
        } catch {
          return (index, error)
        }
      }
    }
    for _ in 0..<max(1, width) { startNext() }
    while let (index, error) = await group.next() {
      if let error {
        failures.append((index, error))
        if (error as? RemoteError)?.isFatal == true { stopped = true }
      }
      startNext()
    }
  }
  return failures.sorted { $0.index < $1.index }
}
