extension Collection<UInt8> {
  /// Calls `body` with the bytes in contiguous memory; only a collection without contiguous
  /// storage of its own is copied.
  func withContiguousBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    if let result = withContiguousStorageIfAvailable(body) { return result }
    return Array(self).withUnsafeBufferPointer(body)
  }
}
