import FairflowBase
import FairflowCore
import FairflowTesting
import HDF5
import Testing

/// Failures are `HDF5Error`s that name the file, the object and the operation; libhdf5 prints
/// nothing.
@Suite struct ErrorTests {
  func fixture() throws -> (TemporaryWorkspace, HDF5File) {
    let ws = try TemporaryWorkspace("hdf5")
    let file = try HDF5File.create(ws.path("f.h5"))
    _ = try file.root.createDataset("data", values: (0..<20).map(Float.init), shape: [10, 2])
    _ = try file.root.createDataset("flags", values: [true, false])
    try file.root.createGroup("grp").attributes.set("units", to: "GeV")
    return (ws, file)
  }

  @Test func missingFileIsNamed() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let path = ws.path("nope.h5")
    let error = try #require(throws: HDF5Error.self) { try HDF5File.open(path) }
    #expect(error.kind == .notFound)
    #expect(error.message == "hdf5: cannot open file '\(path)': no such file")
    #expect(error.exitStatus == .invalidInput)

    try ws.write("text.h5", "not hdf5\n")
    let notHDF5 = try #require(throws: HDF5Error.self) { try HDF5File.open(ws.path("text.h5")) }
    #expect(notHDF5.kind == .library)
    #expect(notHDF5.message.hasPrefix("hdf5: cannot open file '\(ws.path("text.h5"))': "))
    #expect(notHDF5.message.contains("signature"), "HDF5's own text: \(notHDF5.message)")

