internal import NeuralKit

/// MatMul, Gemm and Conv on NeuralKit's deterministic `Kernels.sgemm`. MatMul of `[…, M, K] × [K, N]` (the common
/// "batch of rows times weights" case) is one sgemm over all `…·M` rows; a batched right operand
/// is one sgemm per broadcast batch element. Conv unrolls each image into a
/// `[C·kh·kw, oh·ow]` column matrix (im2col; a 1×1, stride-1, unpadded kernel reads the image
/// itself) and multiplies the `[M, C·kh·kw]` weights by it.
extension ONNXKernels {
  /// `C = alpha·op(A)·op(B) + beta·C`, row-major. `alpha = 1, beta ∈ {0, 1}` is one
  /// `Kernels.sgemm` (each sum starting from C when beta is 1); other factors scale the product
  /// and C afterwards, element by element.
  static func multiply(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int, beta: Float,
    _ c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    guard m > 0, n > 0 else { return }
    guard k > 0 else {
      for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
      return
    }
    if alpha == 1 && (beta == 0 || beta == 1) {
      Kernels.sgemm(
        transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb, c, ldc: ldc,
        accumulate: beta == 1)
      return
    }
    var product = [Float](repeating: 0, count: m * n)
    product.withUnsafeMutableBufferPointer { p in
      Kernels.sgemm(
        transA: transA, transB: transB, m: m, n: n, k: k, a, lda: lda, b, ldb: ldb,
        p.baseAddress!, ldc: n, accumulate: false)
      for i in 0..<m {
        for j in 0..<n {
          let scaled = alpha * p[i * n + j]
          c[i * ldc + j] = beta == 0 ? scaled : scaled + beta * c[i * ldc + j]
        }
      }
    }
  }

  /// numpy `matmul`: 1-D operands are promoted (and the promoted axis dropped afterwards), the
  /// batch dimensions broadcast.
  static func matMul(_ a: Tensor, _ b: Tensor, allocate: Allocator<Float> = fresh)
    throws(ImportError) -> Tensor
  {
    guard !a.shape.isEmpty, !b.shape.isEmpty else {
      throw ImportError("MatMul needs operands of rank 1 or more, got \(a.shape) and \(b.shape)")
    }
    let sa = a.shape.count == 1 ? [1] + a.shape : a.shape
    let sb = b.shape.count == 1 ? b.shape + [1] : b.shape
    let (m, k) = (sa[sa.count - 2], sa[sa.count - 1])
    let n = sb[sb.count - 1]
    guard sb[sb.count - 2] == k else {
      throw ImportError("MatMul of \(a.shape) and \(b.shape): inner dimensions differ")
    }
    let batchA = Array(sa.dropLast(2))
    let batchB = Array(sb.dropLast(2))
    let batch = try broadcastShape(batchA, batchB)
    let batches = batch.reduce(1, *)
    var shape = batch + [m, n]
    if b.shape.count == 1 { shape.removeLast() }
    if a.shape.count == 1 { shape.remove(at: shape.count - (b.shape.count == 1 ? 1 : 2)) }
    let count = batches * m * n
    guard count > 0, k > 0 else { return Tensor(zeros: shape) }
    let data = allocate(count) { out in
      a.data.withUnsafeBufferPointer { pa in
        b.data.withUnsafeBufferPointer { pb in
          guard let pa = pa.baseAddress, let pb = pb.baseAddress, let po = out.baseAddress else {
            return
          }
          if batchB.reduce(1, *) == 1 {
            // Every batch element of A meets the same B: stack A's rows into one product.
            multiply(
              transA: false, transB: false, m: batches * m, n: n, k: k, alpha: 1, pa, lda: k, pb,
              ldb: n, beta: 0, po, ldc: n)
            return
          }
          // Offsets are counted in whole matrices: the batch dimensions broadcast as usual.
          let layout = BroadcastLayout(result: batch, batchA, batchB)
          layout.forEachRow { o, ia, ib in
            let last = layout.dims.count - 1
            for j in 0..<layout.dims[last] {
              let matrixA = ia + j * layout.strideA[last]
              let matrixB = ib + j * layout.strideB[last]
              multiply(
                transA: false, transB: false, m: m, n: n, k: k, alpha: 1, pa + matrixA * m * k,
                lda: k, pb + matrixB * k * n, ldb: n, beta: 0, po + (o + j) * m * n, ldc: n)
            }
          }
        }
      }
    }
    return Tensor(shape: shape, data: data)
  }

  /// `alpha·op(A)·op(B) + beta·C` for 2-D A and B, C broadcast to `[M, N]`.
  static func gemm(
    _ a: Tensor, _ b: Tensor, _ c: Tensor?, alpha: Float, beta: Float, transA: Bool, transB: Bool
  ) throws(ImportError) -> Tensor {
    guard a.shape.count == 2, b.shape.count == 2 else {
      throw ImportError("Gemm needs 2-D operands, got \(a.shape) and \(b.shape)")
    }
    let (m, k) = transA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = transB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    guard k == kb else {
      throw ImportError("Gemm of \(a.shape) and \(b.shape): inner dimensions differ")
    }
    var y = [Float](repeating: 0, count: m * n)
    if let c, beta != 0 {
      guard try broadcastShape(c.shape, [m, n]) == [m, n] else {
        throw ImportError("Gemm: C of shape \(c.shape) does not broadcast to [\(m), \(n)]")
      }
      y = try broadcast(Second.self, Tensor(shape: [m, n], data: y), c).data
      if beta != 1 { for i in y.indices { y[i] *= beta } }
    }
    a.data.withUnsafeBufferPointer { pa in
      b.data.withUnsafeBufferPointer { pb in
        y.withUnsafeMutableBufferPointer { py in
          guard let pa = pa.baseAddress, let pb = pb.baseAddress, let py = py.baseAddress else {
            return
          }
          multiply(
            transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, pa, lda: a.shape[1],
            pb, ldb: b.shape[1], beta: 1, py, ldc: n)
        }
      }
    }
    return Tensor(shape: [m, n], data: y)
  }

