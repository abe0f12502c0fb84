internal import NeuralKit

/// Float buffers of values a graph no longer needs, reused for new outputs within one
/// `ONNXInterpreter.run`.
///
/// A fresh large array costs a page fault per 4 KiB the first time it is written, and the
/// interaction network makes about a gigabyte of intermediates per batch of 256 jets: without
/// reuse, page faults took close to half of its run time. Reuse is always safe: a recycled
/// buffer still shared with a live value (an alias made by Reshape, a feed) is copied by the
/// array's copy-on-write when a kernel writes it, so sharing costs a copy, never a wrong value.
/// The pool keeps at most `limit` buffers and lives only as long as one run.
final class BufferPool {
  private var free: [[Float]] = []
  /// Smaller arrays come cheaply from the allocator's own free lists.
  static let smallest = 1 << 16
  static let limit = 8

  /// Keeps the Float buffer of a value the graph has finished with.
  func recycle(_ value: ONNXValue) {
    guard case .float(let t) = value, t.count >= Self.smallest else { return }
    free.append(t.data)
    if free.count > Self.limit,
      let i = free.indices.min(by: { free[$0].capacity < free[$1].capacity })
    {
      free.remove(at: i)
    }
  }

  /// An array of `count` elements, all written by `fill`: a pooled buffer whose capacity fits
  /// (at most twice `count`, so that a small output never pins a large buffer) or a new one.
  func make(_ count: Int, _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
    var best: Int?
    for i in free.indices where free[i].capacity >= count && free[i].capacity <= 2 * count {
      if best.map({ free[i].capacity < free[$0].capacity }) ?? true { best = i }
    }
    guard count >= Self.smallest, let best else { return ONNXKernels.fresh(count, fill) }
    var buffer = free.remove(at: best)
    if buffer.count > count {
      buffer.removeLast(buffer.count - count)
    } else if buffer.count < count {
      buffer.append(contentsOf: repeatElement(0, count: count - buffer.count))
    }
    buffer.withUnsafeMutableBufferPointer { fill($0) }
    return buffer
  }
}

extension ONNXKernels {
  /// How a kernel gets its output buffer: `fresh`, or `BufferPool.make` for Float data.
  typealias Allocator<T> = (Int, (UnsafeMutableBufferPointer<T>) -> Void) -> [T]

  /// A new array of `count` elements, all written by `fill`.
  static func fresh<T: BitwiseCopyable>(
    _ count: Int, _ fill: (UnsafeMutableBufferPointer<T>) -> Void
  ) -> [T] {
    [T](unsafeUninitializedCapacity: count) { buffer, initialized in
      fill(buffer)
      initialized = count
    }
  }
}
