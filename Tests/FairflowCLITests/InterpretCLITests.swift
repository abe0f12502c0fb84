import Foundation
import FairflowTesting
import Testing

/// `uses: interpret`: masking ΔAUC checked independently (onnxruntime on the exported model,
/// features zeroed in numpy, AUC by scikit-learn), RNA invariants, SVGs that parse as XML.
@Suite struct InterpretCLITests {
  static let pipeline =
    TrainExportCLITests.pipeline + """

        interpret:
          uses: interpret
          deps: [models/in, features/test.h5]
          outs: [report/interpret]
          with:
            model: models/in
            data: features/test.h5
            output: report/interpret
            thresholds: [0.001, 1000]
      """

  @Test func maskingAndRNA() throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let ws = try TemporaryWorkspace("interpret")
    defer { ws.destroy() }
    try ws.write("pipelines/hbb.yaml", Self.pipeline)
    #expect(
      try Shell.run([python, ConvertCLITests.fixture, "make", ws.root], in: ws.root).status == 0)
    let run = try CLIProcess.run(["run", "--no-provenance"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let check = """
      import json, h5py, numpy as np, onnxruntime as ort, xml.etree.ElementTree as ET, glob
      from sklearn.metrics import roc_auc_score
      r = json.load(open("report/interpret/interpret.json"))
      f = h5py.File("features/test.h5"); x = f["tracks"][...]; y = f["vertices"][...]; l = f["labels"][:, 1]
      s = ort.InferenceSession("models/in.onnx", providers=["CPUExecutionProvider"])
      score = lambda x, y: s.run(["probabilities"], {"tracks": x, "vertices": y})[0][:, 1]
      base = roc_auc_score(l, score(x, y))
      assert abs(base - r["auc"]) < 1e-6, (base, r["auc"])
      for i, t in enumerate(r["masking"]["tracks"]):
          xm = x.copy(); xm[:, i, :] = 0
          d = (base - roc_auc_score(l, score(xm, y))) * 100
          assert abs(d - t["delta_auc_percent"]) < 1e-4, (i, d, t)
      assert [t["feature"] for t in r["masking"]["tracks"]] == ["track_ptrel", "track_erel"]
      th = r["masking"]["thresholds"]
      assert th[1]["tracks_masked"] == 2 and th[1]["vertices_masked"] == 2   # everything masked
      assert 0 <= th[1]["fidelity_percent"] <= 100 and th[0]["fidelity_percent"] <= 100
      for c in r["rna"]:
          assert 0 <= c["sparsity"] <= 1
          for name, v in c["rna"].items():
              assert max(v) in (0.0, 1.0) and min(v) >= 0, name
      for svg in glob.glob("report/interpret/*.svg"):
          assert ET.parse(svg).getroot().tag.endswith("svg"), svg
      for c in r["lrp"]["classes"]:
          if c["jets"]:
              total = sum(c["track_features"].values()) + sum(c["vertex_features"].values())
              assert 0.5 < total < 1.5, total   # per-jet relevances are normalised to ≈ 1
      print("ok", len(glob.glob("report/interpret/*.svg")))
      """
    let out = try Shell.run([python, "-c", check], in: ws.root)
    #expect(out.stdout == "ok 9\n", "\(out.stdout)\(out.stderr)")

    // The HTML report embeds every chart inline; each embedded SVG parses as XML.
    let report = try CLIProcess.run(["report", "--out", "report.html"], in: ws.root)
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stdout.contains("(10 charts)"), "interpret charts + training curves")
    let parse = """
      import re, xml.etree.ElementTree as ET
      html = open("report.html", encoding="utf-8").read()
      svgs = re.findall(r"<svg.*?</svg>", html, re.S)
      for s in svgs: ET.fromstring(s)
      assert "<h2>Stages</h2>" in html and "interpret" in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
      print(len(svgs))
      """
    let parsed = try Shell.run([python, "-c", parse], in: ws.root)
    // The pipeline graph, the 9 interpret charts, the training curves as two panels (loss;
    // validation accuracy).
    #expect(parsed.stdout == "12\n", "\(parsed.stdout)\(parsed.stderr)")
  }
}
