public import StageSupport
public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import HDF5
internal import NeuralKit
internal import Glibc
public import FairflowBase

/// `uses: generate`: deterministic synthetic data from a seed (docs/generate.md).
///
/// - `hbb-jets`: raw jets in the CMS Hbb ntuple schema (hbb-in.md): jet-level `fj_pt`,
///   `fj_sdmass`, labels `fj_isQCD`/`fj_isH`, counters `ntrack`/`nsv`, and the 30 track and 14
///   secondary-vertex feature branches, jagged. H→bb jets have displaced tracks (impact-parameter
///   significance), more and heavier secondary vertices and a jet mass near 125 GeV; QCD jets
///   overlap them enough that the interaction network's AUC lands around 0.95–0.99.
///   Written as a raw HDF5 branch file (one dataset per branch; jagged branches carry a `counter`
///   attribute), which `convert` reads like a ROOT tree.
/// - `bragg-peaks`: 11×11 patches after braggnn.md §7.2: a rotated pseudo-Voigt spot at a
///   sub-pixel centre in [4, 7), detector noise, dark subtraction and threshold, sometimes a
///   weaker neighbour, clean_patch, min-max normalised, in BraggNN's layout (`patch`
///   [N, 1, 11, 11], `ploc` [N, 2] = (column, row) / 11).
public struct GenerateStage: BuiltinStage {
  public let name = "generate"
  public let version = 5  // 5: NeuralKit's own transcendentals (machine-independent data)

  public init() {}

  public func validate(_ config: ConfigReader) throws(PipelineError) -> Value {
    var reader = config
    let kind = try reader.string("kind")
    guard ["hbb-jets", "bragg-peaks"].contains(kind) else {
      throw reader.error("unknown kind '\(kind)'", hint: "available: hbb-jets, bragg-peaks")
    }
    let count = try reader.int("count")
    guard count > 0, count <= 50_000_000 else {
      throw reader.error("'count' must be between 1 and 50,000,000")
    }
    let seed = try reader.int("seed", default: 1)
    let output = try reader.string("output")
    try reader.finish()
    return .map([
      ("kind", .string(kind)), ("count", .int(count)), ("seed", .int(seed)),
      ("output", .string(output)),
    ])
  }

  public func run(config: Value, stage: Stage, workspace: Workspace) async throws {
    let kind = config["kind"]?.stringValue ?? ""
    let count = config["count"]?.intValue ?? 0
    let seed = UInt64(bitPattern: Int64(config["seed"]?.intValue ?? 1))
    let output = workspace.root + "/" + (config["output"]?.stringValue ?? "generated.h5")
    let partial = output + ".partial"
    try FileIO.makeDirectories(FileIO.parent(of: output))
    if kind == "hbb-jets" {
      try HbbJets.write(count: count, seed: seed, to: partial)
    } else {
      try BraggPeaks.write(count: count, seed: seed, to: partial)
    }
    guard rename(partial, output) == 0 else { throw StageError("cannot write \(output)") }
    print("generate: \(count) \(kind) (seed \(seed)) → \(config["output"]?.stringValue ?? "")")
  }
}

/// Gaussian and other draws from the seeded generator. Transcendentals are NeuralKit's
/// (`Kernels`), not the platform libm's: the generated data are the same bits on every machine.
struct Draw {
  var g: SeededGenerator
  mutating func uniform() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
  mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
  mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Double {
    let u = max(uniform(), 1e-300)
    return mean + sd * (-2 * Kernels.log(u)).squareRoot() * Kernels.cosPi(2 * uniform())
  }
  mutating func integer(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(g.next() % UInt64(range.count))
  }
  mutating func exponential(_ mean: Double) -> Double {
    -mean * Kernels.log(max(uniform(), 1e-300))
  }
}

