/// Layer-wise relevance propagation through the interaction network, as in the FAIR H→bb study
/// (reference: hbb-in.md §6.2): dense layers with the ε / γ rules (no bias terms), the
/// sum-over-tracks node (eq. 5) and the interaction-matrix nodes (eq. 6), down to every track and
/// vertex feature; each jet's relevances are divided by its starting relevance (the target
/// logit), so they sum to ≈ 1.
extension InteractionNetwork {
  public enum LRPRule: Sendable, Equatable {
    /// LRP-0 (ε only replaces exact zeros by ε/10).
    case zero
    /// LRP-ε: z + ε·sign(z).
    case epsilon(Double)
    /// LRP-γ: w′ = w + γ·max(w, 0).
    case gamma(Double)
  }

  /// Relevance `[B, P, N]` of the track inputs and `[B, S, Nv]` of the vertex inputs (feature-major
  /// like the inputs) for class `targets[b]` of each jet.
  ///
  /// `stabilizer` is the reference's +1e-5 in the denominators of eqs. 5–6 (0 gives exact
  /// conservation; a zero denominator then contributes nothing, as its numerator is zero too).
  public func relevance(
    tracks: Tensor, vertices: Tensor, targets: [Int], rule: LRPRule, epsilon: Double = 0.4,
    stabilizer: Double = 1e-5
  ) -> (tracks: [Double], vertices: [Double]) {
    func ratio(_ a: Double, _ b: Double) -> Double {
      b + stabilizer == 0 ? 0 : a / (b + stabilizer)
    }
    let c = configuration
    let (p, n, s, nv, de) = (
      c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices, c.edgeFeatures
    )
    let batch = tracks.shape[0]
    let xo = tracks.swappingLastTwoAxes().data
    let yo = vertices.swappingLastTwoAxes().data
    var outTracks = [Double](repeating: 0, count: batch * p * n)
    var outVertices = [Double](repeating: 0, count: batch * s * nv)

    func weights(_ l: Linear) -> (w: [Double], rows: Int, cols: Int, b: [Double]) {
      (
        l.weight.value.data.map(Double.init), l.weight.value.rows, l.weight.value.columns,
        l.bias.value.data.map(Double.init)
      )
    }
    func modified(_ w: Double) -> Double {
      if case .gamma(let g) = rule { return w + g * max(w, 0) }
      return w
    }
    func forward(_ layers: [Linear], _ input: [Double]) -> [[Double]] {
      var acts = [input]
      for l in layers {
        let (w, rows, cols, b) = weights(l)
        let a = acts.last!
        var out = [Double](repeating: 0, count: rows)
        for o in 0..<rows {
          var sum = b[o]
          for j in 0..<cols { sum += w[o * cols + j] * a[j] }
          out[o] = max(0, sum)
        }
        acts.append(out)
      }
      return acts
    }
    /// The dense rule: R_j = a_j Σ_k w′_jk R_k / z_k.
    func back(_ l: Linear, _ a: [Double], _ r: [Double]) -> [Double] {
      let (w, rows, cols, _) = weights(l)
      var out = [Double](repeating: 0, count: cols)
      for k in 0..<rows {
        var z = 0.0
        for j in 0..<cols { z += a[j] * modified(w[k * cols + j]) }
        if z == 0 { z = epsilon / 10 }
        if case .epsilon(let e) = rule { z += e * (z >= 0 ? 1 : -1) }
        let f = r[k] / z
        for j in 0..<cols { out[j] += a[j] * modified(w[k * cols + j]) * f }
      }
      return out
    }
    func backMLP(_ m: MLP, _ acts: [[Double]], _ r: [Double]) -> [Double] {
      var rel = r
      for (i, layer) in m.layers.enumerated().reversed() { rel = back(layer, acts[i], rel) }
      return rel
    }

    for b in 0..<batch {
      let x = (0..<n).map { k in (0..<p).map { Double(xo[(b * n + k) * p + $0]) } }
      let y = (0..<nv).map { v in (0..<s).map { Double(yo[(b * nv + v) * s + $0]) } }
      var ppEdges: [(r: Int, s: Int, acts: [[Double]])] = []
      var ebarPP = [[Double]](repeating: [Double](repeating: 0, count: de), count: n)
      for r in 0..<n {
        for sd in 0..<n where sd != r {
          let acts = forward(fRpp.layers, x[r] + x[sd])
          ppEdges.append((r, sd, acts))
          for k in 0..<de { ebarPP[r][k] += acts.last![k] }
        }
      }
      var pvEdges: [(k: Int, v: Int, acts: [[Double]])] = []
      var ebarPV = [[Double]](repeating: [Double](repeating: 0, count: de), count: n)
      for k in 0..<n {
        for v in 0..<nv {
          let acts = forward(fRvp.layers, x[k] + y[v])
          pvEdges.append((k, v, acts))
          for j in 0..<de { ebarPV[k][j] += acts.last![j] }
        }
      }
      let objects = (0..<n).map { forward(fO.layers, x[$0] + ebarPP[$0] + ebarPV[$0]) }
      let d = c.outputFeatures
      var obar = [Double](repeating: 0, count: d)
      for o in objects { for k in 0..<d { obar[k] += o.last![k] } }
      let (wf, _, colsF, bf) = weights(classifier)
      let t = targets[b]
      var logit = bf[t]
      for k in 0..<colsF { logit += wf[t * colsF + k] * obar[k] }
      // Classifier: one output (the target logit).
      var z = 0.0
      for k in 0..<d { z += obar[k] * modified(wf[t * colsF + k]) }
      if z == 0 { z = epsilon / 10 }
      if case .epsilon(let e) = rule { z += e * (z >= 0 ? 1 : -1) }
      let rbar = (0..<d).map { obar[$0] * modified(wf[t * colsF + $0]) * logit / z }
      // Sum over tracks (eq. 5), then f_O for each track.
      var rx = [[Double]](repeating: [Double](repeating: 0, count: p), count: n)
      var rEbarPP = [[Double]](repeating: [Double](repeating: 0, count: de), count: n)
      var rEbarPV = rEbarPP
      for m in 0..<n {
        let o = objects[m].last!
        let r = (0..<d).map { o[$0] * ratio(rbar[$0], obar[$0]) }
        let rc = backMLP(fO, objects[m], r)
        for j in 0..<p { rx[m][j] += rc[j] }
        for j in 0..<de {
          rEbarPP[m][j] = rc[p + j]
          rEbarPV[m][j] = rc[p + de + j]
        }
      }
      var ry = [[Double]](repeating: [Double](repeating: 0, count: s), count: nv)
      // Interaction nodes (eq. 6) and the edge MLPs.
      for e in ppEdges {
        let em = e.acts.last!
        let r = (0..<de).map { em[$0] * ratio(rEbarPP[e.r][$0], ebarPP[e.r][$0]) }
        let rin = backMLP(fRpp, e.acts, r)
        for j in 0..<p {
          rx[e.r][j] += rin[j]
          rx[e.s][j] += rin[p + j]
        }
      }
      for e in pvEdges {
        let em = e.acts.last!
        let r = (0..<de).map { em[$0] * ratio(rEbarPV[e.k][$0], ebarPV[e.k][$0]) }
        let rin = backMLP(fRvp, e.acts, r)
        for j in 0..<p { rx[e.k][j] += rin[j] }
        for j in 0..<s { ry[e.v][j] += rin[p + j] }
      }
      let scale = logit == 0 ? 0 : 1 / logit
      for f in 0..<p { for k in 0..<n { outTracks[(b * p + f) * n + k] = rx[k][f] * scale } }
      for f in 0..<s { for v in 0..<nv { outVertices[(b * s + f) * nv + v] = ry[v][f] * scale } }
    }
    return (outTracks, outVertices)
  }
}
