internal import FairflowBase
internal import HDF5

/// Raw jets in the CMS Hbb ntuple schema (hbb-in.md), as `generate` writes them: jet-level
/// `fj_pt`, `fj_sdmass`, labels `fj_isQCD`/`fj_isH`, counters `ntrack`/`nsv`, and the 30 track and
/// 14 secondary-vertex feature branches, jagged (one flat dataset each with a `counter`
/// attribute). H→bb jets have displaced tracks, more and heavier secondary vertices and a mass
/// near 125 GeV; a few jets of each class look like the other.
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
    var columns = Columns()
    for _ in 0..<n { columns.appendJet(&d) }
    try columns.write(to: path, seed: seed)
  }

  /// One track feature of a track (`displaced`: a b-hadron decay product of impact-parameter
  /// significance `sip`).
  static func trackFeature(
    _ name: String, displaced: Bool, sip: Double, _ d: inout Draw
  ) -> Double {
    switch name {
    case "track_ptrel": return d.exponential(0.05)
    case "track_erel": return d.exponential(0.05)
    case "track_deltaR": return abs(d.normal(displaced ? 0.15 : 0.3, 0.15))
    case "trackBTag_Sip2dSig", "trackBTag_Sip3dSig", "track_dxysig":
      return sip * d.uniform(0.8, 1.2)
    case "trackBTag_Sip2dVal", "trackBTag_Sip3dVal", "track_dxy":
      return sip * 0.01 * d.uniform(0.5, 1.5)
    case "trackBTag_EtaRel": return abs(d.normal(displaced ? 1.5 : 2.5, 0.8))
    case "track_quality": return Double(d.integer(0...5))
    default: return d.normal(0, 1)
    }
  }

  /// One feature of a secondary vertex (`heavy`: a b-hadron decay vertex).
  static func vertexFeature(_ name: String, heavy: Bool, _ d: inout Draw) -> Double {
    switch name {
    case "sv_mass": return abs(d.normal(heavy ? 2.8 : 1.1, heavy ? 0.9 : 0.6))
    case "sv_pt": return d.exponential(heavy ? 90 : 40)
    case "sv_ptrel": return d.exponential(heavy ? 0.25 : 0.1)
    case "sv_ntracks": return Double(heavy ? d.integer(2...6) : d.integer(2...3))
    case "sv_dxysig", "sv_d3dsig": return abs(d.normal(heavy ? 12 : 4, 5))
    default: return d.normal(0, 1)
    }
  }

  /// The branches of the jets drawn so far, column by column (jagged ones flat).
  struct Columns {
    var pt = [Float](), mass = [Float](), isQCD = [Int32](), isH = [Int32]()
    var ntrack = [Int32](), nsv = [Int32]()
    var tracks = [[Float]](repeating: [], count: trackFeatures.count)
    var vertices = [[Float]](repeating: [], count: vertexFeatures.count)

    /// Draws one jet: its class, kinematics, and its tracks and vertices.
    mutating func appendJet(_ d: inout Draw) {
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
      for t in 0..<nt { appendTrack(t, looksSignal: looksSignal, &d) }
      for _ in 0..<ns { appendVertex(looksSignal: looksSignal, &d) }
    }

    /// Track `t` of a jet: the first five of a signal-like jet are mostly displaced.
    mutating func appendTrack(_ t: Int, looksSignal: Bool, _ d: inout Draw) {
      let displaced = looksSignal && t < 5 && d.uniform() < 0.9
      let sip = displaced ? abs(d.normal(4, 2.5)) : d.normal(0, 1.2)
      for (f, name) in trackFeatures.enumerated() {
        tracks[f].append(Float(trackFeature(name, displaced: displaced, sip: sip, &d)))
      }
    }

    /// A secondary vertex: most of a signal-like jet's are heavy.
    mutating func appendVertex(looksSignal: Bool, _ d: inout Draw) {
      let heavy = looksSignal && d.uniform() < 0.85
      for (f, name) in vertexFeatures.enumerated() {
        vertices[f].append(Float(vertexFeature(name, heavy: heavy, &d)))
      }
    }

    /// The raw HDF5 branch file `convert` reads like a ROOT tree (`fairflow_raw_format`
    /// jagged/1).
    func write(to path: String, seed: UInt64) throws {
      let file = try HDF5File.create(path)
      defer { file.close() }
      try file.attributes.set("fairflow_raw_format", to: "jagged/1")
      try file.attributes.set("entries", to: Int64(pt.count))
      try file.attributes.set("generator", to: "hbb-jets/1")
      try file.attributes.set("seed", to: Int64(bitPattern: seed))
      let options = HDF5DatasetOptions(chunkRows: 65536, compressionLevel: 1, shuffle: true)
      func flat<T: HDF5Scalar>(_ name: String, _ values: [T]) throws {
        _ = try file.root.createDataset(
          name, values: values, shape: [values.count], options: options)
      }
      try flat("fj_pt", pt)
      try flat("fj_sdmass", mass)
      try flat("fj_isQCD", isQCD)
      try flat("fj_isH", isH)
      try flat("ntrack", ntrack)
      try flat("nsv", nsv)
      func jagged(_ names: [String], _ values: [[Float]], counter: String) throws {
        for (f, name) in names.enumerated() {
          let ds = try file.root.createDataset(
            name, values: values[f], shape: [values[f].count], options: options)
          try ds.attributes.set("counter", to: counter)
        }
      }
      try jagged(trackFeatures, tracks, counter: "ntrack")
      try jagged(vertexFeatures, vertices, counter: "nsv")
      try file.flush()
    }
  }
}
