// Deterministic single-precision matrix product: the accumulation order of every output element
// is k = 0, 1, …, K−1 with one fused multiply-add per step, on every path. Vectors run across
// output columns (4, 8 or 16 at a time) and a register block covers 4 or 8 rows; the reduction is
// never split, reordered or vectorised, so scalar, 4-, 8- and 16-wide paths give the same bits.
// K is blocked (KC) for cache reuse: a partial sum is stored to C and reloaded, which is exact.
#include "ckernels.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#pragma clang fp contract(off)

typedef float v4 __attribute__((vector_size(16)));
typedef float v8 __attribute__((vector_size(32)));
typedef float v16 __attribute__((vector_size(64)));

enum { KC = 256 };

#define LOADV(V, p) ({ V _v; memcpy(&_v, (p), sizeof(V)); _v; })
#define STOREV(V, p, x) do { V _v = (x); memcpy((p), &_v, sizeof(V)); } while (0)

#if defined(__x86_64__)
#define T512 __attribute__((target("avx512f,avx2,fma")))
#define T256 __attribute__((target("avx2,fma")))
#define T128 __attribute__((target("avx,fma")))
#else
#define T512
#define T256
#define T128
#endif

// An MR × (NV·W) register block: rows past `mr` repeat row 0 and are not stored.
#define MICRO(NAME, V, MR, NV, ATTR)                                                            \
  ATTR static inline void NAME(long mr, long K, const float *A, long rsA, long csA,             \
                               const float *B, long rsB, float *C, long ldc, int load) {        \
    enum { W = sizeof(V) / sizeof(float) };                                                     \
    const float *a[MR];                                                                         \
    for (int r = 0; r < MR; r++) a[r] = A + (r < mr ? r : 0) * rsA;                             \
    V acc[MR][NV];                                                                              \
    for (int r = 0; r < MR; r++)                                                                \
      for (int v = 0; v < NV; v++) {                                                            \
        if (load && r < mr) acc[r][v] = LOADV(V, C + r * ldc + v * W);                          \
        else for (int w = 0; w < W; w++) acc[r][v][w] = 0.0f;                                   \
      }                                                                                         \
    for (long k = 0; k < K; k++) {                                                              \
      V b[NV];                                                                                  \
      for (int v = 0; v < NV; v++) b[v] = LOADV(V, B + k * rsB + v * W);                        \
      for (int r = 0; r < MR; r++) {                                                            \
        float s = a[r][k * csA];                                                                \
        V x;                                                                                    \
        for (int w = 0; w < W; w++) x[w] = s;                                                   \
        for (int v = 0; v < NV; v++) acc[r][v] = __builtin_elementwise_fma(x, b[v], acc[r][v]); \
      }                                                                                         \
    }                                                                                           \
    for (int r = 0; r < mr; r++)                                                                \
      for (int v = 0; v < NV; v++) STOREV(V, C + r * ldc + v * W, acc[r][v]);                   \
  }

// One column at a time with fmaf (correctly rounded: the hardware instruction where the target
// has FMA, glibc's exact software path otherwise).
#define COLUMNS(NAME, ATTR)                                                                     \
  ATTR static inline void NAME(long mr, long n, long K, const float *A, long rsA, long csA,     \
                               const float *B, long rsB, float *C, long ldc, int load) {        \
    for (long r = 0; r < mr; r++)                                                               \
      for (long j = 0; j < n; j++) {                                                            \
        float acc = load ? C[r * ldc + j] : 0.0f;                                               \
        for (long k = 0; k < K; k++) acc = fmaf(A[r * rsA + k * csA], B[k * rsB + j], acc);     \
        C[r * ldc + j] = acc;                                                                   \
      }                                                                                         \
  }

// Register blocks: 8 rows with 32 registers (AVX-512), 4 rows with 16 (AVX2, SSE/NEON).
MICRO(m16x2_512, v16, 8, 2, T512)
MICRO(m16x1_512, v16, 8, 1, T512)
MICRO(m8x1_512, v8, 8, 1, T512)
MICRO(m4x1_512, v4, 8, 1, T512)
COLUMNS(cols_512, T512)
MICRO(m8x2_256, v8, 4, 2, T256)
MICRO(m8x1_256, v8, 4, 1, T256)
MICRO(m4x1_256, v4, 4, 1, T256)
COLUMNS(cols_256, T256)
MICRO(m4x2_128, v4, 4, 2, T128)
MICRO(m4x1_128, v4, 4, 1, T128)
COLUMNS(cols_128, T128)
COLUMNS(cols_1, )

