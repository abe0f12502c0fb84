/// How a new dataset is laid out on disk: contiguous (the default) or in chunks of whole rows,
/// optionally compressed and with an unlimited first dimension.
///
/// Rows are the first dimension; one chunk is `[chunkRows] + shape.dropFirst()`. Compression,
/// shuffling and unlimited rows need chunks: without `chunkRows`, chunks of about 1 MiB are used.
public struct HDF5DatasetOptions: Sendable, Equatable {
  /// Rows per chunk (at least 1; capped at the row count of a fixed-size dataset).
  public var chunkRows: Int?
  /// gzip (deflate) level, 0–9; nil for no compression.
  public var compressionLevel: Int?
  /// Whether to apply the shuffle filter before compression (often smaller for numbers).
  public var shuffle: Bool
  /// Whether the first dimension can grow without limit (`HDF5Dataset.append(rows:)`);
  /// otherwise the shape is fixed at creation.
  public var unlimitedRows: Bool

  public init(
    chunkRows: Int? = nil, compressionLevel: Int? = nil, shuffle: Bool = false,
    unlimitedRows: Bool = false
  ) {
    self.chunkRows = chunkRows
    self.compressionLevel = compressionLevel
    self.shuffle = shuffle
    self.unlimitedRows = unlimitedRows
  }

  /// Whether the dataset is stored in chunks.
  public var isChunked: Bool {
    chunkRows != nil || compressionLevel != nil || shuffle || unlimitedRows
  }

  /// The bytes a default chunk aims for.
  static let defaultChunkBytes = 1 << 20

  /// The chunk shape for a dataset of `shape` and `type`, or nil for contiguous storage.
  func chunkShape(
    for shape: [Int], of type: HDF5ElementType, at location: Location, _ operation: String
  ) throws(HDF5Error) -> [Int]? {
    if let level = compressionLevel, !(0...9).contains(level) {
      throw location.error(.invalidArgument, operation, "compression level \(level) is not 0–9")
    }
    if let rows = chunkRows, rows < 1 {
      throw location.error(.invalidArgument, operation, "chunk rows \(rows) is not positive")
    }
    guard isChunked else { return nil }
    guard let firstDimension = shape.first else {
      throw location.error(
        .invalidArgument, operation, "a scalar dataset cannot be chunked, compressed or grown")
    }
    let rest = shape.dropFirst().map { max($0, 1) }
    let rowBytes = rest.reduce(type.byteCount, *)  // shapes are validated: no overflow
    var rows = chunkRows ?? max(1, Self.defaultChunkBytes / rowBytes)
    if !unlimitedRows { rows = min(rows, max(firstDimension, 1)) }
    return [rows] + rest
  }
}
