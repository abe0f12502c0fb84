// exp, expm1, log, tanh and sigmoid from IEEE basic operations and fmaf only: range reduction by
// Cody–Waite splitting of ln 2, then fixed polynomials evaluated by Horner's rule. Every step is
// correctly rounded, so the result's bits are the same on every CPU and C library (the platform
// libm's are not: glibc picks among FMA and non-FMA variants at load time).
#include "ckernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))

static const float ln2_hi = 0.693145751953125f;         // 15 significant bits: n·ln2_hi is exact
static const float ln2_lo = 1.428606765330187045e-06f;  // ln 2 − ln2_hi
static const float log2e = 1.44269504088896341f;

static float from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/// 2^e for -126 ≤ e ≤ 127.
static float pow2(int e) { return from_bits((uint32_t)(e + 127) << 23); }

// Branch-free (selects only), so loops over arrays vectorise; each lane does the scalar steps.
INLINE float exp_impl(float x) {
  float xc = x > 89.0f ? 89.0f : x;
  xc = xc < -104.0f ? -104.0f : xc;
  xc = x == x ? xc : 0.0f;
  float n = __builtin_roundevenf(xc * log2e);
  float r = fmaf(n, -ln2_hi, xc);
  r = fmaf(n, -ln2_lo, r);  // |r| ≤ ln2/2 (+ rounding)
  // e^r = 1 + r + r²/2! + … + r⁷/7!  (truncation < 3e-9 relative)
  float p = 1.0f / 5040.0f;
  p = fmaf(p, r, 1.0f / 720.0f);
  p = fmaf(p, r, 1.0f / 120.0f);
  p = fmaf(p, r, 1.0f / 24.0f);
  p = fmaf(p, r, 1.0f / 6.0f);
  p = fmaf(p, r, 0.5f);
  p = fmaf(p, r, 1.0f);
  p = fmaf(p, r, 1.0f);
  // p·2ⁿ for n in [−150, 128]: one exact step to the normal range first where needed.
  int e = (int)n;
  int e1 = e > 127 ? 127 : (e < -126 ? -126 : 0);
  float y = (p * pow2(e1)) * pow2(e - e1);
  y = x > 88.72283935546875f ? INFINITY : y;
  y = x < -103.97208404541015625f ? 0.0f : y;
  return x == x ? y : x;
}

INLINE float expm1_impl(float x) {
  if (x != x) return x;
  if (x >= -1.0f && x <= 1.0f) {
    if (x == 0.0f) return x;
    // x + x²·(1/2! + x/3! + … + x⁹/11!)  (truncation < 3e-9 relative)
    float q = 1.0f / 39916800.0f;
    q = fmaf(q, x, 1.0f / 3628800.0f);
    q = fmaf(q, x, 1.0f / 362880.0f);
    q = fmaf(q, x, 1.0f / 40320.0f);
    q = fmaf(q, x, 1.0f / 5040.0f);
    q = fmaf(q, x, 1.0f / 720.0f);
    q = fmaf(q, x, 1.0f / 120.0f);
    q = fmaf(q, x, 1.0f / 24.0f);
    q = fmaf(q, x, 1.0f / 6.0f);
    q = fmaf(q, x, 0.5f);
    return fmaf(x * x, q, x);
  }
  if (x < -25.0f) return -1.0f;
  return exp_impl(x) - 1.0f;
}