// The driver for one width: K blocks, then MR-row blocks, then column panels widest first.
#define DRIVER(NAME, MR, ATTR, PANELS, TAIL)                                                    \
  ATTR static void NAME(long M, long N, long K, const float *A, long rsA, long csA,             \
                        const float *B, long rsB, float *C, long ldc, int accumulate) {         \
    for (long k0 = 0; k0 < K; k0 += KC) {                                                       \
      long kc = K - k0 < KC ? K - k0 : KC;                                                      \
      int load = accumulate || k0 > 0;                                                          \
      const float *Ak = A + k0 * csA, *Bk = B + k0 * rsB;                                       \
      for (long i0 = 0; i0 < M; i0 += MR) {                                                     \
        long mr = M - i0 < MR ? M - i0 : MR;                                                    \
        const float *Ai = Ak + i0 * rsA;                                                        \
        float *Ci = C + i0 * ldc;                                                               \
        long j = 0;                                                                             \
        PANELS                                                                                  \
        if (j < N) TAIL(mr, N - j, kc, Ai, rsA, csA, Bk + j, rsB, Ci + j, ldc, load);           \
      }                                                                                         \
    }                                                                                           \
  }

#define PANEL(MICRO_FN, WIDTH)                                                                  \
  for (; j + (WIDTH) <= N; j += (WIDTH)) MICRO_FN(mr, kc, Ai, rsA, csA, Bk + j, rsB, Ci + j, ldc, load);

DRIVER(gemm16, 8, T512,
       PANEL(m16x2_512, 32) PANEL(m16x1_512, 16) PANEL(m8x1_512, 8) PANEL(m4x1_512, 4), cols_512)
DRIVER(gemm8, 4, T256, PANEL(m8x2_256, 16) PANEL(m8x1_256, 8) PANEL(m4x1_256, 4), cols_256)
DRIVER(gemm4, 4, T128, PANEL(m4x2_128, 8) PANEL(m4x1_128, 4), cols_128)
DRIVER(gemm1, 4, , , cols_1)

// MARK: - Width selection

#if defined(__x86_64__)
#include <cpuid.h>
static unsigned long long xgetbv0(void) {
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return ((unsigned long long)hi << 32) | lo;
}
static int detect_width(void) {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return 1;
  int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
  if (!(fma && osxsave && avx)) return 1;
  unsigned long long xcr0 = xgetbv0();
  if ((xcr0 & 6) != 6) return 1;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 4;
  int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
  if (!avx2) return 4;
  if (avx512f && (xcr0 & 0xE6) == 0xE6) return 16;
  return 8;
}
#elif defined(__aarch64__)
static int detect_width(void) { return 4; }  // NEON (fmla) is part of every arm64 CPU
#else
static int detect_width(void) { return 1; }
#endif

static _Atomic int max_width = 0;
static _Atomic int width = 0;

int ffk_max_width(void) {
  int w = atomic_load_explicit(&max_width, memory_order_relaxed);
  if (w == 0) {
    w = detect_width();
    atomic_store_explicit(&max_width, w, memory_order_relaxed);
  }
  return w;
}

static int clamp_width(int requested) {
  int most = ffk_max_width();
  if (requested <= 0 || requested >= most) return most;
  return requested >= 8 ? 8 : requested >= 4 ? 4 : 1;
}

int ffk_width(void) {
  int w = atomic_load_explicit(&width, memory_order_relaxed);
  if (w == 0) {
    const char *forced = getenv("FAIRFLOW_SIMD_WIDTH");
    w = clamp_width(forced ? atoi(forced) : 0);
    atomic_store_explicit(&width, w, memory_order_relaxed);
  }
  return w;
}

int ffk_set_width(int requested) {
  int w = clamp_width(requested);
  atomic_store_explicit(&width, w, memory_order_relaxed);
  return w;
}

void ffk_gemm(long M, long N, long K, const float *A, long rsA, long csA, const float *B,
              long rsB, long csB, float *C, long ldc, int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (long i = 0; i < M; i++) memset(C + i * ldc, 0, (size_t)N * sizeof(float));
    return;
  }
  float *packed = NULL;
  if (csB != 1) {  // columns of B not contiguous (a transposed weight): pack B as [K, N]
    packed = malloc((size_t)K * (size_t)N * sizeof(float));
    for (long k = 0; k < K; k++)
      for (long j = 0; j < N; j++) packed[k * N + j] = B[k * rsB + j * csB];
    B = packed;
    rsB = N;
  }
  switch (ffk_width()) {
  case 16: gemm16(M, N, K, A, rsA, csA, B, rsB, C, ldc, accumulate); break;
  case 8: gemm8(M, N, K, A, rsA, csA, B, rsB, C, ldc, accumulate); break;
  case 4: gemm4(M, N, K, A, rsA, csA, B, rsB, C, ldc, accumulate); break;
  default: gemm1(M, N, K, A, rsA, csA, B, rsB, C, ldc, accumulate); break;
  }
  free(packed);
}
