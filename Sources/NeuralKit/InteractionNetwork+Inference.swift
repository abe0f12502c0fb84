/// A tape-free forward pass for inference, equal to `callAsFunction` up to float rounding
/// (tested), and several times faster:
/// - the first edge layer is split: `W·[x_r; x_s] = W_a·x_r + W_b·x_s`, so it is computed once
///   per track (N rows) instead of once per edge (N(N−1) rows), then added per edge;
/// - edges of one receiver are consecutive rows, so aggregation is a block sum;
/// - bias and ReLU are fused after each GEMM, and samples go through in chunks that stay in cache.
extension InteractionNetwork {
  /// Logits `[B, classes]`. Samples go `chunk` at a time on up to `threads` threads; each
  /// sample's result is independent of the others, so neither changes a bit.
  public func infer(tracks: Tensor, vertices: Tensor, chunk: Int = 2, threads: Int = 1) -> Tensor {
    let c = configuration
    let batch = tracks.shape[0]
    precondition(tracks.shape.dropFirst() == [c.trackFeatures, c.tracks])
    precondition(vertices.shape.dropFirst() == [c.vertexFeatures, c.vertices])
    var logits = [Float](repeating: 0, count: batch * c.classes)
    let xo = tracks.swappingLastTwoAxes().data  // [B·N, P]
    let yo = vertices.swappingLastTwoAxes().data  // [B·Nv, S]
    let chunks = (batch + chunk - 1) / chunk
    // Contiguous runs of chunks per thread (each writes only its samples' logits).
    let perThread = (chunks + max(threads, 1) - 1) / max(threads, 1)
    logits.withUnsafeMutableBufferPointer { logits in
      Kernels.parallelFor((chunks + perThread - 1) / max(perThread, 1), threads: threads) { part in
        for index in (part * perThread)..<min(chunks, (part + 1) * perThread) {
          let start = index * chunk
          let cs = min(chunk, batch - start)
          let x = Array(
            xo[(start * c.tracks * c.trackFeatures)..<((start + cs) * c.tracks * c.trackFeatures)])
          let y = Array(
            yo[
              (start * c.vertices * c.vertexFeatures)..<((start + cs) * c.vertices
                * c.vertexFeatures)]
          )
          let out = forwardChunk(x: x, y: y, samples: cs)
          for i in 0..<(cs * c.classes) { logits[start * c.classes + i] = out[i] }
        }
      }
    }
    return Tensor(shape: [batch, c.classes], data: logits)
  }

  func forwardChunk(
    x: [Float], y: [Float], samples cs: Int,
    record: ((_ layer: Int, _ values: [Float], _ width: Int, _ rowsPerSample: Int) -> Void)? = nil
  ) -> [Float] {
    let c = configuration
    let (p, n, s, nv, h) = (c.trackFeatures, c.tracks, c.vertexFeatures, c.vertices, c.hidden)
    let de = c.edgeFeatures
    // Track–track: first layer per track, then per edge.
    let w1 = fRpp.layers[0]
    let a = Self.gemm(
      x, rows: cs * n, inputs: p, weight: w1.weight.value.data, ldw: 2 * p, offset: 0, outputs: h)
    let bs = Self.gemm(
      x, rows: cs * n, inputs: p, weight: w1.weight.value.data, ldw: 2 * p, offset: p, outputs: h)
    let nr = n * (n - 1)
    var h1 = [Float](repeating: 0, count: cs * nr * h)
    let b1 = w1.bias.value.data
    h1.withUnsafeMutableBufferPointer { out in
      a.withUnsafeBufferPointer { a in
        bs.withUnsafeBufferPointer { bs in
          b1.withUnsafeBufferPointer { b1 in
            // a[r] + b1 once per receiver, then + bs[s] per edge.
            var ab = [Float](repeating: 0, count: h)
            var row = 0
            for b in 0..<cs {
              for r in 0..<n {
                let ar = (b * n + r) * h
                for j in 0..<h { ab[j] = a[ar + j] + b1[j] }
                ab.withUnsafeBufferPointer { ab in
                  for sd in 0..<n where sd != r {
                    let src = bs.baseAddress! + (b * n + sd) * h
                    let dst = out.baseAddress! + row * h
                    for j in 0..<h { dst[j] = max(0, ab[j] + src[j]) }
                    row += 1
                  }
                }
              }
            }
          }
        }
      }
    }
    record?(0, h1, h, nr)
    let epp = Self.layers(
      fRpp.layers.dropFirst(), h1, rows: cs * nr, finalActivation: true,
      record: record.map { r in { r(1 + $0, $1, $2, nr) } })
    var ebarPP = [Float](repeating: 0, count: cs * n * de)
    ebarPP.withUnsafeMutableBufferPointer { out in
      epp.withUnsafeBufferPointer { e in
        for r in 0..<(cs * n) {
          let dst = out.baseAddress! + r * de
          for k in 0..<(n - 1) {
            let src = e.baseAddress! + (r * (n - 1) + k) * de
            for j in 0..<de { dst[j] += src[j] }
          }
        }
      }
    }
    // Track–vertex.
    let w1v = fRvp.layers[0]
    let ak = Self.gemm(
      x, rows: cs * n, inputs: p, weight: w1v.weight.value.data, ldw: p + s, offset: 0, outputs: h)
    let cv = Self.gemm(
      y, rows: cs * nv, inputs: s, weight: w1v.weight.value.data, ldw: p + s, offset: p, outputs: h)
    let nt = n * nv
    var h1v = [Float](repeating: 0, count: cs * nt * h)
    let b1v = w1v.bias.value.data
    for b in 0..<cs {
      for k in 0..<n {
        for v in 0..<nv {
          let o = ((b * n + k) * nv + v) * h
          for j in 0..<h {
            h1v[o + j] = max(0, ak[(b * n + k) * h + j] + cv[(b * nv + v) * h + j] + b1v[j])
          }
        }
      }
    }
    record?(3, h1v, h, nt)
    let epv = Self.layers(
      fRvp.layers.dropFirst(), h1v, rows: cs * nt, finalActivation: true,
      record: record.map { r in { r(4 + $0, $1, $2, nt) } })
    var ebarPV = [Float](repeating: 0, count: cs * n * de)
    for k in 0..<(cs * n) {
      for v in 0..<nv { for j in 0..<de { ebarPV[k * de + j] += epv[(k * nv + v) * de + j] } }
    }
    // Per-track output, summed over tracks, then the classifier.
    let width = p + 2 * de
    var objects = [Float](repeating: 0, count: cs * n * width)
    for r in 0..<(cs * n) {
      for j in 0..<p { objects[r * width + j] = x[r * p + j] }
      for j in 0..<de {
        objects[r * width + p + j] = ebarPP[r * de + j]
        objects[r * width + p + de + j] = ebarPV[r * de + j]
      }
    }
    let o = Self.layers(
      fO.layers[...], objects, rows: cs * n, finalActivation: true,
      record: record.map { r in { r(6 + $0, $1, $2, n) } })
    let d = c.outputFeatures
    var summed = [Float](repeating: 0, count: cs * d)
    for b in 0..<cs {
      for k in 0..<n { for j in 0..<d { summed[b * d + j] += o[(b * n + k) * d + j] } }
    }
    return Self.layers([classifier][...], summed, rows: cs, finalActivation: false)
  }

