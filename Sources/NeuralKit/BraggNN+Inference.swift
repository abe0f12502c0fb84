/// A tape-free forward pass for inference: the operations of `callAsFunction` in the same order
/// on the same values — so the same bits (tested) — without recording backward rules, with bias
/// and activation fused after each product and Θ, Φ and G computed as one product (each output
/// column is its own fixed-order sum, so concatenating the weights changes no bit).
extension BraggNN {
  /// Peak positions `[B·2]` for patches `[B, 1, P, P]` (row-major floats).
  func infer(patches x: UnsafeBufferPointer<Float>, batch b: Int) -> [Float] {
    let p = configuration.patch
    let (s1, s2, s3) = (p - 2, p - 4, p - 6)
    let n = s1 * s1
    // conv1 (1 → 64), from a 9-column im2col of the single channel.
    let h = Self.dense(
      Self.im2col(x, batch: b, size: p, channels: 1), rows: b * n, conv1, activation: nil)
    // Θ ‖ Φ ‖ G = h · [Wθ; Wφ; Wg]ᵀ + [bθ; bφ; bg]: [B·n, 96].
    let c = theta.weight.value.rows
    let tpg = h.withUnsafeBufferPointer { h in
      Self.dense(
        h, rows: b * n, inputs: theta.weight.value.columns,
        weight: theta.weight.value.data + phi.weight.value.data + g.weight.value.data,
        bias: theta.bias.value.data + phi.bias.value.data + g.bias.value.data, activation: nil)
    }
    // Attention per patch: softmax(Θ·Φᵀ)·G.
    var y = [Float](repeating: 0, count: b * n * c)
    var scores = [Float](repeating: 0, count: n * n)
    tpg.withUnsafeBufferPointer { t in
      scores.withUnsafeMutableBufferPointer { a in
        y.withUnsafeMutableBufferPointer { y in
          for i in 0..<b {
            let base = t.baseAddress! + i * n * 3 * c
            Kernels.sgemm(
              transB: true, m: n, n: n, k: c, base, lda: 3 * c, base + c, ldb: 3 * c,
              a.baseAddress!, ldc: n, accumulate: false)
            for r in 0..<n { Kernels.softmax(a.baseAddress! + r * n, count: n) }
            Kernels.sgemm(
              m: n, n: c, k: n, a.baseAddress!, lda: n, base + 2 * c, ldb: 3 * c,
              y.baseAddress! + i * n * c, ldc: c, accumulate: false)
          }
        }
      }
    }
    // out (32 → 64), + h, LeakyReLU.
    var z = y.withUnsafeBufferPointer { Self.dense($0, rows: b * n, out, activation: nil) }
    z.withUnsafeMutableBufferPointer { z in
      h.withUnsafeBufferPointer { h in
        for i in 0..<z.count {
          let v = z[i] + h[i]
          z[i] = v >= 0 ? v : 0.01 * v
        }
      }
    }
    // conv2 (64 → 32) and conv3 (32 → 8), LeakyReLU after each.
    let z2 = z.withUnsafeBufferPointer { z in
      Self.dense(
        Self.im2col(z, batch: b, size: s1, channels: z.count / (b * n)), rows: b * s2 * s2, conv2,
        activation: 0.01)
    }
    let z3 = z2.withUnsafeBufferPointer { z in
      Self.dense(
        Self.im2col(z, batch: b, size: s2, channels: z.count / (b * s2 * s2)), rows: b * s3 * s3,
        conv3, activation: 0.01)
    }
    // Channel-major flatten, then the dense layers (LeakyReLU between).
    let spatial = s3 * s3
    let channels = z3.count / (b * spatial)
    var d = [Float](repeating: 0, count: z3.count)
    for i in 0..<b {
      for q in 0..<spatial {
        for ch in 0..<channels {
          d[i * channels * spatial + ch * spatial + q] = z3[(i * spatial + q) * channels + ch]
        }
      }
    }
    for (index, layer) in dense.enumerated() {
      d = d.withUnsafeBufferPointer {
        Self.dense($0, rows: b, layer, activation: index < dense.count - 1 ? 0.01 : nil)
      }
    }
    return d
  }

  static func im2col(_ x: UnsafeBufferPointer<Float>, batch: Int, size: Int, channels: Int)
    -> [Float]
  {
    let count = batch * (size - 2) * (size - 2) * channels * 9
    return [Float](unsafeUninitializedCapacity: count) { out, initialized in
      let (o, i) = (out.baseAddress!, x.baseAddress!)
      im2colWalk(batch: batch, height: size, width: size, channels: channels, kernel: 3) {
        o[$0] = i[$1]
      }
      initialized = count
    }
  }

  static func dense(_ x: [Float], rows: Int, _ layer: Linear, activation slope: Float?) -> [Float] {
    x.withUnsafeBufferPointer { dense($0, rows: rows, layer, activation: slope) }
  }

  static func dense(
    _ x: UnsafeBufferPointer<Float>, rows: Int, _ layer: Linear, activation slope: Float?
  ) -> [Float] {
    dense(
      x, rows: rows, inputs: layer.weight.value.count / layer.weight.value.rows,
      weight: layer.weight.value.data, bias: layer.bias.value.data, activation: slope)
  }

  /// `x [rows, inputs] · Wᵀ + b`, each sum starting from its bias (as `Tape.linear`), then
  /// LeakyReLU with `slope` when given.
  static func dense(
    _ x: UnsafeBufferPointer<Float>, rows: Int, inputs: Int, weight: [Float], bias: [Float],
    activation slope: Float?
  ) -> [Float] {
    let outputs = bias.count
    var y = [Float](repeating: 0, count: rows * outputs)
    y.withUnsafeMutableBufferPointer { y in
      bias.withUnsafeBufferPointer { bias in
        for r in 0..<rows {
          (y.baseAddress! + r * outputs).update(from: bias.baseAddress!, count: outputs)
        }
      }
      weight.withUnsafeBufferPointer { w in
        Kernels.sgemm(
          transB: true, m: rows, n: outputs, k: inputs, x.baseAddress!, lda: inputs,
          w.baseAddress!, ldb: inputs, y.baseAddress!, ldc: outputs, accumulate: true)
      }
      if let slope {
        for i in 0..<y.count {
          let v = y[i]
          y[i] = v >= 0 ? v : slope * v
        }
      }
    }
    return y
  }
}
