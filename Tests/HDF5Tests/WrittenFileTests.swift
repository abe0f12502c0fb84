import Foundation
import FairflowTesting
import HDF5
import Testing

/// Files the wrapper writes, read by h5py.
@Suite struct WrittenFileTests {
  /// No modification times in object headers: the same content written a second later is the
  /// same bytes (so a stage's output digest depends on its data only).
  @Test func theSameContentWrittenLaterIsTheSameBytes() throws {
    let ws = try TemporaryWorkspace("hdf5-times")
    defer { ws.destroy() }
    func write(_ name: String) throws {
      let file = try HDF5File.create(ws.path(name))
      _ = try file.root.createDataset("x", values: (0..<64).map(Float.init), shape: [8, 8])
      let group = try file.root.createGroup("g/h")
      _ = try group.createDataset(
        "y", elementType: .float64, shape: [0, 3],
        options: HDF5DatasetOptions(chunkRows: 16, compressionLevel: 4, unlimitedRows: true))
      try group.attributes.set("units", to: "GeV")
      file.close()
    }  // (the file is complete once its last object is released, here)
    func bytes(_ name: String) throws -> Data {
      try Data(contentsOf: URL(fileURLWithPath: ws.path(name)))
    }
    try write("a.h5")
    Thread.sleep(forTimeInterval: 1.1)
    try write("b.h5")
    #expect(try bytes("a.h5") == bytes("b.h5"))
  }

  @Test func everyElementTypeReadsBackBitForBitInH5py() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let file = try HDF5File.create(ws.path("types.h5"))
    let written = try Samples.writeAll(to: file.root)
    for type in HDF5ElementType.allCases {
      let dataset = try file.root.dataset(type.rawValue)
      #expect(dataset.elementType == type)
      #expect(try dataset.shape == [2, 4])
      #expect(try readHex(dataset, as: type) == written[type], "\(type)")
    }
    file.close()

    let script = """
      import h5py
      with h5py.File('types.h5', 'r') as f:
          for name in sorted(f):
              d = f[name]
              print(name, d.dtype.name, d.shape, d[()].tobytes().hex())
      """
    guard let printed = try H5Py.run(script, in: ws.root) else { return }
    let expected = HDF5ElementType.allCases.sorted { $0.rawValue < $1.rawValue }.map {
      "\($0.rawValue) \($0.rawValue) (2, 4) \(written[$0]!)"
    }
    #expect(printed.split(separator: "\n").map(String.init) == expected)
  }

  @Test func chunkedCompressedGrowableLayoutIsWhatH5pySees() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let values = (0..<80).map { Float($0) * 0.5 - 7 }
    do {
      let file = try HDF5File.create(ws.path("layout.h5"))
      let options = HDF5DatasetOptions(
        chunkRows: 3, compressionLevel: 4, shuffle: true, unlimitedRows: true)
      let dataset = try file.root.createDataset(
        "events/x", values: values, shape: [10, 4, 2], options: options)
      #expect(try dataset.maximumShape == [nil, 4, 2])
      _ = try file.root.createDataset("scalar", values: [2.5], shape: [])
      _ = try file.root.createDataset("contiguous", elementType: .int16, shape: [3, 0])
    }
    let script = """
      import h5py
      with h5py.File('layout.h5', 'r') as f:
          d = f['events/x']
          print(d.dtype.name, d.shape, d.maxshape, d.chunks, d.compression,
                d.compression_opts, d.shuffle)
          print(d[()].tobytes().hex())
          print(repr(f['scalar'][()]), f['scalar'].shape)
          c = f['contiguous']
          print(c.dtype.name, c.shape, c.chunks, c.compression)
      """
    guard let printed = try H5Py.run(script, in: ws.root) else { return }
    #expect(
      printed == """
        float32 (10, 4, 2) (None, 4, 2) (3, 4, 2) gzip 4 True
        \(hex(values))
        np.float64(2.5) ()
        int16 (3, 0) None None

        """)
  }

  @Test func attributesOfEachKindReadBackInH5py() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    do {
      let file = try HDF5File.create(ws.path("attrs.h5"))
      try file.attributes.set("title", to: "Run 3 — ünïcode")
      try file.attributes.set("count", to: 42)
      try file.attributes.set("scale", to: 2.5)
      let group = try file.root.createGroup("analysis/cuts")
      try group.attributes.set("names", to: ["pt", "eta", "phi"])
      try group.attributes.set("empty", to: [String]())
      try group.attributes.set("flag", to: true)
      let dataset = try group.createDataset("weights", values: [Float](repeating: 1, count: 4))
      try dataset.attributes.set("edges", to: [0.0, 0.5, 1.5])
      try dataset.attributes.set("bins", to: [Int32(1), 2, 3])
      try dataset.attributes.set("mask", to: [true, false])
      try dataset.attributes.set("units", to: "GeV")
      try dataset.attributes.set("units", to: "TeV")  // replaces
      #expect(try dataset.attributes.names() == ["bins", "edges", "mask", "units"])
    }
    let script = """
      import h5py
      def show(obj):
          for k in sorted(obj.attrs):
              v = obj.attrs[k]
              dtype = getattr(v, 'dtype', None)
              value = list(v) if dtype == object else v.tolist() if dtype is not None else v
              print(k, type(v).__name__, dtype, repr(value))
      with h5py.File('attrs.h5', 'r') as f:
          show(f)
          show(f['analysis/cuts'])
          show(f['analysis/cuts/weights'])
      """
    guard let printed = try H5Py.run(script, in: ws.root) else { return }
    #expect(
      printed == """
        count int64 int64 42
        scale float64 float64 2.5
        title str None 'Run 3 — ünïcode'
        empty ndarray object []
        flag bool bool True
        names ndarray object ['pt', 'eta', 'phi']
        bins ndarray int32 [1, 2, 3]
        edges ndarray float64 [0.0, 0.5, 1.5]
        mask ndarray bool [True, False]
        units str None 'TeV'

        """)
  }

  @Test func nestedGroupsAreWhatH5pyVisits() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    do {
      let file = try HDF5File.create(ws.path("groups.h5"))
      let deep = try file.root.createGroup("a/b/c")
      #expect(deep.name == "/a/b/c")
      _ = try deep.createDataset("d", values: [Int64(7)])
      let b = try file.root.group("a/b")
      _ = try b.createGroup("e")
      _ = try b.createDataset("/top", values: [UInt8(1)])
      #expect(try b.children() == ["c", "e"])
      #expect(try file.root.children() == ["a", "top"])
      #expect(try file.root.datasetNames() == ["top"])
      #expect(try file.root.groupNames() == ["a"])
      #expect(try b.contains("c/d"))
      #expect(try !b.contains("c/x/y"))
    }
    let script = """
      import h5py
      with h5py.File('groups.h5', 'r') as f:
          f.visit(print)
      """
    guard let printed = try H5Py.run(script, in: ws.root) else { return }
    #expect(printed == "a\na/b\na/b/c\na/b/c/d\na/b/e\ntop\n")
  }
}