  /// 2-D convolution, NCHW input, `[M, C, kh, kw]` weights, optional `[M]` bias, group 1.
  static func conv(
    _ x: Tensor, _ w: Tensor, _ bias: Tensor?, _ p: ONNXOperation.Convolution
  ) throws(ImportError) -> Tensor {
    guard x.shape.count == 4, w.shape.count == 4 else {
      throw ImportError("Conv needs a 4-D input and weight, got \(x.shape) and \(w.shape)")
    }
    let (batch, channels, height, width) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (filters, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    guard w.shape[1] == channels else {
      throw ImportError("Conv: weight \(w.shape) does not take \(channels) input channels")
    }
    guard p.kernel == nil || p.kernel == [kh, kw] else {
      throw ImportError("Conv: kernel_shape \(p.kernel ?? []) differs from the weight \(w.shape)")
    }
    guard bias == nil || bias?.shape == [filters] else {
      throw ImportError("Conv: bias \(bias?.shape ?? []) for \(filters) filters")
    }
    let spanH = p.dilations[0] * (kh - 1) + 1
    let spanW = p.dilations[1] * (kw - 1) + 1
    let paddedH = height + p.pads[0] + p.pads[2]
    let paddedW = width + p.pads[1] + p.pads[3]
    guard paddedH >= spanH, paddedW >= spanW else {
      throw ImportError("Conv: kernel \([kh, kw]) is larger than the padded input \(x.shape)")
    }
    let oh = (paddedH - spanH) / p.strides[0] + 1
    let ow = (paddedW - spanW) / p.strides[1] + 1
    let (rows, pixels) = (channels * kh * kw, oh * ow)
    let direct =
      kh == 1 && kw == 1 && p.strides == [1, 1] && p.pads == [0, 0, 0, 0]
    var columns = [Float](repeating: 0, count: direct ? 0 : max(1, rows * pixels))
    var y = [Float](repeating: 0, count: batch * filters * pixels)
    if let bias {
      for i in 0..<(batch * filters) {
        let value = bias.data[i % filters]
        for j in 0..<pixels { y[i * pixels + j] = value }
      }
    }
    x.data.withUnsafeBufferPointer { px in
      w.data.withUnsafeBufferPointer { pw in
        columns.withUnsafeMutableBufferPointer { pc in
          y.withUnsafeMutableBufferPointer { py in
            guard let px = px.baseAddress, let pw = pw.baseAddress, let py = py.baseAddress else {
              return
            }
            for image in 0..<batch {
              let input = px + image * channels * height * width
              if !direct {
                unroll(
                  input, into: pc, channels: channels, size: (height, width), kernel: (kh, kw),
                  output: (oh, ow), p)
              }
              multiply(
                transA: false, transB: false, m: filters, n: pixels, k: rows, alpha: 1, pw,
                lda: rows, direct ? input : UnsafePointer(pc.baseAddress!), ldb: pixels,
                beta: bias == nil ? 0 : 1, py + image * filters * pixels, ldc: pixels)
            }
          }
        }
      }
    }
    return Tensor(shape: [batch, filters, oh, ow], data: y)
  }

  /// im2col: row `(c·kh + i)·kw + j` holds input pixel `(oy·sh − top + i·dh, ox·sw − left +
  /// j·dw)` of channel `c` for every output pixel `(oy, ox)`, zero where that falls in padding.
  private static func unroll(
    _ x: UnsafePointer<Float>, into columns: UnsafeMutableBufferPointer<Float>, channels: Int,
    size: (Int, Int), kernel: (Int, Int), output: (Int, Int), _ p: ONNXOperation.Convolution
  ) {
    let (height, width) = size
    let (oh, ow) = output
    let (strideY, strideX) = (p.strides[0], p.strides[1])
    let (top, left) = (p.pads[0], p.pads[1])
    let (dilationY, dilationX) = (p.dilations[0], p.dilations[1])
    var row = 0
    for c in 0..<channels {
      for i in 0..<kernel.0 {
        for j in 0..<kernel.1 {
          let base = row * oh * ow
          for oy in 0..<oh {
            let iy = oy * strideY - top + i * dilationY
            let line = base + oy * ow
            guard iy >= 0, iy < height else {
              for ox in 0..<ow { columns[line + ox] = 0 }
              continue
            }
            let source = x + (c * height + iy) * width
            for ox in 0..<ow {
              let ix = ox * strideX - left + j * dilationX
              columns[line + ox] = ix >= 0 && ix < width ? source[ix] : 0
            }
          }
          row += 1
        }
      }
    }
  }
}
