import Foundation
import FairflowTesting
import Testing

/// `fairflow report` on a tiny matrix study (generate → convert → train ×3 → evaluate ×3 with
/// gates → aggregate, seconds in all), checked as a browser sees it: headless Chromium's DOM
/// (summary first, the graph as SVG with one node per stage group, the three ROC curves in one
/// chart with a legend entry per seed, the matrix tables with a mean ± std row), every inline
/// SVG parsed as XML by Python's xml.etree, nothing loaded from outside, and a PNG rendered by
/// scripts/render-report. scripts/install-deps installs Chromium when it can; without it the
/// test is skipped and says why.
@Suite struct ReportCLITests {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  /// The first of chromium, chromium-browser, google-chrome on PATH.
  static let chromium: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }()

  static let seedMetrics =
    "[metrics/evaluate/seed-1.json, metrics/evaluate/seed-2.json, metrics/evaluate/seed-3.json]"

  static let pipeline = """
    pipeline: tiny-study
    stages:
      generate:
        uses: generate
        outs: [data/raw]
        with: {kind: hbb-jets, count: 3000, seed: 3, output: data/raw/jets.h5}
      convert:
        uses: convert
        deps: [data/raw]
        outs: [data/features]
        with:
          format: raw-hdf5
          inputs: [data/raw]
          collections:
            tracks: {branches: [track_ptrel, track_erel, trackBTag_Sip2dSig], max: 6, sort_by: trackBTag_Sip2dSig, layout: feature-major}
            vertices: {branches: [sv_ptrel, sv_pt, sv_mass], max: 2, sort_by: sv_pt, layout: feature-major}
          labels: [fj_isQCD, fj_isH]
          split: {fractions: {train: 0.6, validation: 0.2, test: 0.2}, seed: 3}
          output: data/features
      train:
        matrix: {seed: [1, 2, 3]}
        uses: train
        deps: [data/features]
        outs: ["models/seed-${matrix.seed}"]
        metrics: ["metrics/train/seed-${matrix.seed}.json"]
        with:
          model: interaction-network
          architecture: {hidden: 8, edge_features: 4, output_features: 4}
          train: data/features/train.h5
          validation: data/features/validation.h5
          epochs: 3
          batch_size: 64
          seed: "${matrix.seed}"
          threads: 1
          output: models/seed-${matrix.seed}
          metrics: metrics/train/seed-${matrix.seed}.json
      evaluate:
        matrix: {seed: [1, 2, 3]}
        uses: evaluate
        deps: ["models/seed-${matrix.seed}", data/features/test.h5]
        outs: ["plots/seed-${matrix.seed}"]
        metrics: ["metrics/evaluate/seed-${matrix.seed}.json"]
        with:
          model: models/seed-${matrix.seed}
          data: data/features/test.h5
          output: metrics/evaluate/seed-${matrix.seed}.json
          plots: plots/seed-${matrix.seed}
          # rows: 600, a gate that must fail; accuracy: no baseline, so nothing to check
          gates: {auc: {min: 0.5}, rows: {min: 1000}, accuracy: {max_drop: 0.01}}
      aggregate:
        uses: aggregate
        deps: \(seedMetrics)
        outs: [report/table.md]
        metrics: [metrics/aggregate.json]
        with:
          inputs: \(seedMetrics)
          metrics: [accuracy, auc]
          output: metrics/aggregate.json
          table: report/table.md
          title: "Accuracy and AUC over 3 seeds (mean ± sample std)"
    """

  @Test(
    .enabled(
      // In CI (CI=true) the page must be rendered: a missing chromium fails the test below.
      if: chromium != nil || ProcessInfo.processInfo.environment["CI"] == "true",
      "no chromium on PATH (scripts/install-deps installs it where it can): not rendered"))
  func chromiumShowsTheSummaryTheGraphTheOverlayAndTheMatrixTable() throws {
    guard Self.chromium != nil else {
      Issue.record("CI=true but no chromium on PATH: scripts/install-deps could not install it")
      return
    }
    let ws = try TemporaryWorkspace("report")
    defer { ws.destroy() }
    try ws.write("pipelines/tiny.yaml", Self.pipeline)
    try ws.write(".gitignore", "cache/\ndata/\nmodels/\nplots/\nmetrics/\nreport/\n*.html\n")
    try ws.initGitRepository()
    let run = try CLIProcess.run(["run", "tiny"], in: ws.root)
    #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
    let report = try CLIProcess.run(["report", "tiny", "--out", "report.html"], in: ws.root)
    #expect(report.status == 0, "\(report.stdout)\(report.stderr)")
    let html = try ws.read("report.html")
    // Offline: the only URL is the SVG namespace.
    let urls = html.components(separatedBy: "http").count - 1
    let namespaces = html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1
    #expect(urls == namespaces, "the report refers to something outside itself")

    let dom = try Shell.run(
      [
        "timeout", "120", Self.chromium!, "--headless", "--no-sandbox", "--disable-gpu",
        "--dump-dom", "file://" + ws.path("report.html"),
      ], in: ws.root)
    #expect(dom.status == 0, "\(dom.stderr.suffix(600))")
    try checkDOM(dom.stdout)
    try checkSVGsParse(ws)
    let png = try Shell.run(
      [Self.repository + "/scripts/render-report", "report.html", "report.png", "1280"],
      in: ws.root)
    #expect(png.status == 0, "\(png.stdout)\(png.stderr)")
    #expect(try ws.readBytes("report.png").prefix(4) == [0x89, 0x50, 0x4E, 0x47])
  }

  /// The rendered page's structure.
  func checkDOM(_ dom: String) throws {
    // The summary is the first section, and it leads with the verdict: the three failing gates
    // named, the passing ones counted.
    let sections = dom.components(separatedBy: "<section id=\"").dropFirst().map {
      String($0.prefix { $0 != "\"" })
    }
    #expect(sections == ["summary", "graph", "metrics", "charts", "provenance", "stages"])
    let summary = try #require(
      Self.element(dom, from: "<section id=\"summary\">", to: "</section>"))
    #expect(summary.contains("<div class=\"verdict fail\">Failed: 3 gates failed."))
    for seed in 1...3 {
      #expect(
        summary.contains(
          "<li>gate <code>evaluate@seed=\(seed)</code> rows: 600 (allowed ≥ 1000)</li>"))
    }
    #expect(summary.contains("3 of 9 fail"), "\(summary)")
    // The relative gate without a baseline is shown as not checked, not as a pass.
    #expect(dom.contains("<span class=\"unchecked\" title=\"no baseline: not checked\">–</span>"))
    #expect(summary.contains("clean tree"))
    #expect(summary.contains("<h4>Accuracy and AUC over 3 seeds (mean ± sample std)</h4>"))
    // The graph: an SVG with one node per stage group (the matrices folded), all up to date.
    let dag = try #require(
      Self.element(dom, from: "<svg", containing: "class=\"dag\"", to: "</svg>"))
    let nodes = dag.components(separatedBy: "<g class=\"node\" data-stage=\"").dropFirst().map {
      String($0.prefix { $0 != "\"" })
    }
    #expect(nodes == ["generate", "convert", "train", "evaluate", "aggregate"])
    #expect(dag.contains(">train ×3<") && dag.contains(">evaluate ×3<"))
    #expect(Self.count("data-status=\"up-to-date\"", in: dag) == 5)
    #expect(Self.count("class=\"edge\"", in: dag) == 4)
    // One ROC chart for the three seeds, a legend entry each.
    #expect(Self.count("<figure class=\"roc-overlay\"", in: dom) == 1)
    let roc = try #require(
      Self.element(dom, from: "<figure class=\"roc-overlay\"", to: "</figure>"))
    #expect(Self.count("<polyline", in: roc) >= 3)
    let entries = roc.components(separatedBy: "<g class=\"legend-entry\">").dropFirst()
    #expect(entries.count == 3)
    for (seed, entry) in zip(1..., entries) { #expect(entry.contains(">seed \(seed) · AUC 0.")) }
    #expect(roc.contains("false positive rate") && roc.contains("true positive rate"))
    // Training curves: loss and accuracy in separate panels.
    let curves = try #require(
      Self.element(dom, from: "<figure class=\"training-curves", to: "</figure>"))
    #expect(Self.count("<svg", in: curves) == 2)
    #expect(curves.contains(">Loss<") && curves.contains(">Validation accuracy<"))
    // The matrix tables: a row per seed and a mean ± std row, numbers at four digits.
    let metrics = try #require(
      Self.element(dom, from: "<section id=\"metrics\">", to: "</section>"))
    #expect(Self.count("<table class=\"matrix\">", in: metrics) >= 2)
    #expect(Self.count("<tr class=\"mean-std\">", in: metrics) >= 2)
    let rows = metrics.components(separatedBy: "<tr class=\"mean-std\"><td>mean ± std</td>")
    #expect(rows.count >= 3 && rows[1].contains(" ± "))
    #expect(metrics.range(of: #"\d\.\d{6,}"#, options: .regularExpression) == nil)
  }

  /// Every `<svg …>…</svg>` of the report file parses with xml.etree.
  func checkSVGsParse(_ ws: TemporaryWorkspace) throws {
    guard let python = PythonPeer.interpreter else {
      if PythonPeer.required { Issue.record("no Python peer venv: run scripts/install-deps") }
      return
    }
    let script = """
      import re, xml.etree.ElementTree as ET
      html = open("report.html", encoding="utf-8").read()
      svgs, depth, start = [], 0, 0
      for tag in re.finditer(r"<svg\\b|</svg>", html):
          if tag.group() != "</svg>":
              depth, start = depth + 1, start if depth else tag.start()
          else:
              depth -= 1
              if depth == 0:
                  svgs.append(html[start:tag.end()])
      for svg in svgs:
          root = ET.fromstring(svg)
          assert root.tag == "{http://www.w3.org/2000/svg}svg", root.tag
      print(len(svgs))
      """
    let out = try Shell.run([python, "-c", script], in: ws.root)
    #expect(out.status == 0, "\(out.stdout)\(out.stderr)")
    #expect((Int(out.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= 4)
  }

  /// The text from the first `from` (whose opening tag contains `containing`) to the next `to`.
  static func element(
    _ text: String, from start: String, containing marker: String? = nil, to end: String
  ) -> String? {
    var searchStart = text.startIndex
    while let open = text.range(of: start, range: searchStart..<text.endIndex) {
      let tagEnd = text[open.upperBound...].firstIndex(of: ">") ?? text.endIndex
      if let marker, !text[open.lowerBound..<tagEnd].contains(marker) {
        searchStart = open.upperBound
        continue
      }
      guard let close = text.range(of: end, range: open.upperBound..<text.endIndex) else {
        return nil
      }
      return String(text[open.lowerBound..<close.upperBound])
    }
    return nil
  }

  static func count(_ needle: String, in text: String) -> Int {
    text.components(separatedBy: needle).count - 1
  }
}
