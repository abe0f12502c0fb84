import FairflowTesting
import HDF5
import Testing

/// Identifiers are released, and concurrent use from many tasks is serialised safely.
@Suite struct LifetimeTests {
  @Test func releasedObjectsCloseTheirIdentifiers() throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let file = try HDF5File.create(ws.path("leak.h5"))
    #expect(try file.openObjectCount == 2)  // the file and its root group
    #expect(HDF5Library.version.hasPrefix("1."))
    do {
      let group = try file.root.createGroup("g")
      let dataset = try group.createDataset(
        "d", values: (0..<12).map(Double.init), shape: [4, 3],
        options: HDF5DatasetOptions(compressionLevel: 6, unlimitedRows: true))
      try dataset.append(rows: [1.0, 2, 3])
      _ = try dataset.read(rows: 1..<3, as: Float.self)
      try dataset.attributes.set("names", to: ["a", "b"])
      try dataset.attributes.set("n", to: 3)
      _ = try dataset.attributes.strings("names")
      _ = try dataset.attributes.int("n")
      _ = try? dataset.attributes.string("n")
      _ = try? dataset.attributes.int("missing")
      _ = try? group.dataset("missing")
      _ = try? group.group("d")
      _ = try file.root.datasetNames()
      _ = try file.root.group("g").attributes.names()
      #expect(try file.openObjectCount == 4)
    }
    #expect(try file.openObjectCount == 2)
    let dataset = try file.root.dataset("g/d")
    #expect(try file.openObjectCount == 3)
    dataset.close()
    #expect(try file.openObjectCount == 2)
    try file.flush()
  }

  @Test func manyTasksUseTheLibraryAtOnce() async throws {
    let ws = try TemporaryWorkspace("hdf5")
    defer { ws.destroy() }
    let root = ws.root
    try await withThrowingTaskGroup(of: Void.self) { tasks in
      for task in 0..<8 {
        tasks.addTask {
          let file = try HDF5File.create(root + "/task\(task).h5")
          let values = (0..<1000).map { Int32($0 * task) }
          let dataset = try file.root.createDataset(
            "v", elementType: .int32, shape: [0, 10],
            options: HDF5DatasetOptions(chunkRows: 7, unlimitedRows: true))
          for batch in 0..<100 {
            try dataset.append(rows: Array(values[(batch * 10)..<(batch * 10 + 10)]))
            try dataset.attributes.set("batches", to: batch + 1)
            _ = try? file.root.dataset("missing\(batch)")
          }
          #expect(try dataset.read(as: Int32.self) == values)
          #expect(try dataset.attributes.int("batches") == 100)
        }
      }
      try await tasks.waitForAll()
    }
  }
}
