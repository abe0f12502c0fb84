#ifndef FAIRFLOW_CKERNELS_H
#define FAIRFLOW_CKERNELS_H
// NeuralKit's deterministic kernels (see NeuralKit/Kernels.swift and docs/neuralkit.md).
//
// Every output element of a matrix product is accumulated in one fixed order — k = 0, 1, …, K−1,
// one fused multiply-add per step, starting from C's value (accumulate) or +0 — whatever the SIMD
// width, CPU or thread count: vectors run across outputs, never across the reduction. fmaf is
// correctly rounded everywhere (hardware FMA, or glibc's exact software path where the CPU lacks
// it), so every path gives the same bits.

#ifdef __cplusplus
extern "C" {
#endif

/// C[i·ldc + j] (+)= Σ_k A[i·rsA + k·csA] · B[k·rsB + j·csB] for i < M, j < N.
void ffk_gemm(long M, long N, long K, const float *A, long rsA, long csA, const float *B,
              long rsB, long csB, float *C, long ldc, int accumulate);

/// The widest vector (in floats: 1, 4, 8, 16) this CPU runs the kernels with.
int ffk_max_width(void);
/// The width in use; `ffk_set_width(w)` caps it (test hook: 0 = the widest available). Returns the
/// width now in effect.
int ffk_width(void);
int ffk_set_width(int width);

/// The cores this process may run on (its CPU affinity mask; all online CPUs elsewhere).
int ffk_cores(void);

/// Elementary functions computed with IEEE basic operations and fmaf only (never the platform
/// libm), so their bits are the same on every machine. Max error ≤ 2 ulp (tested).
float ffk_expf(float x);
float ffk_expm1f(float x);
float ffk_logf(float x);
float ffk_tanhf(float x);
float ffk_sigmoidf(float x);
/// In place: x[i] = exp(x[i] − max) / Σ exp(x[j] − max), the sum a fixed tree (eight lane sums,
/// element i into lane i mod 8 in index order, then ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)));
/// returns that sum (of the shifted exponentials). NaN inputs propagate.
float ffk_softmax(float *x, long n);

/// Double precision, same construction (elementary64.c): for generated data and schedules.
double ffk_exp(double x);
double ffk_log(double x);
/// sin(πx) and cos(πx), reduced exactly by multiples of π/2.
void ffk_sincospi(double x, double *s, double *c);

#ifdef __cplusplus
}
#endif
#endif
