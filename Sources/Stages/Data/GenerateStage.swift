public import FairflowCore
public import FairflowEngine
public import StageSupport
internal import FairflowStore
internal import Glibc

/// `uses: generate`: deterministic synthetic data from a seed (docs/generate.md).
///
/// - `hbb-jets`: raw jets in the CMS Hbb ntuple schema (hbb-in.md): jet-level `fj_pt`,
///   `fj_sdmass`, labels `fj_isQCD`/`fj_isH`, counters `ntrack`/`nsv`, and the 30 track and 14
///   secondary-vertex feature branches, jagged. H→bb jets have displaced tracks (impact-parameter
///   significance), more and heavier secondary vertices and a jet mass near 125 GeV; QCD jets
///   overlap them enough that the interaction network's AUC lands around 0.95–0.99.
///   Written as a raw HDF5 branch file (one dataset per branch; jagged branches carry a `counter`
///   attribute), which `convert` reads like a ROOT tree (`HbbJets`).
/// - `bragg-peaks`: 11×11 patches after braggnn.md §7.2: a rotated pseudo-Voigt spot at a
///   sub-pixel centre in [4, 7), detector noise, dark subtraction and threshold, sometimes a
///   weaker neighbour, clean_patch, min-max normalised, in BraggNN's layout (`patch`
///   [N, 1, 11, 11], `ploc` [N, 2] = (column, row) / 11) (`BraggPeaks`).
public struct GenerateStage: TypedStage {
  public typealias Configuration = GenerateConfig
  public let name = "generate"
  public let version = 5  // 5: NeuralKit's own transcendentals (machine-independent data)

  public init() {}

  /// Writes the file under a temporary name and renames it when complete.
  public func run(_ config: GenerateConfig, stage: Stage, workspace: Workspace) async throws {
    let output = workspace.root + "/" + config.output
    let partial = output + ".partial"
    try FileIO.makeDirectories(FileIO.parent(of: output))
    switch config.kind {
    case .hbbJets: try HbbJets.write(count: config.count, seed: config.generatorSeed, to: partial)
    case .braggPeaks:
      try BraggPeaks.write(count: config.count, seed: config.generatorSeed, to: partial)
    }
    guard rename(partial, output) == 0 else { throw StageError("cannot write \(output)") }
    print(
      "generate: \(config.count) \(config.kind.rawValue) (seed \(config.generatorSeed)) → "
        + config.output)
  }
}
