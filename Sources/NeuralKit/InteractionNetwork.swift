internal import FairflowBase
/// The interaction network of the FAIR H→bb tagger (reference: hbb-in.md §3), baseline without
/// the vertex–vertex branch: track–track and track–vertex edge MLPs (f_R^pp, f_R^vp), aggregation
/// to receiving tracks, a per-track MLP (f_O), a sum over all track slots (padded ones included)
/// and a linear classifier. Receiver/sender aggregation is gather + scatter-add over the edge
/// lists, equal to the dense 0/1 interaction-matrix products (tested).
public struct InteractionNetwork: Sendable {
  public struct Configuration: Sendable, Equatable, Codable {
    public var trackFeatures = 30  // P
    public var tracks = 60  // N
    public var vertexFeatures = 14  // S
    public var vertices = 5  // Nv
    public var hidden = 60
    public var edgeFeatures = 20  // De
    public var outputFeatures = 24  // Do
    public var classes = 2
    public init() {}
  }

  public let configuration: Configuration
  public let fRpp: MLP
  public let fRvp: MLP
  public let fO: MLP
  public let classifier: Linear

  public init(_ c: Configuration = Configuration(), seed: UInt64) {
    configuration = c
    var g = SeededGenerator(seed: seed)
    let h = c.hidden
    fRpp = MLP(
      names: ["fr1", "fr2", "fr3"], widths: [2 * c.trackFeatures, h, h, c.edgeFeatures],
      finalActivation: true, generator: &g)
    fRvp = MLP(
      names: ["fr1_pv", "fr2_pv", "fr3_pv"],
      widths: [c.trackFeatures + c.vertexFeatures, h, h, c.edgeFeatures], finalActivation: true,
      generator: &g)
    fO = MLP(
      names: ["fo1", "fo2", "fo3"],
      widths: [c.trackFeatures + 2 * c.edgeFeatures, h, h, c.outputFeatures], finalActivation: true,
      generator: &g)
    classifier = Linear(
      name: "fc_fixed", inputs: c.outputFeatures, outputs: c.classes, generator: &g)
  }

  /// In the reference state-dict order: fr1…fr3, fr1_pv…fr3_pv, fo1…fo3, fc_fixed.
  public var parameters: [Parameter] {
    fRpp.parameters + fRvp.parameters + fO.parameters + classifier.parameters
  }

  public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

  /// Edge index lists for a batch of `batch` samples.
  struct Edges {
    var receivers: [Int32] = []
    var senders: [Int32] = []
    var trackSide: [Int32] = []
    var vertexSide: [Int32] = []
  }

  func edges(batch: Int) -> Edges {
    let n = configuration.tracks
    let nv = configuration.vertices
    var e = Edges()
    for b in 0..<batch {
      for r in 0..<n {
        for s in 0..<n where s != r {
          e.receivers.append(Int32(b * n + r))
          e.senders.append(Int32(b * n + s))
        }
      }
      for k in 0..<n {
        for v in 0..<nv {
          e.trackSide.append(Int32(b * n + k))
          e.vertexSide.append(Int32(b * nv + v))
        }
      }
    }
    return e
  }

  /// Logits `[B, classes]` for tracks `[B, P, N]` and vertices `[B, S, Nv]` (feature-major, as
  /// `convert` writes them with `layout: feature-major`).
  public func callAsFunction(_ tape: Tape, tracks: Tensor, vertices: Tensor) -> Tape.Variable {
    let c = configuration
    precondition(tracks.shape.dropFirst() == [c.trackFeatures, c.tracks])
    precondition(vertices.shape.dropFirst() == [c.vertexFeatures, c.vertices])
    let batch = tracks.shape[0]
    let xo = tracks.swappingLastTwoAxes()
    let yo = vertices.swappingLastTwoAxes()
    let x = tape.constant(Tensor(shape: [batch * c.tracks, c.trackFeatures], data: xo.data))
    let y = tape.constant(Tensor(shape: [batch * c.vertices, c.vertexFeatures], data: yo.data))
    let e = edges(batch: batch)
    // First edge layers straight from the objects (`pairwiseLinear` = linear over the gathered,
    // concatenated endpoints, receiver/track first), then the rest of each edge MLP.
    func edgeMLP(_ m: MLP, _ first: Tape.Variable) -> Tape.Variable {
      var h = tape.relu(first)
      for (i, layer) in m.layers.dropFirst().enumerated() {
        h = layer(tape, h)
        if i < m.layers.count - 2 || m.finalActivation { h = tape.relu(h) }
      }
      return h
    }
    let l1 = fRpp.layers[0]
    let pp = tape.pairwiseLinear(
      x, e.receivers, x, e.senders, weight: tape.parameter(l1.weight), bias: tape.parameter(l1.bias)
    )
    let epp = tape.scatterAddRows(edgeMLP(fRpp, pp), e.receivers, rows: batch * c.tracks)
    let l1v = fRvp.layers[0]
    let pv = tape.pairwiseLinear(
      x, e.trackSide, y, e.vertexSide, weight: tape.parameter(l1v.weight),
      bias: tape.parameter(l1v.bias))
    let epv = tape.scatterAddRows(edgeMLP(fRvp, pv), e.trackSide, rows: batch * c.tracks)
    let o = fO(tape, tape.concatColumns([x, epp, epv]))
    let summed = tape.sumGroups(o, size: c.tracks)
    return classifier(tape, summed)
  }
}