INLINE float log_impl(float x) {
  if (x != x) return x;
  if (x < 0.0f) return NAN;
  if (x == 0.0f) return -INFINITY;
  if (x == INFINITY) return x;
  uint32_t u = to_bits(x);
  int e = 0;
  if (u < 0x00800000u) {  // subnormal: scale into the normal range
    u = to_bits(x * 0x1p23f);
    e = -23;
  }
  e += (int)(u >> 23) - 127;
  float m = from_bits((u & 0x007fffffu) | 0x3f800000u);  // [1, 2)
  if (m > 1.41421356f) {
    m *= 0.5f;
    e += 1;
  }
  float f = m - 1.0f;  // exact; |f| ≤ 0.4143
  float s = f / (2.0f + f);
  float z = s * s;
  // log(1+f) = f − f²/2 + s·(f²/2 + R), R = 2s²/3 + 2s⁴/5 + … (s = f/(2+f))
  float R = 2.0f / 11.0f;
  R = fmaf(R, z, 2.0f / 9.0f);
  R = fmaf(R, z, 2.0f / 7.0f);
  R = fmaf(R, z, 2.0f / 5.0f);
  R = fmaf(R, z, 2.0f / 3.0f);
  R = R * z;
  float hfsq = 0.5f * f * f;
  float dk = (float)e;
  return dk * ln2_hi + ((f - hfsq + s * (hfsq + R)) + dk * ln2_lo);
}

INLINE float tanh_impl(float x) {
  if (x != x) return x;
  float a = fabsf(x);
  if (a < 0x1p-12f) return x;
  float t;
  if (a > 9.1f) {
    t = 1.0f;
  } else {
    float e = expm1_impl(2.0f * a);
    t = e / (e + 2.0f);
  }
  return copysignf(t, x);
}

INLINE float sigmoid_impl(float x) { return 1.0f / (1.0f + exp_impl(-x)); }

// Each function twice: compiled for the baseline ISA (fmaf is glibc's, exact in software where
// the CPU lacks FMA) and for CPUs with FMA (fmaf is one instruction). Both round every step
// correctly, so they give the same bits; the hardware one is chosen when the CPU has FMA and
// the SIMD hook is not forcing the scalar path.
#if defined(__x86_64__)
#define THW __attribute__((target("avx2,fma")))
#else
#define THW
#endif

#define VARIANTS(NAME, IMPL)                                                                    \
  static float NAME##_sw(float x) { return IMPL(x); }                                         \
  THW static float NAME##_hw(float x) { return IMPL(x); }                                     \
  float ffk_##NAME(float x) { return ffk_width() > 1 ? NAME##_hw(x) : NAME##_sw(x); }

VARIANTS(expf, exp_impl)
VARIANTS(expm1f, expm1_impl)
VARIANTS(logf, log_impl)
VARIANTS(tanhf, tanh_impl)
VARIANTS(sigmoidf, sigmoid_impl)

// The largest element: eight running maxima, then combined (exact in any order; where it is
// ±0 either sign gives the same shifted values).
INLINE float max_impl(const float *x, long n) {
  float lane[8];
  for (int j = 0; j < 8; j++) lane[j] = x[0];
  long i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
  for (int j = 0; i + j < n; j++) lane[j] = x[i + j] > lane[j] ? x[i + j] : lane[j];
  float m = lane[0];
  for (int j = 1; j < 8; j++) m = lane[j] > m ? lane[j] : m;
  return m;
}

// Eight running sums (element i goes to lane i mod 8, in index order), then
// ((0+1)+(2+3))+((4+5)+(6+7)): a fixed tree, the same on every path, and one that vectorises.
INLINE float sum_impl(const float *x, long n) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  long i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) lane[j] += x[i + j];
  for (int j = 0; i + j < n; j++) lane[j] += x[i + j];
  return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

INLINE float softmax_impl(float *x, long n) {
  float m = max_impl(x, n);
  for (long i = 0; i < n; i++) x[i] = exp_impl(x[i] - m);
  float sum = sum_impl(x, n);
  for (long i = 0; i < n; i++) x[i] /= sum;
  return sum;
}

static float softmax_sw(float *x, long n) { return softmax_impl(x, n); }
THW static float softmax_hw(float *x, long n) { return softmax_impl(x, n); }

float ffk_softmax(float *x, long n) {
  if (n <= 0) return 0.0f;
  return ffk_width() > 1 ? softmax_hw(x, n) : softmax_sw(x, n);
}

