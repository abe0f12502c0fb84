internal import FairflowBase
internal import HDF5
internal import StageSupport

/// HDF5 inputs (BraggNN-style patches): each mapped dataset is copied row by row (batches of
/// `batch_entries`) into the split files; all mapped datasets of a file must have the same rows.
struct HDF5Conversion {
  let input: ConversionInputs
  var config: ConvertConfig { input.config }

  /// What the first pass over the files found: each output's row shape and element type, and
  /// the rows of every file.
  struct Survey {
    var shapes: [String: [Int]] = [:]
    var types: [String: HDF5ElementType] = [:]
    var rowsPerFile: [Int] = []
    var total: Int { rowsPerFile.reduce(0, +) }
  }

  func run(_ writer: SplitWriter) throws -> String {
    let survey = try self.survey()
    let batchRows = try self.batchRows(survey)
    try define(survey, in: writer)
    let router = input.router(entries: survey.total, splits: writer.names.count)
    var base = 0
    for (i, file) in input.files.enumerated() {
      defer { base += survey.rowsPerFile[i] }
      let route = router.route(file)
      guard route != .skipped else { continue }
      let h5 = try HDF5File.open(input.path(file))
      defer { h5.close() }
      for batch in ConversionInputs.batches(of: survey.rowsPerFile[i], size: batchRows) {
        let perSplit = router.distribute(
          0..<batch.count, start: base + batch.lowerBound, route: route)
        try copy(batch, of: h5, perSplit: perSplit, survey: survey, into: writer)
        for (split, rows) in perSplit.enumerated() { writer.addRows(split, rows.count) }
        StageProgress.shared.report(
          "file \(i + 1)/\(input.files.count) · \(base + batch.upperBound)/\(survey.total) rows")
      }
    }
    return "convert: \(input.files.count) files, \(survey.total) rows; " + writer.rowSummary
  }

  /// Opens every file once: the mapped datasets must be numeric arrays whose rows have the
  /// same shape and type in every file and the same count within a file.
  func survey() throws -> Survey {
    var survey = Survey()
    for file in input.files {
      let h5 = try HDF5File.open(input.path(file))
      defer { h5.close() }
      let rows = try self.rows(of: file, h5, into: &survey)
      survey.rowsPerFile.append(rows)
    }
    return survey
  }

  /// The row count of one file's mapped datasets; records their row shapes and types.
  func rows(of file: String, _ h5: HDF5File, into survey: inout Survey) throws -> Int {
    var rows: Int?
    for (output, input) in config.datasets {
      let dataset = try h5.root.inputDataset(input)
      defer { dataset.close() }
      let shape = try dataset.shape
      guard let type = dataset.elementType, !shape.isEmpty else {
        throw StageError("\(file): dataset '\(input)' is not a numeric array")
      }
      if let known = survey.shapes[output],
        known != Array(shape.dropFirst()) || survey.types[output] != type
      {
        throw StageError(
          "\(file): dataset '\(input)' has rows \(shape.dropFirst()) of \(type), other files \(known)"
        )
      }
      survey.shapes[output] = Array(shape.dropFirst())
      survey.types[output] = type
      if let rows, rows != shape[0] {
        throw StageError(
          "\(file): mapped datasets have different row counts (\(rows) and \(shape[0]))")
      }
      rows = shape[0]
    }
    return rows ?? 0
  }

  /// Rows per batch: one row of every mapped dataset must fit comfortably in memory, and a batch
  /// is cut to about 512 MiB of values whatever batch_entries says (rows are read as 8-byte
  /// values at most).
  func batchRows(_ survey: Survey) throws -> Int {
    var bytesPerRow = 0
    for (output, input) in config.datasets {
      var rowBytes = 8
      for dimension in survey.shapes[output]! {
        let (product, overflow) = rowBytes.multipliedReportingOverflow(by: max(dimension, 1))
        rowBytes = overflow ? Int.max : product
      }
      guard rowBytes <= 256 << 20 else {
        throw StageError(
          "dataset '\(input)' has rows of shape \(survey.shapes[output]!) (more than 256 MiB each); "
            + "a convert batch must hold at least one row")
      }
      bytesPerRow += rowBytes
    }
    return max(1, min(config.batchEntries, (512 << 20) / max(bytesPerRow, 1)))
  }

  /// Creates every output dataset in the split files, in its input's element type.
  func define(_ survey: Survey, in writer: SplitWriter) throws {
    for (output, input) in config.datasets {
      try writer.define(
        output, rowShape: survey.shapes[output]!,
        type: Self.scalarType(survey.types[output]!), attributes: [("source", [input])])
    }
  }

  /// Copies one batch of rows of every mapped dataset into the splits.
  func copy(
    _ batch: Range<Int>, of h5: HDF5File, perSplit: [[Int]], survey: Survey,
    into writer: SplitWriter
  ) throws {
    for (output, input) in config.datasets {
      let dataset = try h5.root.dataset(input)
      defer { dataset.close() }
      try Self.copy(
        batch, of: dataset, as: Self.scalarType(survey.types[output]!),
        rowSize: survey.shapes[output]!.reduce(1, *), perSplit: perSplit, to: output,
        in: writer)
    }
  }

  static func copy<T: HDF5Scalar>(
    _ batch: Range<Int>, of dataset: HDF5Dataset, as _: T.Type, rowSize: Int,
    perSplit: [[Int]], to output: String, in writer: SplitWriter
  ) throws {
    let values = try dataset.read(rows: batch, as: T.self)
    for (split, rows) in perSplit.enumerated() where !rows.isEmpty {
      var out: [T] = []
      out.reserveCapacity(rows.count * rowSize)
      for k in rows { out += values[(k * rowSize)..<((k + 1) * rowSize)] }
      try writer.append(split, output, out)
    }
  }

  /// The Swift type an input's values are copied as: its own for the six types the writer
  /// keeps, Double for the other integer widths.
  static func scalarType(_ type: HDF5ElementType) -> any HDF5Scalar.Type {
    switch type {
    case .float32: return Float.self
    case .float64: return Double.self
    case .int32: return Int32.self
    case .int64: return Int64.self
    case .uint8: return UInt8.self
    case .bool: return Bool.self
    default: return Double.self
    }
  }
}