enum HbbJets {
  /// The feature names of hbb-in.md §1.4 (features_2: 30 track, features_3: 14 SV).
  static let trackFeatures = [
    "track_ptrel", "track_erel", "track_phirel", "track_etarel", "track_deltaR", "track_drminsv",
    "track_drsubjet1", "track_drsubjet2", "track_dz", "track_dzsig", "track_dxy", "track_dxysig",
    "track_normchi2", "track_quality", "track_dptdpt", "track_detadeta", "track_dphidphi",
    "track_dxydxy", "track_dzdz", "track_dxydz", "track_dphidxy", "track_dlambdadz",
    "trackBTag_EtaRel", "trackBTag_PtRatio", "trackBTag_PParRatio", "trackBTag_Sip2dVal",
    "trackBTag_Sip2dSig", "trackBTag_Sip3dVal", "trackBTag_Sip3dSig", "trackBTag_JetDistVal",
  ]
  static let vertexFeatures = [
    "sv_ptrel", "sv_erel", "sv_phirel", "sv_etarel", "sv_deltaR", "sv_pt", "sv_mass", "sv_ntracks",
    "sv_normchi2", "sv_dxy", "sv_dxysig", "sv_d3d", "sv_d3dsig", "sv_costhetasvpv",
  ]

  static func write(count n: Int, seed: UInt64, to path: String) throws {
    var d = Draw(g: SeededGenerator(seed: seed))
    var pt = [Float](), mass = [Float](), isQCD = [Int32](), isH = [Int32](), ntrack = [Int32](),
      nsv = [Int32]()
    var tracks = [[Float]](repeating: [], count: trackFeatures.count)
    var vertices = [[Float]](repeating: [], count: vertexFeatures.count)
    for _ in 0..<n {
      let signal = d.uniform() < 0.5
      isH.append(signal ? 1 : 0)
      isQCD.append(signal ? 0 : 1)
      pt.append(Float(d.uniform(300, 1000)))
      mass.append(Float(signal ? d.normal(125, 18) : 40 + d.exponential(60)))
      // A fraction of jets of each class look like the other (mislabelled / ambiguous topology).
      let looksSignal = signal ? d.uniform() > 0.05 : d.uniform() < 0.03
      let nt = looksSignal ? d.integer(6...30) : d.integer(3...24)
      let ns = looksSignal ? d.integer(1...4) : (d.uniform() < 0.5 ? 0 : d.integer(1...2))
      ntrack.append(Int32(nt))
      nsv.append(Int32(ns))
      for t in 0..<nt {
        let displaced = looksSignal && t < 5 && d.uniform() < 0.9
        let sip = displaced ? abs(d.normal(4, 2.5)) : d.normal(0, 1.2)
        for (f, name) in trackFeatures.enumerated() {
          var v: Double
          switch name {
          case "track_ptrel": v = d.exponential(0.05)
          case "track_erel": v = d.exponential(0.05)
          case "track_deltaR": v = abs(d.normal(displaced ? 0.15 : 0.3, 0.15))
          case "trackBTag_Sip2dSig", "trackBTag_Sip3dSig", "track_dxysig":
            v = sip * d.uniform(0.8, 1.2)
          case "trackBTag_Sip2dVal", "trackBTag_Sip3dVal", "track_dxy":
            v = sip * 0.01 * d.uniform(0.5, 1.5)
          case "trackBTag_EtaRel": v = abs(d.normal(displaced ? 1.5 : 2.5, 0.8))
          case "track_quality": v = Double(d.integer(0...5))
          default: v = d.normal(0, 1)
          }
          tracks[f].append(Float(v))
        }
      }
      for _ in 0..<ns {
        let heavy = looksSignal && d.uniform() < 0.85
        for (f, name) in vertexFeatures.enumerated() {
          var v: Double
          switch name {
          case "sv_mass": v = abs(d.normal(heavy ? 2.8 : 1.1, heavy ? 0.9 : 0.6))
          case "sv_pt": v = d.exponential(heavy ? 90 : 40)
          case "sv_ptrel": v = d.exponential(heavy ? 0.25 : 0.1)
          case "sv_ntracks": v = Double(heavy ? d.integer(2...6) : d.integer(2...3))
          case "sv_dxysig", "sv_d3dsig": v = abs(d.normal(heavy ? 12 : 4, 5))
          default: v = d.normal(0, 1)
          }
          vertices[f].append(Float(v))
        }
      }
    }
    let file = try HDF5File.create(path)
    defer { file.close() }
    try file.attributes.set("fairflow_raw_format", to: "jagged/1")
    try file.attributes.set("entries", to: Int64(n))
    try file.attributes.set("generator", to: "hbb-jets/1")
    try file.attributes.set("seed", to: Int64(bitPattern: seed))
    let options = HDF5DatasetOptions(chunkRows: 65536, compressionLevel: 1, shuffle: true)
    func flat<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
      _ = try file.root.createDataset(name, values: values, shape: [values.count], options: options)
    }
    try flat("fj_pt", pt)
    try flat("fj_sdmass", mass)
    try flat("fj_isQCD", isQCD)
    try flat("fj_isH", isH)
    try flat("ntrack", ntrack)
    try flat("nsv", nsv)
    for (f, name) in trackFeatures.enumerated() {
      let ds = try file.root.createDataset(
        name, values: tracks[f], shape: [tracks[f].count], options: options)
      try ds.attributes.set("counter", to: "ntrack")
    }
    for (f, name) in vertexFeatures.enumerated() {
      let ds = try file.root.createDataset(
        name, values: vertices[f], shape: [vertices[f].count], options: options)
      try ds.attributes.set("counter", to: "nsv")
    }
    try file.flush()
  }
}

