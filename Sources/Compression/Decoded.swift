/// A new array of exactly `size` bytes (zeroed first) that `fill` decodes into.
func decoded(
  size: Int, _ fill: (UnsafeMutableBufferPointer<UInt8>) throws(CompressionError) -> Void
) throws(CompressionError) -> [UInt8] {
  var out = [UInt8](repeating: 0, count: size)
  try out.withUnsafeMutableBufferPointer { buffer throws(CompressionError) in try fill(buffer) }
  return out
}
