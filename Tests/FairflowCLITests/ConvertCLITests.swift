import Foundation
import FairflowTesting
import Testing

/// `uses: convert` end to end: an Hbb-like raw dataset written by uproot, converted by fairflow,
/// compared element by element (bit patterns) with tensors computed independently in numpy, and
/// read back with h5py.
@Suite struct ConvertCLITests {
  static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Peers/hbb_fixture.py").path

  static let pipeline = """
    stages:
      convert:
        uses: convert
        deps: [raw]
        outs: [features]
        with:
          inputs: [raw]
          tree: deepntuplizer/tree
          collections:
            tracks: {branches: [track_ptrel, track_erel], max: 4, sort_by: track_sip}
            vertices: {branches: [sv_ptrel, sv_mass], max: 2, layout: feature-major}
          jets: [fj_pt, fj_sdmass]
          labels: [fj_isQCD, fj_isH]
          select: "fj_pt > 300 and fj_sdmass > 40"
          output: features
          batch_entries: 250
    """

  func workspace(_ name: String, pipeline: String = pipeline) throws -> (
    TemporaryWorkspace, String
  )? {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return nil
    }
    let ws = try TemporaryWorkspace(name)
    try ws.write("pipelines/convert.yaml", pipeline)
    let made = try Shell.run([python, Self.fixture, "make", ws.root], in: ws.root)
    #expect(made.status == 0, "\(made.stderr)")
    return (ws, python)
  }

  @Test func convertMatchesAnIndependentComputationElementByElement() throws {
    guard let (ws, python) = try workspace("convert") else { return }
    defer { ws.destroy() }
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let check = try Shell.run(
      [python, Self.fixture, "check", ws.root, ws.path("features")], in: ws.root)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.hasPrefix("ok "))
    #expect(!ws.exists("features/.all.h5.partial"))
    // Cached: a second run restores nothing and executes nothing.
    let again = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(again.stdout.contains("1 up to date"))
  }

  @Test func fractionSplitsAreDeterministicAndPartitionTheRows() throws {
    let split = Self.pipeline.replacingOccurrences(
      of: "      output: features",
      with: """
              output: features
              split: {fractions: {train: 0.6, validation: 0.2, test: 0.2}, seed: 5}
        """)
    guard let (ws, python) = try workspace("convert-split", pipeline: split) else { return }
    defer { ws.destroy() }
    #expect(try CLIProcess.run(["run", "--no-provenance"], in: ws.root).status == 0)
    let script = """
      import h5py, numpy as np, hashlib
      rows = []
      for s in ("train", "validation", "test"):
          with h5py.File(f"features/{s}.h5") as f:
              assert f["tracks"].shape[1:] == (4, 2) and f["vertices"].shape[1:] == (2, 2)
              assert f.attrs["split"] == s and f.attrs["split_seed"] == 5
              rows.append(f["jets"][...])
              print(s, len(f["jets"]), hashlib.sha256(f["tracks"][...].tobytes()).hexdigest()[:16])
      allrows = np.concatenate(rows)
      print("total", len(allrows), len({tuple(r) for r in allrows.tolist()}))
      """
    let first = try Shell.run([python, "-c", script], in: ws.root)
    #expect(first.status == 0, "\(first.stderr)")
    // 844 entries pass the selection (the fixture's independent count); all land in some split.
    #expect(first.stdout.contains("total 844 844"), "\(first.stdout)")
    try FileManager.default.removeItem(atPath: ws.path("features"))
    #expect(try CLIProcess.run(["run", "--no-provenance", "--force"], in: ws.root).status == 0)
    let second = try Shell.run([python, "-c", script], in: ws.root)
    #expect(second.stdout == first.stdout, "same seed, same split")
  }

  @Test func hdf5InputsAreCopiedRowByRowIntoSplits() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("convert-h5")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/bragg.yaml",
      """
      stages:
        split:
          uses: convert
          deps: [raw]
          outs: [patches]
          with:
            inputs: [raw]
            datasets: {patch: images, center: positions}
            split: {fractions: {train: 0.8, test: 0.2}, seed: 3}
            output: patches
            batch_entries: 64
      """)
    let make = """
      import h5py, numpy as np, os
      os.makedirs("raw", exist_ok=True)
      rng = np.random.default_rng(1)
      for i, n in enumerate([150, 90]):
          with h5py.File(f"raw/peaks-{i}.h5", "w") as f:
              f["images"] = rng.random((n, 11, 11), dtype=np.float32)
              f["positions"] = rng.random((n, 2)) * 11
      """
    #expect(try Shell.run([python, "-c", make], in: ws.root).status == 0)
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let check = """
      import h5py, numpy as np
      src = np.concatenate([h5py.File(f"raw/peaks-{i}.h5")["images"][...] for i in (0, 1)])
      pos = np.concatenate([h5py.File(f"raw/peaks-{i}.h5")["positions"][...] for i in (0, 1)])
      tr, te = h5py.File("patches/train.h5"), h5py.File("patches/test.h5")
      assert tr["patch"].dtype == np.float32 and tr["center"].dtype == np.float64
      assert tr["patch"].shape[1:] == (11, 11) and len(tr["patch"]) == 192 and len(te["patch"]) == 48
      got = {a.tobytes(): b.tobytes() for f in (tr, te) for a, b in zip(f["patch"][...], f["center"][...])}
      want = {a.tobytes(): b.tobytes() for a, b in zip(src, pos)}
      assert got == want, "every source row, paired with its own position, in exactly one split"
      print("ok")
      """
    let out = try Shell.run([python, "-c", check], in: ws.root)
    #expect(out.stdout == "ok\n", "\(out.stdout)\(out.stderr)")
  }

  @Test func badConfigurationIsALocatedErrorAndMissingBranchesNameTheFile() throws {
    let ws = try TemporaryWorkspace("convert-bad")
    defer { ws.destroy() }
    try ws.write(
      "pipelines/bad.yaml",
      """
      stages:
        convert:
          uses: convert
          deps: [raw]
          outs: [features]
          with:
            inputs: [raw]
            tree: t
            jets: [x]
            output: features
            split: {fractions: {train: 0.5}, seed: 1}
      """)
    let bad = try CLIProcess.run(["validate"], in: ws.root)
    #expect(bad.status == 2)
    #expect(bad.stderr.contains("pipelines/bad.yaml:"), "\(bad.stderr)")
    #expect(bad.stderr.contains("split fractions add up to 0.5, not 1"))

    guard
      let (ws2, _) = try workspace(
        "convert-missing",
        pipeline: Self.pipeline.replacingOccurrences(
          of: "jets: [fj_pt, fj_sdmass]", with: "jets: [fj_ptt]"))
    else { return }
    defer { ws2.destroy() }
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws2.root)
    #expect(run.status == 1)
    let log = try FileManager.default.subpathsOfDirectory(atPath: ws2.path("cache/logs"))
      .first { $0.hasSuffix("convert.log") }
    let text = try ws2.read("cache/logs/" + (log ?? ""))
    #expect(
      text.contains("raw/part-0.root: tree 'deepntuplizer/tree' has no branch 'fj_ptt'"), "\(text)")
    #expect(!ws2.exists("features/all.h5"))
  }
}
