/// The differentiable operations. Shapes are `[rows, columns]`; weights are `[out, in]` as in
/// PyTorch, so `linear` computes `x · wᵀ + b`.
extension Tape {
  /// `x [R, In] · wᵀ [In, Out] + b [Out]` (each output starts from its bias; `Kernels.sgemm`).
  public func linear(_ x: Variable, _ w: Variable, _ b: Variable?) -> Variable {
    let xv = value(x)
    let wv = value(w)
    let (r, k, m) = (xv.rows, xv.columns, wv.rows)
    precondition(wv.columns == k, "linear: input has \(k) columns, weight expects \(wv.columns)")
    var y = [Float](repeating: 0, count: r * m)
    if let b {
      value(b).data.withUnsafeBufferPointer { bv in
        y.withUnsafeMutableBufferPointer { out in
          for i in 0..<r { (out.baseAddress! + i * m).update(from: bv.baseAddress!, count: m) }
        }
      }
    }
    if r > 0 {
      Kernels.sgemm(
        transB: true, m: r, n: m, k: k, xv.data, lda: k, wv.data, ldb: k, &y, ldc: m,
        accumulate: b != nil)
    }
    return record(Tensor(shape: [r, m], data: y)) { tape, dy in
      guard r > 0 else { return }
      // dx = dy · w   [R, Out] · [Out, In]
      tape.accumulate(x) { dx in
        dy.withUnsafeBufferPointer { dy in
          wv.data.withUnsafeBufferPointer { w in
            Kernels.sgemm(
              m: r, n: k, k: m, dy.baseAddress!, lda: m, w.baseAddress!, ldb: k, dx.baseAddress!,
              ldc: k, accumulate: true)
          }
        }
      }
      // dw += dyᵀ · x   [Out, R] · [R, In]
      tape.accumulate(w) { dw in
        dy.withUnsafeBufferPointer { dy in
          xv.data.withUnsafeBufferPointer { x in
            Kernels.sgemm(
              transA: true, m: m, n: k, k: r, dy.baseAddress!, lda: m, x.baseAddress!, ldb: k,
              dw.baseAddress!, ldc: k, accumulate: true)
          }
        }
      }
      if let b {
        tape.accumulate(b) { db in
          for i in 0..<r { for j in 0..<m { db[j] += dy[i * m + j] } }
        }
      }
    }
  }

  /// Element-wise `max(x, 0)`.
  public func relu(_ x: Variable) -> Variable { leakyRelu(x, slope: 0) }

  /// Element-wise `x ≥ 0 ? x : slope·x`.
  public func leakyRelu(_ x: Variable, slope: Float) -> Variable {
    let xv = value(x)
    let n = xv.count
    let y = [Float](unsafeUninitializedCapacity: n) { out, count in
      xv.data.withUnsafeBufferPointer { src in
        for i in 0..<n { out[i] = src[i] >= 0 ? src[i] : slope * src[i] }
      }
      count = n
    }
    return record(Tensor(shape: xv.shape, data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        xv.data.withUnsafeBufferPointer { src in
          dy.withUnsafeBufferPointer { g in
            for i in 0..<n { dx[i] += src[i] >= 0 ? g[i] : slope * g[i] }
          }
        }
      }
    }
  }

  public func sigmoid(_ x: Variable) -> Variable {
    let xv = value(x)
    let y = xv.data.map(Kernels.sigmoid)
    return record(Tensor(shape: xv.shape, data: y)) { tape, dy in
      tape.accumulate(x) { dx in for i in 0..<dx.count { dx[i] += dy[i] * y[i] * (1 - y[i]) } }
    }
  }

  /// Rows of `x` picked by `index` (an edge's endpoint, say): `[index.count, F]`.
  public func gatherRows(_ x: Variable, _ index: [Int32]) -> Variable {
    let xv = value(x)
    let f = xv.columns
    var y = [Float](repeating: 0, count: index.count * f)
    y.withUnsafeMutableBufferPointer { out in
      xv.data.withUnsafeBufferPointer { src in
        for (i, r) in index.enumerated() {
          let s = Int(r) * f
          for j in 0..<f { out[i * f + j] = src[s + j] }
        }
      }
    }
    return record(Tensor(shape: [index.count, f], data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        for (i, r) in index.enumerated() {
          let s = Int(r) * f
          for j in 0..<f { dx[s + j] += dy[i * f + j] }
        }
      }
    }
  }

  /// Sums rows of `x` into `rows` output rows: row i goes to `index[i]` (aggregating edges to
  /// their receivers — the same as multiplying by the transposed 0/1 interaction matrix).
  public func scatterAddRows(_ x: Variable, _ index: [Int32], rows: Int) -> Variable {
    let xv = value(x)
    let f = xv.columns
    var y = [Float](repeating: 0, count: rows * f)
    y.withUnsafeMutableBufferPointer { out in
      xv.data.withUnsafeBufferPointer { src in
        for (i, r) in index.enumerated() {
          let d = Int(r) * f
          for j in 0..<f { out[d + j] += src[i * f + j] }
        }
      }
    }
    return record(Tensor(shape: [rows, f], data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        for (i, r) in index.enumerated() {
          let d = Int(r) * f
          for j in 0..<f { dx[i * f + j] += dy[d + j] }
        }
      }
    }
  }

