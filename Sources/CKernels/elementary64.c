// Double-precision exp, log and sin/cos of π·x from IEEE basic operations and fma only, for
// what feeds a model from outside the network: generated data (`uses: generate`) and learning
// rate schedules. Same construction as elementary.c (Cody–Waite reduction, Taylor polynomials
// by Horner's rule), with enough terms for double; max error ≈ 1 ulp (tested against libm).
#include "ckernels.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

static const double ln2_hi = 6.93147180369123816490e-01;  // 32 significant bits
static const double ln2_lo = 1.90821492927058770002e-10;  // ln 2 − ln2_hi
static const double log2e = 1.44269504088896338700e+00;
static const double pi_2 = 1.57079632679489655800e+00;

static double from_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static uint64_t to_bits(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }
static double pow2(int e) { return from_bits((uint64_t)(e + 1023) << 52); }  // -1022 ≤ e ≤ 1023

double ffk_exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893383973096) return INFINITY;
  if (x < -745.1332191019412) return 0.0;
  double n = __builtin_roundeven(x * log2e);
  double r = fma(n, -ln2_hi, x);
  r = fma(n, -ln2_lo, r);  // |r| ≤ ln2/2 (+ rounding)
  // e^r = Σ_{k ≤ 13} r^k / k!  (truncation < 5e-18 relative)
  static const double c[14] = {
      1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
      1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800.0};
  double p = c[13];
  for (int k = 12; k >= 0; k--) p = fma(p, r, c[k]);
  int e = (int)n;
  int e1 = e > 1023 ? 1023 : (e < -1022 ? -1022 : 0);
  return (p * pow2(e1)) * pow2(e - e1);
}

double ffk_log(double x) {
  if (x != x) return x;
  if (x < 0.0) return NAN;
  if (x == 0.0) return -INFINITY;
  if (x == INFINITY) return x;
  uint64_t u = to_bits(x);
  int e = 0;
  if (u < 0x0010000000000000ull) {  // subnormal
    u = to_bits(x * 0x1p54);
    e = -54;
  }
  e += (int)(u >> 52) - 1023;
  double m = from_bits((u & 0x000fffffffffffffull) | 0x3ff0000000000000ull);  // [1, 2)
  if (m > 1.41421356237309504880) {
    m *= 0.5;
    e += 1;
  }
  double f = m - 1.0;  // exact
  double s = f / (2.0 + f);
  double z = s * s;  // ≤ 0.0295
  // log(1+f) = f − f²/2 + s·(f²/2 + R), R = Σ_{k ≥ 1} 2 z^k / (2k+1)  (to k = 12)
  double R = 2.0 / 25;
  for (int k = 11; k >= 1; k--) R = fma(R, z, 2.0 / (2 * k + 1));
  R = R * z;
  double hfsq = 0.5 * f * f;
  double dk = (double)e;
  return dk * ln2_hi + ((f - hfsq + s * (hfsq + R)) + dk * ln2_lo);
}

void ffk_sincospi(double x, double *s, double *c) {
  if (!(x - x == 0.0)) {  // ±inf or NaN
    *s = *c = NAN;
    return;
  }
  // πx = (q + f)·π/2 with q an integer and |f| ≤ 1/2: t = 2x, q = round(t), f = t − q (exact
  // where |x| < 2^52; beyond, x is an integer and f = 0).
  double t = 2.0 * x;
  double q = __builtin_roundeven(t);
  double f = t - q;
  double theta = f * pi_2;  // |θ| ≤ π/4
  double z = theta * theta;
  // sin θ = θ·Σ (−z)^k/(2k+1)!, cos θ = Σ (−z)^k/(2k)!  (k ≤ 8: truncation < 1e-19)
  static const double sc[9] = {
      1.0, -1.0 / 6, 1.0 / 120, -1.0 / 5040, 1.0 / 362880, -1.0 / 39916800,
      1.0 / 6227020800.0, -1.0 / 1307674368000.0, 1.0 / 355687428096000.0};
  static const double cc[9] = {
      1.0, -1.0 / 2, 1.0 / 24, -1.0 / 720, 1.0 / 40320, -1.0 / 3628800, 1.0 / 479001600,
      -1.0 / 87178291200.0, 1.0 / 20922789888000.0};
  double ps = sc[8], pc = cc[8];
  for (int k = 7; k >= 0; k--) {
    ps = fma(ps, z, sc[k]);
    pc = fma(pc, z, cc[k]);
  }
  double sn = theta * ps, cs = pc;
  double qm = q - 4.0 * __builtin_floor(q / 4.0);  // q mod 4, in {0, 1, 2, 3}
  switch ((int)qm) {
  case 0: *s = sn; *c = cs; break;
  case 1: *s = cs; *c = -sn; break;
  case 2: *s = -sn; *c = -cs; break;
  default: *s = -cs; *c = sn; break;
  }
  if (*s == 0.0) *s = 0.0 * x;  // sin(πn) = ±0 with x's sign, as sinpi in C23
}