  /// `x [rows, inputs] · W[:, offset..<offset+inputs]ᵀ` for a row-major `W` with row length `ldw`.
  static func gemm(
    _ x: [Float], rows: Int, inputs: Int, weight: [Float], ldw: Int, offset: Int, outputs: Int
  ) -> [Float] {
    var out = [Float](repeating: 0, count: rows * outputs)
    Kernels.sgemm(
      transB: true, m: rows, n: outputs, k: inputs, x, lda: inputs, weight, bOffset: offset,
      ldb: ldw, &out, ldc: outputs, accumulate: false)
    return out
  }

  /// Linear layers with bias (and ReLU, but for a non-final last layer) fused after each GEMM.
  static func layers(
    _ layers: ArraySlice<Linear>, _ input: [Float], rows: Int, finalActivation: Bool,
    record: ((Int, [Float], Int) -> Void)? = nil
  ) -> [Float] {
    var h = input
    for (i, layer) in layers.enumerated() {
      let w = layer.weight.value
      var out = gemm(
        h, rows: rows, inputs: w.columns, weight: w.data, ldw: w.columns, offset: 0, outputs: w.rows
      )
      let b = layer.bias.value.data
      let relu = i < layers.count - 1 || finalActivation
      let m = w.rows
      out.withUnsafeMutableBufferPointer { o in
        b.withUnsafeBufferPointer { b in
          for r in 0..<rows {
            let row = o.baseAddress! + r * m
            if relu {
              for j in 0..<m { row[j] = max(0, row[j] + b[j]) }
            } else {
              for j in 0..<m { row[j] += b[j] }
            }
          }
        }
      }
      h = out
      record?(i, out, m)
    }
    return h
  }
}

extension InteractionNetwork {
  /// Weighted neural activity (sum of post-ReLU activations over every row: edges for f_R
  /// layers, tracks for f_O) of the nine hidden layers, per class: `[class][layer][node]`
  /// (reference: hbb-in.md §6.3, paper eq. 7).
  public func activity(tracks: Tensor, vertices: Tensor, labels: [Int]) -> [[[Double]]] {
    let c = configuration
    let widths =
      fRpp.layers.map(\.weight.value.rows) + fRvp.layers.map(\.weight.value.rows)
      + fO.layers.map(\.weight.value.rows)
    var sums = (0..<c.classes).map { _ in widths.map { [Double](repeating: 0, count: $0) } }
    let batch = tracks.shape[0]
    let xo = tracks.swappingLastTwoAxes().data
    let yo = vertices.swappingLastTwoAxes().data
    for b in 0..<batch {
      let x = Array(xo[(b * c.tracks * c.trackFeatures)..<((b + 1) * c.tracks * c.trackFeatures)])
      let y = Array(
        yo[(b * c.vertices * c.vertexFeatures)..<((b + 1) * c.vertices * c.vertexFeatures)])
      let label = labels[b]
      _ = forwardChunk(x: x, y: y, samples: 1) { layer, values, width, _ in
        var acc = [Double](repeating: 0, count: width)
        values.withUnsafeBufferPointer { v in
          for r in 0..<(v.count / width) {
            for j in 0..<width { acc[j] += Double(v[r * width + j]) }
          }
        }
        for j in 0..<width { sums[label][layer][j] += acc[j] }
      }
    }
    return sums
  }
}
