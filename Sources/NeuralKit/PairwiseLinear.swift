extension Tape {
  /// The first layer of an edge MLP without materialising edges' inputs:
  /// `out[e] = W[:, :P₁]·a[i[e]] + W[:, P₁:]·b[j[e]] + bias` for `a [R₁, P₁]`, `b [R₂, P₂]`,
  /// `W [H, P₁+P₂]` — the same as `linear(concat(gather(a, i), gather(b, j)), W, bias)`, with the
  /// GEMMs on the R₁ + R₂ objects instead of the E edges (N(N−1) for track pairs).
  public func pairwiseLinear(
    _ a: Variable, _ i: [Int32], _ b: Variable, _ j: [Int32], weight w: Variable, bias: Variable
  ) -> Variable {
    let av = value(a)
    let bv = value(b)
    let wv = value(w)
    let (r1, p1, r2, p2, h) = (av.rows, av.columns, bv.rows, bv.columns, wv.rows)
    precondition(wv.columns == p1 + p2 && i.count == j.count)
    let ldw = p1 + p2
    func project(_ x: Tensor, rows: Int, inputs: Int, offset: Int) -> [Float] {
      var out = [Float](repeating: 0, count: rows * h)
      if rows > 0 {
        Kernels.sgemm(
          transB: true, m: rows, n: h, k: inputs, x.data, lda: inputs, wv.data, bOffset: offset,
          ldb: ldw, &out, ldc: h, accumulate: false)
      }
      return out
    }
    let pa = project(av, rows: r1, inputs: p1, offset: 0)
    let pb = project(bv, rows: r2, inputs: p2, offset: p1)
    let bias0 = value(bias).data
    let e = i.count
    var y = [Float](repeating: 0, count: e * h)
    y.withUnsafeMutableBufferPointer { out in
      pa.withUnsafeBufferPointer { pa in
        pb.withUnsafeBufferPointer { pb in
          for k in 0..<e {
            let x1 = pa.baseAddress! + Int(i[k]) * h
            let x2 = pb.baseAddress! + Int(j[k]) * h
            let o = out.baseAddress! + k * h
            for c in 0..<h { o[c] = x1[c] + x2[c] + bias0[c] }
          }
        }
      }
    }
    return record(Tensor(shape: [e, h], data: y)) { tape, dy in
      // Gradients of the projections: sum edge gradients onto their endpoints.
      var da = [Float](repeating: 0, count: r1 * h)
      var db = [Float](repeating: 0, count: r2 * h)
      var dbias = [Float](repeating: 0, count: h)
      dy.withUnsafeBufferPointer { g in
        for k in 0..<e {
          let src = g.baseAddress! + k * h
          let ia = Int(i[k]) * h
          let ib = Int(j[k]) * h
          for c in 0..<h {
            da[ia + c] += src[c]
            db[ib + c] += src[c]
            dbias[c] += src[c]
          }
        }
      }
      tape.accumulate(bias, dbias)
      // dX = dP · W_part ; dW_part += dPᵀ · X
      func back(_ x: Variable, _ xv: Tensor, _ d: [Float], rows: Int, inputs: Int, offset: Int) {
        guard rows > 0 else { return }
        tape.accumulate(x) { dx in
          d.withUnsafeBufferPointer { d in
            wv.data.withUnsafeBufferPointer { wp in
              Kernels.sgemm(
                m: rows, n: inputs, k: h, d.baseAddress!, lda: h, wp.baseAddress! + offset,
                ldb: ldw, dx.baseAddress!, ldc: inputs, accumulate: true)
            }
          }
        }
        tape.accumulate(w) { dw in
          d.withUnsafeBufferPointer { d in
            xv.data.withUnsafeBufferPointer { x in
              Kernels.sgemm(
                transA: true, m: h, n: inputs, k: rows, d.baseAddress!, lda: h, x.baseAddress!,
                ldb: inputs, dw.baseAddress! + offset, ldc: ldw, accumulate: true)
            }
          }
        }
      }
      back(a, av, da, rows: r1, inputs: p1, offset: 0)
      back(b, bv, db, rows: r2, inputs: p2, offset: p1)
    }
  }
}