/// BraggNN patches after braggnn.md §7.2: a pseudo-Voigt spot in its own rotated frame at a
/// sub-pixel centre, detector noise, dark subtraction, a threshold (real frames are thresholded),
/// optionally a weaker neighbouring spot near the border, clean_patch (§2.2 step 5) and per-patch
/// min-max normalisation. Values are sampled at pixel centres; pixel (r, c) is centred at (r, c).
enum BraggPeaks {
  static let size = 11

  /// I = μ·L + (1 − μ)·G in the frame (u, v) = R(φ)·(c − x0, r − y0).
  struct Spot {
    var x: Double, y: Double, cosPhi: Double, sinPhi: Double
    var sigmaU: Double, sigmaV: Double, gammaU: Double, gammaV: Double, mu: Double

    init(x: Double, y: Double, _ d: inout Draw) {
      self.x = x
      self.y = y
      let turn = d.uniform()  // φ = π·turn
      (cosPhi, sinPhi) = (Kernels.cosPi(turn), Kernels.sinPi(turn))
      (sigmaU, sigmaV) = (d.uniform(0.5, 2), d.uniform(0.5, 2))
      (gammaU, gammaV) = (d.uniform(0.5, 2), d.uniform(0.5, 2))
      mu = d.uniform()
    }

    func value(column c: Int, row r: Int) -> Double {
      let (dx, dy) = (Double(c) - x, Double(r) - y)
      let u = cosPhi * dx + sinPhi * dy
      let v = -sinPhi * dx + cosPhi * dy
      let g = Kernels.exp(-0.5 * (u * u / (sigmaU * sigmaU) + v * v / (sigmaV * sigmaV)))
      let l = 1 / ((1 + u * u / (gammaU * gammaU)) * (1 + v * v / (gammaV * gammaV)))
      return mu * l + (1 - mu) * g
    }
  }

