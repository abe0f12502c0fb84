import FairflowTesting
import HDF5
import Testing

/// Row ranges (hyperslabs over the first dimension) and growing datasets.
@Suite struct RowTests {
  @Test func readsRowRangesOfA3DDataset() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let file = try HDF5File.create(ws.path("rows.h5"))
    let values = (0..<80).map(Int32.init)
    let dataset = try file.root.createDataset(
      "x", values: values, shape: [10, 4, 2], options: HDF5DatasetOptions(chunkRows: 4))
    #expect(try dataset.read(rows: 3..<7, as: Int32.self) == Array(values[24..<56]))
    #expect(try dataset.read(rows: 0..<10, as: Int32.self) == values)
    #expect(try dataset.read(rows: 9..<10, as: Double.self) == (72..<80).map(Double.init))
    #expect(try dataset.read(rows: 5..<5, as: Int32.self).isEmpty)
  }

  @Test func writesRowRangesThatH5pyReads() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    do {
      let file = try HDF5File.create(ws.path("rows.h5"))
      let dataset = try file.root.createDataset("m", elementType: .float64, shape: [5, 3])
      try dataset.write([1.0, 2, 3, 4, 5, 6], atRow: 1)
      try dataset.write([Float(9), 9, 9], atRow: 4)  // converted to float64
      #expect(
        try dataset.read(as: Double.self) == [0, 0, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 9, 9, 9])
    }
    let script = """
      import h5py
      with h5py.File('rows.h5', 'r') as f:
          print(f['m'][()].tolist())
      """
    guard let printed = try H5Py.run(script, in: ws.root) else { return }
    #expect(
      printed
        == "[[0.0, 0.0, 0.0], [1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [0.0, 0.0, 0.0], [9.0, 9.0, 9.0]]\n"
    )
  }

  @Test func appendsToAnUnlimitedDataset() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    do {
      let file = try HDF5File.create(ws.path("grow.h5"))
      let dataset = try file.root.createDataset(
        "log", elementType: .uint16, shape: [0, 3],
        options: HDF5DatasetOptions(chunkRows: 4, compressionLevel: 1, unlimitedRows: true))
      #expect(try dataset.shape == [0, 3])
      try dataset.append(rows: [UInt16(1), 2, 3, 4, 5, 6])
      try dataset.append(rows: (7...21).map(UInt16.init))
      try dataset.append(rows: [UInt16]())
      #expect(try dataset.shape == [7, 3])
      #expect(try dataset.read(as: UInt16.self) == (1...21).map(UInt16.init))
      #expect(try dataset.read(rows: 6..<7, as: Int.self) == [19, 20, 21])
    }
    do {
      // The file stays open (and locked against h5py) until the dataset is released too.
      let reopened = try HDF5File.open(ws.path("grow.h5"), writable: true).root.dataset("log")
      try reopened.append(rows: [UInt16(22), 23, 24])
      #expect(try reopened.shape == [8, 3])
    }
    let script = """
      import h5py
      with h5py.File('grow.h5', 'r') as f:
          d = f['log']
          print(d.shape, d.maxshape, d[-1].tolist(), int(d[()].sum()))
      """
    guard let printed = try H5Py.run(script, in: ws.root) else { return }
    #expect(printed == "(8, 3) (None, 3) [22, 23, 24] \((1...24).reduce(0, +))\n")
  }

  @Test func defaultChunksAllowAppendingWithoutChunkRows() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let file = try HDF5File.create(ws.path("grow.h5"))
    let dataset = try file.root.createDataset(
      "flags", elementType: .bool, shape: [0], options: HDF5DatasetOptions(unlimitedRows: true))
    for batch in 0..<5 { try dataset.append(rows: [batch % 2 == 0, true]) }
    #expect(
      try dataset.read(as: Bool.self) == [
        true, true, false, true, true, true, false, true, true, true,
      ])
  }
}
