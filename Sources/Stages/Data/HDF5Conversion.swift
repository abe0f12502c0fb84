public import StageSupport
internal import HDF5

/// HDF5 inputs (BraggNN-style patches): each mapped dataset is copied row by row (batches of
/// `batch_entries`) into the split files; all mapped datasets of a file must have the same rows.
struct HDF5Conversion {
  let config: ConvertConfig
  let root: String
  let files: [String]
  let runner: ConvertRunner

  func run(_ writer: SplitWriter) throws -> String {
    var shapes: [String: [Int]] = [:]
    var types: [String: HDF5ElementType] = [:]
    var total = 0
    var rowsPerFile: [Int] = []
    for file in files {
      let h5 = try HDF5File.open(root + "/" + file)
      defer { h5.close() }
      var rows: Int?
      for (output, input) in config.datasets {
        let dataset = try h5.root.inputDataset(input)
        defer { dataset.close() }
        let shape = try dataset.shape
        guard let type = dataset.elementType, !shape.isEmpty else {
          throw StageError("\(file): dataset '\(input)' is not a numeric array")
        }
        if let known = shapes[output], known != Array(shape.dropFirst()) || types[output] != type {
          throw StageError(
            "\(file): dataset '\(input)' has rows \(shape.dropFirst()) of \(type), other files \(known)"
          )
        }
        shapes[output] = Array(shape.dropFirst())
        types[output] = type
        if let rows, rows != shape[0] {
          throw StageError(
            "\(file): mapped datasets have different row counts (\(rows) and \(shape[0]))")
        }
        rows = shape[0]
      }
      rowsPerFile.append(rows ?? 0)
      total += rows ?? 0
    }
    // One row of every mapped dataset must fit comfortably in memory, and a batch is cut to
    // about 512 MiB of values whatever batch_entries says (rows are read as 8-byte values at most).
    var bytesPerRow = 0
    for (output, input) in config.datasets {
      var rowBytes = 8
      for dimension in shapes[output]! {
        let (product, overflow) = rowBytes.multipliedReportingOverflow(by: max(dimension, 1))
        rowBytes = overflow ? Int.max : product
      }
      guard rowBytes <= 256 << 20 else {
        throw StageError(
          "dataset '\(input)' has rows of shape \(shapes[output]!) (more than 256 MiB each); "
            + "a convert batch must hold at least one row")
      }
      bytesPerRow += rowBytes
    }
    let batchRows = max(1, min(config.batchEntries, (512 << 20) / max(bytesPerRow, 1)))
    for (output, input) in config.datasets {
      switch types[output]! {
      case .float32:
        try writer.define(
          output, rowShape: shapes[output]!, type: Float.self, attributes: [("source", [input])])
      case .float64:
        try writer.define(
          output, rowShape: shapes[output]!, type: Double.self, attributes: [("source", [input])])
      case .int32:
        try writer.define(
          output, rowShape: shapes[output]!, type: Int32.self, attributes: [("source", [input])])
      case .int64:
        try writer.define(
          output, rowShape: shapes[output]!, type: Int64.self, attributes: [("source", [input])])
      case .uint8:
        try writer.define(
          output, rowShape: shapes[output]!, type: UInt8.self, attributes: [("source", [input])])
      case .bool:
        try writer.define(
          output, rowShape: shapes[output]!, type: Bool.self, attributes: [("source", [input])])
      default:
        try writer.define(
          output, rowShape: shapes[output]!, type: Double.self, attributes: [("source", [input])])
      }
    }
    var assignment: SplitAssignment?
    if case .fractions(let f, let seed) = config.split {
      assignment = SplitAssignment(entries: total, fractions: f.map(\.fraction), seed: seed)
    }
    var base = 0
    for (i, file) in files.enumerated() {
      defer { base += rowsPerFile[i] }
      var fileSplit: Int?
      if case .files = config.split {
        guard let s = runner.fileSplit(file) else { continue }
        fileSplit = s
      }
      let h5 = try HDF5File.open(root + "/" + file)
      defer { h5.close() }
      var lo = 0
      while lo < rowsPerFile[i] {
        let hi = min(rowsPerFile[i], lo + batchRows)
        var perSplit = Array(repeating: [Int](), count: writer.names.count)
        for k in 0..<(hi - lo) {
          perSplit[fileSplit ?? assignment.map { Int($0.splits[base + lo + k]) } ?? 0].append(k)
        }
        for (output, input) in config.datasets {
          let dataset = try h5.root.dataset(input)
          defer { dataset.close() }
          let rowSize = shapes[output]!.reduce(1, *)
          func copy<T: HDF5Scalar>(_: T.Type) throws {
            let values = try dataset.read(rows: lo..<hi, as: T.self)
            for (split, rows) in perSplit.enumerated() where !rows.isEmpty {
              var out: [T] = []
              out.reserveCapacity(rows.count * rowSize)
              for k in rows { out += values[(k * rowSize)..<((k + 1) * rowSize)] }
              try writer.append(split, output, out)
            }
          }
          switch types[output]! {
          case .float32: try copy(Float.self)
          case .float64: try copy(Double.self)
          case .int32: try copy(Int32.self)
          case .int64: try copy(Int64.self)
          case .uint8: try copy(UInt8.self)
          case .bool: try copy(Bool.self)
          default: try copy(Double.self)
          }
        }
        for (split, rows) in perSplit.enumerated() { writer.addRows(split, rows.count) }
        lo = hi
      }
    }
    return "convert: \(files.count) files, \(total) rows; "
      + zip(writer.names, writer.rows).map { "\($0): \($1)" }.joined(separator: ", ")
  }
}
