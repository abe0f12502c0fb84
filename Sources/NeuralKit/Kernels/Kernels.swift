internal import CKernels

#if FAIRFLOW_OPENBLAS
  internal import COpenBLAS
#endif

/// NeuralKit's one home for the math that feeds a model: matrix products and elementary
/// functions whose bits are the same for the same inputs on every CPU, SIMD width and thread
/// count (training, inference, LRP and ModelImport's ONNX interpreter all call these).
///
/// - `sgemm` accumulates every output element in the fixed order k = 0…K−1 with one fused
///   multiply-add per step; vectors span outputs, never the reduction (CKernels/gemm.c).
/// - `exp`, `expm1`, `log`, `tanh`, `sigmoid` use IEEE basic operations and FMA only, never the
///   platform libm (CKernels/elementary.c).
/// - Reductions elsewhere (losses, gradients over a batch, softmax sums) run sequentially or
///   over fixed chunks in a fixed order; threads only decide who computes which chunk.
///
/// A benchmark-only build (`FAIRFLOW_BENCH_OPENBLAS=1`) sends `sgemm` to OpenBLAS instead, so
/// Benchmarks/neural can measure both in one run. Its results are not reproducible.
public enum Kernels {
  /// `C (+)= op(A) · op(B)` for row-major `op(A) [m, k]`, `op(B) [k, n]`, `C [m, n]` (leading
  /// dimensions `lda`, `ldb`, `ldc`); `transA`/`transB` read A as `[k, m]` / B as `[n, k]`.
  /// `accumulate` adds into C (its values are where each sum starts); otherwise C is overwritten.
  /// The same contract as `cblas_sgemm(CblasRowMajor, …, alpha: 1, beta: accumulate ? 1 : 0)`.
  public static func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
    _ c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool
  ) {
    guard m > 0, n > 0 else { return }
    #if FAIRFLOW_OPENBLAS
      cblas_sgemm(
        CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), accumulate ? 1 : 0, c,
        Int32(ldc))
    #else
      ffk_gemm(
        m, n, k, a, transA ? 1 : lda, transA ? lda : 1, b, transB ? 1 : ldb, transB ? ldb : 1, c,
        ldc, accumulate ? 1 : 0)
    #endif
  }

  /// `sgemm` over arrays.
  public static func sgemm(
    transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
    _ a: [Float], aOffset: Int = 0, lda: Int, _ b: [Float], bOffset: Int = 0, ldb: Int,
    _ c: inout [Float], cOffset: Int = 0, ldc: Int, accumulate: Bool
  ) {
    a.withUnsafeBufferPointer { ap in
      b.withUnsafeBufferPointer { bp in
        c.withUnsafeMutableBufferPointer { cp in
          guard let a = ap.baseAddress, let b = bp.baseAddress, let c = cp.baseAddress else {
            return
          }
          sgemm(
            transA: transA, transB: transB, m: m, n: n, k: k, a + aOffset, lda: lda, b + bOffset,
            ldb: ldb, c + cOffset, ldc: ldc, accumulate: accumulate)
        }
      }
    }
  }

  /// Which matrix product this build runs: "deterministic" (the product) or "openblas" (the
  /// benchmark-only build).
  public static var backend: String {
    #if FAIRFLOW_OPENBLAS
      "openblas"
    #else
      "deterministic"
    #endif
  }

  /// Benchmark-only build: OpenBLAS's own thread count (a no-op in the product, whose threads
  /// are the `threads:` of training and inference).
  public static func setBLASThreads(_ n: Int) {
    #if FAIRFLOW_OPENBLAS
      openblas_set_num_threads(Int32(n))
    #endif
  }

  /// The widest SIMD path this CPU has, in floats: 16 (AVX-512), 8 (AVX2+FMA), 4 (FMA on
  /// 128-bit registers; arm64 NEON) or 1 (scalar, software FMA).
  public static var widestSIMDWidth: Int { Int(ffk_max_width()) }

  /// The width in use (`FAIRFLOW_SIMD_WIDTH` in the environment caps it at start).
  public static var simdWidth: Int { Int(ffk_width()) }

  /// Test hook: caps the SIMD width (1, 4, 8, 16; 0: the widest). Results never depend on it.
  @discardableResult
  public static func setSIMDWidth(_ width: Int) -> Int { Int(ffk_set_width(Int32(width))) }

  /// In place, `x[i] = exp(x[i] − max) / Σⱼ exp(x[j] − max)` with the sum in index order;
  /// returns that sum.
  @discardableResult
  public static func softmax(_ x: UnsafeMutablePointer<Float>, count: Int) -> Float {
    ffk_softmax(x, count)
  }

  public static func exp(_ x: Float) -> Float { ffk_expf(x) }
  public static func exp(_ x: Double) -> Double { ffk_exp(x) }
  public static func log(_ x: Double) -> Double { ffk_log(x) }
  /// sin(πx) and cos(πx) (exact reduction: `cosPi(2u)` is cos(2πu) for a uniform draw u).
  public static func sinPi(_ x: Double) -> Double {
    var (s, c) = (0.0, 0.0)
    ffk_sincospi(x, &s, &c)
    return s
  }
  public static func cosPi(_ x: Double) -> Double {
    var (s, c) = (0.0, 0.0)
    ffk_sincospi(x, &s, &c)
    return c
  }
  public static func expm1(_ x: Float) -> Float { ffk_expm1f(x) }
  public static func log(_ x: Float) -> Float { ffk_logf(x) }
  public static func tanh(_ x: Float) -> Float { ffk_tanhf(x) }
  public static func sigmoid(_ x: Float) -> Float { ffk_sigmoidf(x) }
}