  static func write(count n: Int, seed: UInt64, to path: String) throws {
    var d = Draw(g: SeededGenerator(seed: seed))
    var patches = [Float](repeating: 0, count: n * size * size)
    var ploc = [Float]()
    for i in 0..<n {
      // Centre in [psz//2, psz//2 + 1) (the label convention, §2.3) plus an integer shift of
      // −1, 0 or 1 (aug = 1): [4, 7) on both axes.
      let x0 = Double(size / 2) + d.uniform() + Double(d.integer(-1...1))
      let y0 = Double(size / 2) + d.uniform() + Double(d.integer(-1...1))
      let amplitude = 300 * Kernels.exp(d.uniform() * Kernels.log(50))  // 300–15,000, log-uniform
      let background = d.uniform(0, 100)
      let readNoise = d.uniform(0, 10)
      let spot = Spot(x: x0, y: y0, &d)
      // In 30% of patches a weaker reflection sits near the border, more than 3 px away; where it
      // touches the main spot above threshold it survives clean_patch, as in real frames.
      var neighbour: (spot: Spot, amplitude: Double)?
      if d.uniform() < 0.3 {
        let t = d.uniform(0, Double(size - 1))
        let edge = [0.5, Double(size) - 1.5][d.integer(0...1)]
        let (nx, ny) = d.uniform() < 0.5 ? (t, edge) : (edge, t)
        let other = Spot(x: nx, y: ny, &d)
        let scale = amplitude * d.uniform(0.1, 0.5)
        if ((nx - x0) * (nx - x0) + (ny - y0) * (ny - y0)).squareRoot() > 3 {
          neighbour = (other, scale)
        }
      }
      let threshold = d.uniform(0.02, 0.1) * amplitude
      var counts = [Double](repeating: 0, count: size * size)
      for r in 0..<size {
        for c in 0..<size {
          var mean = background + amplitude * spot.value(column: c, row: r)
          if let neighbour { mean += neighbour.amplitude * neighbour.spot.value(column: c, row: r) }
          // Counts with variance I + read noise² (Gaussian form), then the dark is subtracted
          // and pixels below threshold are zeroed.
          let v = d.normal(mean, (mean + readNoise * readNoise).squareRoot()) - background
          counts[r * size + c] = v < threshold ? 0 : v
        }
      }
      cleanPatch(&counts, row: y0, column: x0)
      let lo = counts.min()!
      let hi = counts.max()!
      for k in 0..<(size * size) {
        patches[i * size * size + k] = Float(hi > lo ? (counts[k] - lo) / (hi - lo) : counts[k])
      }
      ploc += [Float(x0 / Double(size)), Float(y0 / Double(size))]
    }
    let file = try HDF5File.create(path)
    defer { file.close() }
    try file.attributes.set("generator", to: "bragg-peaks/2")
    try file.attributes.set("seed", to: Int64(bitPattern: seed))
    let options = HDF5DatasetOptions(chunkRows: 4096, compressionLevel: 1, shuffle: true)
    _ = try file.root.createDataset(
      "patch", values: patches, shape: [n, 1, size, size], options: options)
    _ = try file.root.createDataset("ploc", values: ploc, shape: [n, 2], options: options)
    try file.flush()
  }

  /// braggnn.md §2.2 step 5: label the 8-connected components of the nonzero pixels; with more
  /// than one, keep the component whose local maxima (3×3, not on the 1-px border) have their mean
  /// closest to the peak position and zero the rest. Components without a local maximum are
  /// skipped.
  static func cleanPatch(_ p: inout [Double], row y0: Double, column x0: Double) {
    var label = [Int](repeating: 0, count: size * size)
    var components = 0
    for start in 0..<(size * size) where p[start] > 0 && label[start] == 0 {
      components += 1
      label[start] = components
      var stack = [start]
      while let k = stack.popLast() {
        let (r, c) = (k / size, k % size)
        for dr in -1...1 {
          for dc in -1...1 {
            let (rr, cc) = (r + dr, c + dc)
            guard rr >= 0, rr < size, cc >= 0, cc < size else { continue }
            let j = rr * size + cc
            if p[j] > 0 && label[j] == 0 {
              label[j] = components
              stack.append(j)
            }
          }
        }
      }
    }
    guard components > 1 else { return }
    var sums = [(row: Double, column: Double, count: Int)](
      repeating: (0, 0, 0), count: components + 1)
    for r in 1..<(size - 1) {
      for c in 1..<(size - 1) where p[r * size + c] > 0 {
        var isMaximum = true
        for dr in -1...1 {
          for dc in -1...1 where p[(r + dr) * size + c + dc] > p[r * size + c] {
            isMaximum = false
          }
        }
        if isMaximum {
          let l = label[r * size + c]
          sums[l] = (sums[l].row + Double(r), sums[l].column + Double(c), sums[l].count + 1)
        }
      }
    }
    var keep = 0
    var best = Double.infinity
    for l in 1...components where sums[l].count > 0 {
      let (mr, mc) = (sums[l].row / Double(sums[l].count), sums[l].column / Double(sums[l].count))
      let distance = ((mr - y0) * (mr - y0) + (mc - x0) * (mc - x0)).squareRoot()
      if distance < best { (best, keep) = (distance, l) }
    }
    guard keep > 0 else { return }
    for k in 0..<(size * size) where label[k] != keep { p[k] = 0 }
  }
}