  /// `[R, F₁] ‖ [R, F₂] ‖ …` → `[R, ΣF]`.
  public func concatColumns(_ parts: [Variable]) -> Variable {
    let values = parts.map(value)
    let r = values[0].rows
    let widths = values.map(\.columns)
    let total = widths.reduce(0, +)
    var y = [Float](repeating: 0, count: r * total)
    var offset = 0
    for (v, w) in zip(values, widths) {
      precondition(v.rows == r, "concatColumns: \(v.rows) rows, expected \(r)")
      for i in 0..<r { for j in 0..<w { y[i * total + offset + j] = v.data[i * w + j] } }
      offset += w
    }
    return record(Tensor(shape: [r, total], data: y)) { tape, dy in
      var offset = 0
      for (p, w) in zip(parts, widths) {
        let o = offset
        tape.accumulate(p) { dx in
          for i in 0..<r { for j in 0..<w { dx[i * w + j] += dy[i * total + o + j] } }
        }
        offset += w
      }
    }
  }

  /// Sums consecutive groups of `size` rows: `[G·size, F]` → `[G, F]`.
  public func sumGroups(_ x: Variable, size: Int) -> Variable {
    let xv = value(x)
    let f = xv.columns
    let g = xv.rows / size
    var y = [Float](repeating: 0, count: g * f)
    for gi in 0..<g {
      for k in 0..<size { for j in 0..<f { y[gi * f + j] += xv.data[(gi * size + k) * f + j] } }
    }
    return record(Tensor(shape: [g, f], data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        for gi in 0..<g {
          for k in 0..<size { for j in 0..<f { dx[(gi * size + k) * f + j] += dy[gi * f + j] } }
        }
      }
    }
  }

  /// Row-wise softmax of `x [R, C]` (max-subtracted), with its Jacobian-vector backward.
  public func softmax(_ x: Variable) -> Variable {
    let xv = value(x)
    let (r, c) = (xv.rows, xv.columns)
    var y = xv.data
    y.withUnsafeMutableBufferPointer { p in
      for i in 0..<r { Kernels.softmax(p.baseAddress! + i * c, count: c) }
    }
    return record(Tensor(shape: xv.shape, data: y)) { tape, dy in
      tape.accumulate(x) { dx in
        for i in 0..<r {
          var dot: Float = 0
          for j in 0..<c { dot += dy[i * c + j] * y[i * c + j] }
          for j in 0..<c { dx[i * c + j] += y[i * c + j] * (dy[i * c + j] - dot) }
        }
      }
    }
  }

  /// Softmax cross-entropy of `logits [R, C]` against class indices (max-subtracted, own
  /// exp/log), summed over rows and divided by `normalizer` (default R: the mean). Data-parallel
  /// training passes the whole batch's size, so its micro-chunks' losses and gradients add up to
  /// the batch's.
  public func softmaxCrossEntropy(_ logits: Variable, labels: [Int], normalizer: Int? = nil)
    -> Variable
  {
    let lv = value(logits)
    let (r, c) = (lv.rows, lv.columns)
    let n = Float(max(normalizer ?? r, 1))
    var probabilities = [Float](repeating: 0, count: r * c)
    var loss: Double = 0
    for i in 0..<r {
      let base = i * c
      var m = -Float.infinity
      for j in 0..<c { m = max(m, lv.data[base + j]) }
      let sum = probabilities.withUnsafeMutableBufferPointer { p in
        for j in 0..<c { p[base + j] = lv.data[base + j] }
        return Kernels.softmax(p.baseAddress! + base, count: c)
      }
      loss += Double(Kernels.log(sum) - (lv.data[base + labels[i]] - m))
    }
    return record(Tensor(shape: [1], data: [Float(loss / Double(n))])) { tape, dy in
      let scale = dy[0] / n
      tape.accumulate(logits) { dx in
        for i in 0..<r {
          for j in 0..<c {
            dx[i * c + j] += scale * (probabilities[i * c + j] - (j == labels[i] ? 1 : 0))
          }
        }
      }
    }
  }

  /// Squared error of `prediction` against `target` (same shape), summed and divided by
  /// `normalizer` (default: the element count, the mean).
  public func meanSquaredError(_ prediction: Variable, _ target: Tensor, normalizer: Int? = nil)
    -> Variable
  {
    let pv = value(prediction)
    precondition(pv.count == target.count)
    var sum: Double = 0
    for i in 0..<pv.count { let d = Double(pv.data[i] - target.data[i]); sum += d * d }
    let n = Float(max(normalizer ?? pv.count, 1))
    return record(Tensor(shape: [1], data: [Float(sum) / n])) { tape, dy in
      tape.accumulate(prediction) { dx in
        for i in 0..<dx.count { dx[i] += dy[0] * 2 * (pv.data[i] - target.data[i]) / n }
      }
    }
  }
}
