import Foundation
import FairflowTesting
import Testing

/// The shipped quick pipelines, at CI size (parameters overridden with -p): every promised
/// artifact exists, metrics are in range, and provenance reaches the generator's seed.
@Suite struct QuickPipelinesCLITests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  func workspace(_ name: String, pipeline: String) throws -> TemporaryWorkspace {
    let ws = try TemporaryWorkspace(name)
    let text = try String(
      contentsOf: Self.repository.appendingPathComponent("pipelines/\(pipeline).yaml"),
      encoding: .utf8)
    try ws.write("pipelines/\(pipeline).yaml", text)
    try ws.write(".gitignore", "cache/\ndata/\nmodels/\nreport/\n")
    try ws.initGitRepository()
    return ws
  }

  @Test func hbbQuickAtCISize() throws {
    let ws = try workspace("hbb-quick", pipeline: "hbb-quick")
    defer { ws.destroy() }
    let p = ["-p", "jets=2500", "-p", "epochs=3", "-p", "tracks=12"]
    let run = try CLIProcess.run(["run", "hbb-quick"] + p, in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let seeds = 1...10
    var artifacts = [
      "data/hbb/raw/jets.h5", "data/hbb/features/train.h5", "data/hbb/features/test.h5",
      "report/hbb/interpret/interpret.json", "report/hbb/interpret/nap.svg",
      "metrics/hbb/aggregate.json", "report/hbb/table4.md", "publication/hbb/bagit.txt",
      "publication/hbb/data/datacite.json", "publication/hbb/data/MODEL_CARD.md",
      "report/hbb/compare.json", "report/hbb/table10.md", "report/hbb/consistency.json",
      "report/hbb/table8.md",
    ]
    for ablated in Self.ablated { artifacts.append("models/hbb-in/\(ablated)/model.safetensors") }
    for s in seeds {
      artifacts += [
        "models/hbb-in/seed-\(s)/model.safetensors", "models/hbb-in/seed-\(s).onnx",
        "metrics/hbb/evaluate/seed-\(s).json", "report/hbb/evaluate/seed-\(s)/roc.svg",
      ]
    }
    for artifact in artifacts {
      #expect(ws.exists(artifact), "missing \(artifact)")
    }
    // Every seed's AUC is in range; the seeds differ (initialisation and shuffling).
    var aucs: [Double] = []
    for s in seeds {
      let metrics = try #require(
        try JSONSerialization.jsonObject(
          with: Data(ws.read("metrics/hbb/evaluate/seed-\(s).json").utf8)) as? [String: Any])
      let auc = try #require(metrics["auc"] as? Double)
      #expect(auc > 0.75 && auc < 1, "AUC \(auc) of seed \(s) at CI size")
      aucs.append(auc)
    }
    #expect(Set(aucs).count > 1, "ten seeds gave one AUC")
    // The Table 4 analogue: n = 10, the mean and sample std of the seeds' AUCs.
    let aggregate = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/hbb/aggregate.json").utf8))
        as? [String: Any])
    let summary = try #require(aggregate["summary"] as? [[String: Any]])
    let aucSummary = try #require(summary.first { $0["metric"] as? String == "auc" })
    #expect(aucSummary["n"] as? Int == 10)
    #expect(aucSummary["values"] as? [Double] == aucs)
    let mean = try #require(aucSummary["mean"] as? Double)
    let std = try #require(aucSummary["std"] as? Double)
    #expect(abs(mean - aucs.reduce(0, +) / 10) < 1e-12 && mean > 0.75 && mean < 1)
    #expect(std > 0 && std < 0.1, "std \(std)")
    #expect(aggregate["auc_std"] as? Double == std)
    #expect(try ws.read("report/hbb/table4.md").contains("| auc | "))
    // The dry-run publication: a bag with DataCite metadata and the aggregate's uncertainties.
    let datacite = try ws.read("publication/hbb/data/datacite.json")
    #expect(datacite.contains("Interaction network H→bb jet tagger"))
    #expect(try ws.read("publication/hbb/data/MODEL_CARD.md").contains("±"))
    // The gates of all ten evaluate stages pass.
    let check = try CLIProcess.run(["check", "hbb-quick"] + p, in: ws.root)
    #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
    #expect(check.stdout.contains("evaluate@seed=10"))
    // Provenance of the aggregate AUC file reaches the generator and its seed.
    let trace = try CLIProcess.run(
      ["prov", "trace", "metrics/hbb/aggregate.json", "--json"], in: ws.root)
    #expect(trace.stdout.contains("\"stage\": \"generate\""), "\(trace.stdout.prefix(400))")
    #expect(trace.stdout.contains("\"seed\": 7"))
    // Warm: nothing to do; a new epoch count reruns only train and what follows it.
    let warm = try CLIProcess.run(["run", "hbb-quick"] + p, in: ws.root)
    #expect(warm.stdout.contains("0 executed"))
    let status = try CLIProcess.run(
      ["status", "hbb-quick", "--json", "-p", "jets=2500", "-p", "epochs=4", "-p", "tracks=12"],
      in: ws.root)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
    let stale = (object["stages"] as? [[String: Any]] ?? []).filter {
      $0["state"] as? String == "stale"
    }
    .compactMap { $0["name"] as? String }
    let perSeed = ["train", "export", "evaluate"].flatMap { stage in
      seeds.map { "\(stage)@seed=\($0)" }
    }
    #expect(
      Set(stale)
        == Set(
          perSeed + ["aggregate", "interpret", "publish", "compare", "consistency"]
            + Self.ablated.map { $0.replacingOccurrences(of: "ablated", with: "ablate") }),
      "\(stale)")
    let report = try CLIProcess.run(
      ["report", "hbb-quick", "--out", "report.html"] + p, in: ws.root)
    #expect(report.status == 0)
    let html = try ws.read("report.html")
    #expect(html.contains("Table 4 analogue"))
    // Table 9 analogue: the paper's thresholds, fidelity 100 % when nothing is masked.
    #expect(html.contains("Masking by ΔAUC threshold: interpret"))
    #expect(
      html.contains("<td class=\"num\">0.001</td>") && html.contains("<td class=\"num\">1.0</td>"))
    #expect(html.contains("Table 10 analogue") && html.contains("<td class=\"num\">8,498</td>"))
    // Summary first: the verdict (every gate passes, nothing stale), the ten seeds as one table
    // with a mean ± std row, one ROC chart for the ten seeds.
    #expect(
      html.contains(
        "<div class=\"verdict pass\">Passed: all 40 stages up to date, all 20 gates pass."))
    #expect(html.contains("<h3>evaluate ×10</h3>") && html.contains("<tr class=\"mean-std\">"))
    #expect(html.components(separatedBy: "<figure class=\"roc-overlay").count == 2)
    #expect(html.contains("Table 8 analogue"))
    try checkTable10(ws)
    try checkTable8(ws)
  }

  /// The Table 8 analogue: native and ONNX columns agree, and the ONNX column is what
  /// onnxruntime + scikit-learn compute from the same file and jets (features picked by name with
  /// h5py): accuracy within one jet, AUC within 1e-4.
  func checkTable8(_ ws: TemporaryWorkspace) throws {
    let document = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("report/hbb/consistency.json").utf8))
        as? [String: Any])
    let runs = try #require(document["runs"] as? [[String: Any]])
    #expect(runs.map { $0["batch"] as? Int } == [1, 128])
    for run in runs {
      let engines = try #require(run["engines"] as? [[String: Any]])
      #expect(engines.map { $0["engine"] as? String } == ["native (NeuralKit)", "ONNX"])
      #expect(engines[0]["accuracy"] as? Double == engines[1]["accuracy"] as? Double)
      let difference = try #require(run["max_abs_difference"] as? Double)
      #expect(difference < 1e-5, "native vs ONNX: \(difference)")
      #expect(run["disagreements"] as? Int == 0)
    }
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let script = """
      import json, h5py, numpy as np, onnxruntime as ort
      from sklearn.metrics import roc_auc_score
      doc = json.load(open("report/hbb/consistency.json"))
      spec = json.load(open(doc["model"] + "/model.json"))
      feats = {i["name"]: i["features"] for i in spec["inputs"]}
      f = h5py.File(doc["data"], "r")
      def names(d):
          return [s.decode() if isinstance(s, bytes) else str(s) for s in d.attrs["features"]]
      s = ort.InferenceSession(doc["onnx"], providers=["CPUExecutionProvider"])
      for run in doc["runs"]:
          n = run["rows"]
          x = f["tracks"][:n][:, [names(f["tracks"]).index(k) for k in feats["tracks"]], :]
          v = f["vertices"][:n][:, [names(f["vertices"]).index(k) for k in feats["vertices"]], :]
          y = f["labels"][:n].argmax(1)
          p = s.run(None, {"tracks": x.astype(np.float32), "vertices": v.astype(np.float32)})[0]
          onnx = [e for e in run["engines"] if e["engine"] == "ONNX"][0]
          accuracy = float((p.argmax(1) == y).mean())
          auc = roc_auc_score(y == 1, p[:, 1].astype(np.float64))
          assert abs(accuracy - onnx["accuracy"]) <= 1.0 / n + 1e-12, (accuracy, onnx["accuracy"])
          assert abs(auc - onnx["auc"]) < 1e-4, (auc, onnx["auc"])
          print(n, accuracy - onnx["accuracy"], auc - onnx["auc"])
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
  }

  static let ablated = ["ablated-32-16-16", "ablated-32-8-8", "ablated-16-8-8"]

  /// The Table 10 analogue: the paper's parameter counts (the ablated models take 18 of 30 track
  /// and 9 of 14 vertex features, as the paper's do), 12 and 5 features left out, and every
  /// model's AUC and fidelity recomputed independently — the models exported to ONNX and run by
  /// onnxruntime on features picked by name with h5py, AUC by scikit-learn, fidelity (eq. 1) by
  /// NumPy — within 1e-4 (float32 against fairflow's own inference). Sparsity of the baseline
  /// equals the mean of `interpret`'s per-class sparsities (same model, same 1,500 jets).
  func checkTable10(_ ws: TemporaryWorkspace) throws {
    let compare = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("report/hbb/compare.json").utf8))
        as? [String: Any])
    let models = try #require(compare["models"] as? [[String: Any]])
    #expect(models.map { $0["parameters"] as? Int } == [25_554, 8_498, 7_178, 2_842])
    #expect(models.map { $0["dropped_tracks"] as? Int } == [0, 12, 12, 12])
    #expect(models.map { $0["dropped_vertices"] as? Int } == [0, 5, 5, 5])
    #expect(models.first?["fidelity_percent"] as? Double == 100)
    for m in models {
      let auc = try #require(m["auc"] as? Double)
      #expect(auc > 0.7 && auc < 1, "AUC \(auc) of \(m["model"] ?? "?")")
    }
    let interpret = try #require(
      try JSONSerialization.jsonObject(
        with: Data(ws.read("report/hbb/interpret/interpret.json").utf8)) as? [String: Any])
    let rna = try #require(interpret["rna"] as? [[String: Any]])
    let sparsities = rna.compactMap { $0["sparsity"] as? Double }
    let baselineSparsity = try #require(models.first?["sparsity"] as? Double)
    #expect(abs(baselineSparsity - sparsities.reduce(0, +) / Double(sparsities.count)) < 1e-12)
    #expect(try ws.read("report/hbb/table10.md").contains("| 12, 5 | 16, 8, 8 | 2,842 |"))

    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    try ws.write(
      "pipelines/peer.yaml",
      """
      pipeline: peer
      stages:
        export:
          matrix: {m: [seed-1, \(Self.ablated.joined(separator: ", "))]}
          uses: export
          deps: ["models/hbb-in/${matrix.m}"]
          outs: ["peer/${matrix.m}.onnx"]
          with: {model: "models/hbb-in/${matrix.m}", output: "peer/${matrix.m}.onnx", softmax: true}
      """)
    let export = try CLIProcess.run(["run", "peer"], in: ws.root)
    #expect(export.status == 0, "\(export.stdout)\(export.stderr)")
    let script = """
      import json, h5py, numpy as np, onnxruntime as ort
      from sklearn.metrics import roc_auc_score
      cmp = json.load(open("report/hbb/compare.json"))
      f = h5py.File(cmp["data"], "r")
      n = cmp["rows"]
      def names(d):
          return [s.decode() if isinstance(s, bytes) else str(s) for s in d.attrs["features"]]
      T, V = f["tracks"][:n], f["vertices"][:n]
      y = f["labels"][:n].argmax(1)
      tn, vn = names(f["tracks"]), names(f["vertices"])
      base = None
      for m in cmp["models"]:
          spec = json.load(open(m["model"] + "/model.json"))
          feats = {i["name"]: i["features"] for i in spec["inputs"]}
          x = T[:, [tn.index(s) for s in feats["tracks"]], :]
          v = V[:, [vn.index(s) for s in feats["vertices"]], :]
          s = ort.InferenceSession("peer/" + m["model"].split("/")[-1] + ".onnx",
                                   providers=["CPUExecutionProvider"])
          p = s.run(None, {"tracks": x.astype(np.float32), "vertices": v.astype(np.float32)})[0][:, 1]
          p = p.astype(np.float64)
          if base is None: base = p
          auc = roc_auc_score(y == 1, p)
          fidelity = (1 - np.abs(p - base).mean()) * 100
          assert abs(auc - m["auc"]) < 1e-4, (m["model"], auc, m["auc"])
          assert abs(fidelity - m["fidelity_percent"]) < 1e-2, (m["model"], fidelity, m["fidelity_percent"])
          print(m["model"], auc - m["auc"], fidelity - m["fidelity_percent"])
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
  }

  @Test func braggnnQuickAtCISize() throws {
    let ws = try workspace("braggnn-quick", pipeline: "braggnn-quick")
    defer { ws.destroy() }
    let run = try CLIProcess.run(
      ["run", "braggnn-quick", "-p", "patches=600", "-p", "epochs=2"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let metrics = try #require(
      try JSONSerialization.jsonObject(with: Data(ws.read("metrics/bragg/evaluate.json").utf8))
        as? [String: Any])
    #expect((metrics["distance_p95"] as? Double).map { $0 > 0 } == true)
    #expect((metrics["center_of_mass_distance_p95"] as? Double).map { $0 > 0 } == true)
    #expect(ws.exists("models/braggnn.onnx") && ws.exists("report/bragg/evaluate/distances.svg"))
  }
}