    let noDirectory = try #require(throws: HDF5Error.self) {
      try HDF5File.create(ws.path("missing/dir/x.h5"))
    }
    #expect(noDirectory.message.contains("missing/dir/x.h5"))
    #expect(noDirectory.message.contains("unable to"), "HDF5's own text: \(noDirectory.message)")
  }

  @Test func missingObjectsAreNamedWithSuggestions() throws {
    let (ws, file) = try fixture()
    defer { ws.destroy() }
    let path = ws.path("f.h5")
    let dataset = try #require(throws: HDF5Error.self) { try file.root.dataset("dat") }
    #expect(dataset.kind == .notFound)
    #expect(dataset.message == "hdf5: cannot open dataset '/dat' in '\(path)': no such object")
    #expect(dataset.hint == "did you mean 'data'?")
    let nested = try #require(throws: HDF5Error.self) { try file.root.dataset("grp/x/y") }
    #expect(nested.message.contains("'/grp/x/y'"))
    let group = try #require(throws: HDF5Error.self) { try file.root.group("data") }
    #expect(group.kind == .typeMismatch)
    #expect(group.message == "hdf5: cannot open group '/data' in '\(path)': it is a dataset")
    let attribute = try #require(throws: HDF5Error.self) {
      try file.root.group("grp").attributes.string("unit")
    }
    #expect(attribute.kind == .notFound)
    #expect(
      attribute.message
        == "hdf5: cannot read attribute 'unit' of '/grp' in '\(path)': no such attribute")
    #expect(attribute.hint == "did you mean 'units'?")
    let exists = try #require(throws: HDF5Error.self) {
      try file.root.createDataset("data", elementType: .int8, shape: [1])
    }
    #expect(exists.kind == .invalidArgument)
    #expect(exists.message.contains("already exists"))
  }

  @Test func rowsOutsideTheShapeAreRefused() throws {
    let (ws, file) = try fixture()
    defer { ws.destroy() }
    let data = try file.root.dataset("data")
    let past = try #require(throws: HDF5Error.self) { try data.read(rows: 8..<12, as: Float.self) }
    #expect(past.kind == .outOfRange)
    #expect(
      past.message == "hdf5: cannot read rows 8..<12 of dataset '/data' in '\(ws.path("f.h5"))': "
        + "rows 8..<12 are outside its 10 rows (shape [10, 2])")
    #expect(throws: HDF5Error.self) { try data.read(rows: -1..<2, as: Float.self) }
    let write = try #require(throws: HDF5Error.self) {
      try data.write([Float](repeating: 0, count: 6), atRow: 8)
    }
    #expect(write.kind == .outOfRange)
    #expect(write.hint?.contains("append") == true)
    let partial = try #require(throws: HDF5Error.self) { try data.write([Float(1)], atRow: 0) }
    #expect(partial.kind == .invalidArgument)
    let fixed = try #require(throws: HDF5Error.self) { try data.append(rows: [Float(1), 2]) }
    #expect(fixed.kind == .outOfRange)
    #expect(fixed.hint?.contains("unlimitedRows") == true)
    let count = try #require(throws: HDF5Error.self) { try data.write([Float(1), 2]) }
    #expect(count.message.hasSuffix("shape [10, 2] holds 20 elements, got 2"))
  }

  @Test func unknownTypeNamesAreRefused() throws {
    let typo = try #require(throws: HDF5Error.self) { try HDF5ElementType.named("flaot32") }
    #expect(typo.message == "hdf5: cannot use element type: unknown element type 'flaot32'")
    #expect(typo.hint == "did you mean 'float32'?")
    let unknown = try #require(throws: HDF5Error.self) { try HDF5ElementType.named("complex128") }
    #expect(unknown.hint?.hasPrefix("expected one of: float32, float64, int8") == true)
    #expect(try HDF5ElementType.named("uint16") == .uint16)
  }

  @Test func mismatchedTypesAreRefused() throws {
    let (ws, file) = try fixture()
    defer { ws.destroy() }
    let flags = try file.root.dataset("flags")
    let asInt = try #require(throws: HDF5Error.self) { try flags.read(as: Int.self) }
    #expect(asInt.kind == .typeMismatch)
    #expect(
      asInt.message.hasSuffix("it holds bool data, which HDF5 does not convert to or from int64"))
    #expect(throws: HDF5Error.self) { try file.root.dataset("data").read(as: Bool.self) }
    let attributes = try file.root.group("grp").attributes
    let number = try #require(throws: HDF5Error.self) { try attributes.int("units") }
    #expect(number.message.hasSuffix("it holds string data, not numbers or bools"))
    try attributes.set("edges", to: [1.0, 2.0])
    let text = try #require(throws: HDF5Error.self) { try attributes.string("edges") }
    #expect(text.message.hasSuffix("it holds float64 data, not strings"))
    let scalar = try #require(throws: HDF5Error.self) { try attributes.double("edges") }
    #expect(scalar.message.hasSuffix("it holds 2 values, not one"))
    try attributes.set("edges", to: "replaced by a string")
    #expect(try attributes.string("edges") == "replaced by a string")
    try attributes.remove("edges")
    #expect(try attributes.names() == ["units"])
  }

  @Test func oversizedShapesAreRefused() throws {
    let (ws, file) = try fixture()
    defer { ws.destroy() }
    let overflow = try #require(throws: HDF5Error.self) {
      try file.root.createDataset("big", elementType: .int8, shape: [Int.max, 2])
    }
    #expect(overflow.kind == .tooLarge)
    #expect(overflow.message.contains("more elements than Int holds"))
    let huge = try #require(throws: HDF5Error.self) {
      try file.root.createDataset("big", elementType: .int8, shape: [1 << 30, 1 << 30])
    }
    #expect(huge.kind == .tooLarge)
    #expect(throws: HDF5Error.self) {
      try file.root.createDataset("neg", elementType: .int8, shape: [-1])
    }
    // 2^36 doubles fit on disk (chunks are allocated lazily) but not in one read.
    let sparse = try file.root.createDataset(
      "sparse", elementType: .float64, shape: [1 << 24, 1 << 12],
      options: HDF5DatasetOptions(chunkRows: 1))
    let whole = try #require(throws: HDF5Error.self) { try sparse.read(as: Double.self) }
    #expect(whole.kind == .tooLarge)
    #expect(whole.hint == "read or write it in row ranges")
    #expect(try sparse.read(rows: 5..<7, as: Double.self) == [Double](repeating: 0, count: 8192))
    let options = try #require(throws: HDF5Error.self) {
      try file.root.createDataset(
        "z", elementType: .int8, shape: [4], options: HDF5DatasetOptions(compressionLevel: 12))
    }
    #expect(options.message.hasSuffix("compression level 12 is not 0–9"))
  }

  @Test func closedObjectsThrow() throws {
    let (ws, file) = try fixture()
    defer { ws.destroy() }
    let data = try file.root.dataset("data")
    data.close()
    data.close()
    let closed = try #require(throws: HDF5Error.self) { try data.read(as: Float.self) }
    #expect(closed.kind == .closed)
    file.close()
    #expect(throws: HDF5Error.self) { try file.root.children() }
  }

  @Test func libhdf5PrintsNothingOnErrors() throws {
    let (ws, file) = try fixture()
    defer { ws.destroy() }
    try ws.write("bad.h5", "garbage")
    var printed = try capturingStandardError {
      _ = try? HDF5File.open(ws.path("nope.h5"))
      _ = try? HDF5File.create(ws.path("no/such/dir.h5"))
      _ = try? HDF5File.open(ws.path("bad.h5"))
      _ = try? HDF5File.create(ws.path("f.h5"))  // still open: HDF5 refuses to truncate it
      _ = try? file.root.createGroup("grp")
    }
    file.close()
    let readOnly = try HDF5File.open(ws.path("f.h5"))
    printed += try capturingStandardError {
      _ = try? readOnly.root.createGroup("new")
      _ = try? readOnly.root.dataset("data").write([Float](repeating: 1, count: 20))
    }
    let write = try #require(throws: HDF5Error.self) {
      try readOnly.root.dataset("data").write([Float](repeating: 1, count: 20))
    }
    #expect(write.kind == .library)
    #expect(
      write.message.hasPrefix("hdf5: cannot write dataset '/data' in '\(ws.path("f.h5"))': "))
    #expect(!printed.contains("HDF5"), "libhdf5 printed: \(printed)")
  }
}
