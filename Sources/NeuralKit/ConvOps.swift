/// Convolution and attention ops for BraggNN. Feature maps are channels-last rows:
/// `[batch·H·W, C]`, row `(b·H + y)·W + x`.
extension Tape {
  /// Patches of a `k×k` valid convolution: `[B·H·W, C]` → `[B·H'·W', C·k·k]`, columns ordered
  /// `(c, dy, dx)` to match a PyTorch weight `[out, in, kh, kw]` seen as `[out, in·kh·kw]`.
  public func im2col(_ x: Variable, batch: Int, height: Int, width: Int, kernel k: Int) -> Variable
  {
    let xv = value(x)
    let c = xv.columns
    let (ho, wo) = (height - k + 1, width - k + 1)
    let cols = c * k * k
    let rows = batch * ho * wo
    let walk = { (body: (Int, Int) -> Void) in
      im2colWalk(batch: batch, height: height, width: width, channels: c, kernel: k, body)
    }
    let y = [Float](unsafeUninitializedCapacity: rows * cols) { out, count in
      xv.data.withUnsafeBufferPointer { src in
        let (o, i) = (out.baseAddress!, src.baseAddress!)
        walk { o[$0] = i[$1] }
      }
      count = rows * cols
    }
    return record(Tensor(shape: [rows, cols], data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        dy.withUnsafeBufferPointer { g in
          let (o, i) = (dx.baseAddress!, g.baseAddress!)
          walk { o[$1] += i[$0] }
        }
      }
    }
  }

  /// Element-wise `a + b` (same shape).
  public func add(_ a: Variable, _ b: Variable) -> Variable {
    let av = value(a)
    let bv = value(b)
    precondition(av.count == bv.count)
    var y = av.data
    for i in 0..<y.count { y[i] += bv.data[i] }
    return record(Tensor(shape: av.shape, data: y)) { tape, dy in
      tape.accumulate(a, dy)
      tape.accumulate(b, dy)
    }
  }

  /// `[B·S, C]` rows → `[B, C·S]` in channel-major order (PyTorch's flatten of NCHW).
  public func flattenChannelMajor(_ x: Variable, batch: Int, spatial s: Int) -> Variable {
    let xv = value(x)
    let c = xv.columns
    var y = [Float](repeating: 0, count: xv.count)
    for b in 0..<batch {
      for p in 0..<s {
        for ch in 0..<c { y[b * c * s + ch * s + p] = xv.data[(b * s + p) * c + ch] }
      }
    }
    return record(Tensor(shape: [batch, c * s], data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        for b in 0..<batch {
          for p in 0..<s {
            for ch in 0..<c { dx[(b * s + p) * c + ch] += dy[b * c * s + ch * s + p] }
          }
        }
      }
    }
  }

  /// Embedded-Gaussian attention per group of `n` rows: `Y = softmax(Θ·Φᵀ)·G` (softmax over
  /// keys, no scaling), for `Θ, Φ, G` of shape `[groups·n, C']`.
  public func attention(_ theta: Variable, _ phi: Variable, _ g: Variable, groups: Int, n: Int)
    -> Variable
  {
    let t = value(theta).data
    let p = value(phi).data
    let gv = value(g).data
    let c = value(theta).columns
    var a = [Float](repeating: 0, count: groups * n * n)
    var y = [Float](repeating: 0, count: groups * n * c)
    for b in 0..<groups {
      let tOff = b * n * c
      let aOff = b * n * n
      Kernels.sgemm(
        transB: true, m: n, n: n, k: c, t, aOffset: tOff, lda: c, p, bOffset: tOff, ldb: c, &a,
        cOffset: aOff, ldc: n, accumulate: false)
      a.withUnsafeMutableBufferPointer { ap in
        for i in 0..<n { Kernels.softmax(ap.baseAddress! + aOff + i * n, count: n) }
      }
      Kernels.sgemm(
        m: n, n: c, k: n, a, aOffset: aOff, lda: n, gv, bOffset: tOff, ldb: c, &y, cOffset: tOff,
        ldc: c, accumulate: false)
    }
    return record(Tensor(shape: [groups * n, c], data: y)) { tape, dy in
      var dt = [Float](repeating: 0, count: t.count)
      var dp = [Float](repeating: 0, count: p.count)
      var dg = [Float](repeating: 0, count: gv.count)
      var da = [Float](repeating: 0, count: n * n)
      for b in 0..<groups {
        let off = b * n * c
        let aOff = b * n * n
        // dA = dY·Gᵀ; dG = Aᵀ·dY
        Kernels.sgemm(
          transB: true, m: n, n: n, k: c, dy, aOffset: off, lda: c, gv, bOffset: off, ldb: c, &da,
          ldc: n, accumulate: false)
        Kernels.sgemm(
          transA: true, m: n, n: c, k: n, a, aOffset: aOff, lda: n, dy, bOffset: off, ldb: c, &dg,
          cOffset: off, ldc: c, accumulate: false)
        // dS = A ⊙ (dA − rowsum(dA ⊙ A))
        da.withUnsafeMutableBufferPointer { d in
          a.withUnsafeBufferPointer { ap in
            let s = ap.baseAddress! + aOff
            for i in 0..<n {
              var dot: Float = 0
              for j in 0..<n { dot += d[i * n + j] * s[i * n + j] }
              for j in 0..<n { d[i * n + j] = s[i * n + j] * (d[i * n + j] - dot) }
            }
          }
        }
        // dΘ = dS·Φ; dΦ = dSᵀ·Θ
        Kernels.sgemm(
          m: n, n: c, k: n, da, lda: n, p, bOffset: off, ldb: c, &dt, cOffset: off, ldc: c,
          accumulate: false)
        Kernels.sgemm(
          transA: true, m: n, n: c, k: n, da, lda: n, t, bOffset: off, ldb: c, &dp, cOffset: off,
          ldc: c, accumulate: false)
      }
      tape.accumulate(theta, dt)
      tape.accumulate(phi, dp)
      tape.accumulate(g, dg)
    }
  }
}

/// The index pairs of an im2col: output element `(row, ch, dy, dx)` of `[B·H'·W', C·k·k]` copies
/// input element `((b·H + oy + dy)·W + ox + dx, ch)` of `[B·H·W, C]`; `body(output, input)`.
/// (Wrapping arithmetic: the indices are in range by construction, and overflow checks cost more
/// than the copies.)
@inline(__always)
func im2colWalk(
  batch: Int, height: Int, width: Int, channels c: Int, kernel k: Int,
  _ body: (_ output: Int, _ input: Int) -> Void
) {
  let (ho, wo) = (height - k + 1, width - k + 1)
  let cols = c * k * k
  for b in 0..<batch {
    for oy in 0..<ho {
      for ox in 0..<wo {
        let row = ((b &* ho &+ oy) &* wo &+ ox) &* cols
        let origin = ((b &* height &+ oy) &* width &+ ox) &* c
        for ch in 0..<c {
          for dy in 0..<k {
            let s = origin &+ dy &* width &* c &+ ch
            let d = row &+ (ch &* k &+ dy) &* k
            for dx in 0..<k { body(d &+ dx, s &+ dx &* c) }
          }
        }
      }
    }
  }
}
