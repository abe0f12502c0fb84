// exp, expm1, log, tanh and sigmoid from IEEE basic operations and fmaf only: range reduction by
// Cody–Waite splitting of ln 2, then fixed polynomials evaluated by Horner's rule. Every step is
// correctly rounded, so the result's bits are the same on every CPU and C library (the platform
// libm's are not: glibc picks among FMA and non-FMA variants at load time).
#include "ckernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

static const float ln2_hi = 0.693145751953125f;         // 15 significant bits: n·ln2_hi is exact
static const float ln2_lo = 1.428606765330187045e-06f;  // ln 2 − ln2_hi
static const float log2e = 1.44269504088896341f;

static float from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/// 2^e for -126 ≤ e ≤ 127.
static float pow2(int e) { return from_bits((uint32_t)(e + 127) << 23); }

float ffk_expf(float x) {
  if (x != x) return x;
  if (x > 88.72283935546875f) return INFINITY;
  if (x < -103.97208404541015625f) return 0.0f;
  float n = __builtin_roundevenf(x * log2e);
  float r = fmaf(n, -ln2_hi, x);
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
  int e = (int)n;
  if (e > 127) { p *= 0x1p127f; e -= 127; }
  else if (e < -126) { p *= 0x1p-126f; e += 126; }
  return p * pow2(e);
}

float ffk_expm1f(float x) {
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
  return ffk_expf(x) - 1.0f;
}

float ffk_logf(float x) {
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

float ffk_tanhf(float x) {
  if (x != x) return x;
  float a = fabsf(x);
  if (a < 0x1p-12f) return x;
  float t;
  if (a > 9.1f) {
    t = 1.0f;
  } else {
    float e = ffk_expm1f(2.0f * a);
    t = e / (e + 2.0f);
  }
  return copysignf(t, x);
}

float ffk_sigmoidf(float x) { return 1.0f / (1.0f + ffk_expf(-x)); }
