public import FairflowCore
public import FairflowEngine
internal import FairflowStore
internal import HDF5
internal import NeuralKit
internal import Glibc

/// `uses: generate`: deterministic synthetic data from a seed (docs/generate.md).
///
/// - `hbb-jets`: raw jets in the CMS Hbb ntuple schema (hbb-in.md): jet-level `fj_pt`,
///   `fj_sdmass`, labels `fj_isQCD`/`fj_isH`, counters `ntrack`/`nsv`, and the 30 track and 14
///   secondary-vertex feature branches, jagged. H→bb jets have displaced tracks (impact-parameter
///   significance), more and heavier secondary vertices and a jet mass near 125 GeV; QCD jets
///   overlap them enough that the interaction network's AUC lands around 0.95–0.99.
///   Written as a raw HDF5 branch file (one dataset per branch; jagged branches carry a `counter`
///   attribute), which `convert` reads like a ROOT tree.
/// - `bragg-peaks`: 11×11 patches with a pseudo-Voigt peak at a sub-pixel position, background and
///   Poisson-like noise, min-max normalised, in BraggNN's layout (`patch` [N, 1, 11, 11], `ploc`
///   [N, 2] = (column, row) / 11).
public struct GenerateStage: BuiltinStage {
  public let name = "generate"
  public let version = 3

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
    guard rename(partial, output) == 0 else { throw ConvertError("cannot write \(output)") }
    print("generate: \(count) \(kind) (seed \(seed)) → \(config["output"]?.stringValue ?? "")")
  }
}

/// Gaussian and other draws from the seeded generator.
struct Draw {
  var g: SeededGenerator
  mutating func uniform() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
  mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
  mutating func normal(_ mean: Double = 0, _ sd: Double = 1) -> Double {
    let u = max(uniform(), 1e-300)
    return mean + sd * (-2 * log(u)).squareRoot() * cos(2 * Double.pi * uniform())
  }
  mutating func integer(_ range: ClosedRange<Int>) -> Int {
    range.lowerBound + Int(g.next() % UInt64(range.count))
  }
  mutating func exponential(_ mean: Double) -> Double { -mean * log(max(uniform(), 1e-300)) }
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

enum BraggPeaks {
  static func write(count n: Int, seed: UInt64, to path: String) throws {
    var d = Draw(g: SeededGenerator(seed: seed))
    let size = 11
    var patches = [Float](repeating: 0, count: n * size * size)
    var ploc = [Float]()
    for i in 0..<n {
      let cx = d.uniform(3.5, 6.5)
      let cy = d.uniform(3.5, 6.5)
      let width = d.uniform(0.9, 1.6)
      let eta = d.uniform(0.1, 0.6)  // Lorentzian fraction of the pseudo-Voigt
      let amplitude = d.uniform(200, 1000)
      let background = d.uniform(5, 30)
      // Real detector patches often hold part of a neighbouring reflection and a sloped
      // background, which bias a plain centre of mass; a network can learn to ignore both.
      let neighbour = d.uniform() < 0.7
      let (nx, ny) =
        d.uniform() < 0.5
        ? (d.uniform() < 0.5 ? -1.5 : 11.5, d.uniform(0, 10))
        : (d.uniform(0, 10), d.uniform() < 0.5 ? -1.5 : 11.5)
      let nAmplitude = amplitude * d.uniform(0.3, 0.9)
      let (gx, gy) = (d.normal(0, 2), d.normal(0, 2))
      var values = [Double](repeating: 0, count: size * size)
      for y in 0..<size {
        for x in 0..<size {
          let r2 = (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy)
          let gauss = exp(-r2 / (2 * width * width))
          let lorentz = 1 / (1 + r2 / (width * width))
          var mean =
            background + gx * Double(x) + gy * Double(y) + 20
            + amplitude * ((1 - eta) * gauss + eta * lorentz)
          if neighbour {
            let n2 = (Double(x) - nx) * (Double(x) - nx) + (Double(y) - ny) * (Double(y) - ny)
            mean += nAmplitude * exp(-n2 / (2 * width * width))
          }
          mean = max(mean, 0)
          values[y * size + x] = max(0, d.normal(mean, mean.squareRoot()))
        }
      }
      let lo = values.min()!
      let hi = values.max()!
      for k in 0..<(size * size) {
        patches[i * size * size + k] = Float(hi > lo ? (values[k] - lo) / (hi - lo) : values[k])
      }
      ploc += [Float(cx / Double(size)), Float(cy / Double(size))]
    }
    let file = try HDF5File.create(path)
    defer { file.close() }
    try file.attributes.set("generator", to: "bragg-peaks/1")
    try file.attributes.set("seed", to: Int64(bitPattern: seed))
    let options = HDF5DatasetOptions(chunkRows: 4096, compressionLevel: 1, shuffle: true)
    _ = try file.root.createDataset(
      "patch", values: patches, shape: [n, 1, size, size], options: options)
    _ = try file.root.createDataset("ploc", values: ploc, shape: [n, 2], options: options)
    try file.flush()
  }
}
