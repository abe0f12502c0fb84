import FairflowTesting
import HDF5
import Testing

/// Files h5py writes, read by the wrapper.
@Suite struct ReadFileTests {
  /// Writes `script` with h5py in a new workspace; nil when h5py is unavailable.
  func h5pyFile(_ script: String) throws -> (TemporaryWorkspace, String)? {
    let ws = try TemporaryWorkspace("hdf5")
    guard let printed = try H5Py.run("import h5py, numpy as np\n" + script, in: ws.root) else {
      ws.destroy()
      return nil
    }
    return (ws, printed)
  }

  @Test func everyDtypeH5pyWritesReadsBackBitForBit() throws {
    let script = """
      types = ['float32', 'float64', 'int8', 'int16', 'int32', 'int64',
               'uint8', 'uint16', 'uint32', 'uint64', 'bool']
      with h5py.File('numpy.h5', 'w') as f:
          for i, t in enumerate(types):
              raw = np.arange(24, dtype=np.int64) * 37 - 300 + i
              if t == 'bool':
                  a = (raw % 3 == 0)
              elif t.startswith('float'):
                  a = (raw / 7.0).astype(t)
                  a[5] = np.nan; a[6] = -np.inf; a[7] = -0.0
              else:
                  a = (raw * 1234567).astype(t)  # wraps like C for the small types
              a = a.reshape(2, 3, 4)
              kwargs = dict(chunks=(1, 3, 4), compression='gzip', shuffle=True) if i % 2 else {}
              f.create_dataset(t, data=a, **kwargs)
              print(t, a.tobytes().hex())
      """
    guard let (ws, printed) = try h5pyFile(script) else { return }
    defer { ws.destroy() }
    let file = try HDF5File.open(ws.path("numpy.h5"))
    #expect(try file.root.datasetNames().count == HDF5ElementType.allCases.count)
    for line in printed.split(separator: "\n") {
      let parts = line.split(separator: " ").map(String.init)
      let type = try HDF5ElementType.named(parts[0])
      let dataset = try file.root.dataset(parts[0])
      #expect(dataset.elementType == type)
      #expect(try dataset.shape == [2, 3, 4])
      #expect(try readHex(dataset, as: type) == parts[1], "\(type)")
    }
    // Spot checks against values worked out by hand from the script.
    let bools = try file.root.dataset("bool").read(as: Bool.self)
    #expect(bools.prefix(4) == [false, false, true, false])
    let ints = try file.root.dataset("int64").read(as: Int.self)
    #expect(ints.prefix(2) == [-295 * 1_234_567, -258 * 1_234_567])
    #expect(try file.root.dataset("float64").read(as: Double.self)[7].sign == .minus)
  }

  @Test func attributesH5pyWritesReadBack() throws {
    let script = """
      with h5py.File('attrs.h5', 'w') as f:
          f.attrs['title'] = 'Ünïcode title'
          f.attrs['fixed'] = np.bytes_(b'fixed bytes')
          f.attrs['n'] = 7
          f.attrs['x'] = 0.25
          f.attrs['f32'] = np.float32(1.5)
          f.attrs['edges'] = np.array([1, 2, 4], dtype='>i2')
          f.attrs['one'] = [3.5]
          f.attrs['names'] = ['alpha', 'béta']
          f.attrs['flag'] = np.bool_(True)
          f.attrs['grid'] = np.arange(6, dtype=np.uint16).reshape(2, 3)
          g = f.create_group('g/h')
          g.create_dataset('d', data=[1.0, 2.0])
          g.attrs['note'] = 'inner'
      """
    guard let (ws, _) = try h5pyFile(script) else { return }
    defer { ws.destroy() }
    let file = try HDF5File.open(ws.path("attrs.h5"))
    let attributes = file.attributes
    #expect(
      try attributes.names() == [
        "edges", "f32", "fixed", "flag", "grid", "n", "names", "one", "title", "x",
      ])
    #expect(try attributes.string("title") == "Ünïcode title")
    #expect(try attributes.string("fixed") == "fixed bytes")
    #expect(try attributes.int("n") == 7)
    #expect(try attributes.double("x") == 0.25)
    #expect(try attributes.scalar("f32", as: Float.self) == 1.5)
    #expect(try attributes.double("one") == 3.5)
    #expect(try attributes.array("edges", as: Int.self) == [1, 2, 4])
    #expect(try attributes.array("grid", as: UInt16.self) == [0, 1, 2, 3, 4, 5])
    #expect(try attributes.strings("names") == ["alpha", "béta"])
    #expect(try attributes.strings("title") == ["Ünïcode title"])
    #expect(try attributes.scalar("flag", as: Bool.self) == true)
    let group = try file.root.group("g/h")
    #expect(try group.attributes.string("note") == "inner")
    #expect(try group.dataset("d").read(as: Double.self) == [1, 2])
    #expect(try file.root.group("g").groupNames() == ["h"])
  }

  @Test func numericDataConvertsToTheRequestedType() throws {
    let script = """
      with h5py.File('convert.h5', 'w') as f:
          f['be'] = np.array([1, -2, 300000], dtype='>i4')
          f['d'] = np.array([1.5, -2.5, 1e10, -1e10, 3.75])
          f['u'] = np.array([0, 255], dtype=np.uint8)
      """
    guard let (ws, _) = try h5pyFile(script) else { return }
    defer { ws.destroy() }
    let file = try HDF5File.open(ws.path("convert.h5"))
    let bigEndian = try file.root.dataset("be")
    #expect(bigEndian.elementType == .int32)
    #expect(try bigEndian.read(as: Int32.self) == [1, -2, 300_000])
    #expect(try bigEndian.read(as: Double.self) == [1, -2, 300_000])
    let doubles = try file.root.dataset("d")
    #expect(try doubles.read(as: Float.self) == [1.5, -2.5, 1e10, -1e10, 3.75])
    // Out-of-range values clamp to the target type's range; fractions truncate toward zero.
    #expect(try doubles.read(as: Int32.self) == [1, -2, .max, .min, 3])
    #expect(try file.root.dataset("u").read(as: Int8.self) == [0, 127])
  }
}
