/*
 * actlab.activations._fused: the float32 forward pass of the activations that need an
 * exponential (or erfc, log1p, expm1), and of those whose numpy form takes several
 * passes, the derivatives of those (sigmoid, tanh, softplus, the ELU family, GELU,
 * SiLU/Swish, Mish, softsign, hard-swish), and exp and tanh themselves, each as one numpy
 * ufunc: one pass over memory, eight elements at a time; the derivatives of the
 * piecewise-linear ones (ReLU, Leaky ReLU, hard tanh...) as one ufunc, pieces; softmax and
 * log-softmax as generalized ufuncs along the last axis (_softmax.h), and maxout's group
 * maximum and its backward pass.
 *
 * The Python modules hold each formula, and evaluate it with numpy for float64; this file
 * holds the same formulas for float32, where numpy would need 5 to 20 passes (and float64
 * temporaries) for them. Each kernel below names the Python function it mirrors; the
 * tests hold both to 4 ulp against mpmath. Where float32 arithmetic would lose more than
 * that (a gate multiplied by x, an argument amplified by an exponential), the kernel works
 * in double and rounds once at the end, or carries the argument's low part along.
 *
 * Written once, with GCC's vector extensions. The common case runs on the float32
 * exp, expm1 and log1p of _f32math.h: polynomials, no library calls. The rare vectors
 * they cannot take (results that overflow or turn subnormal, parameters that need double)
 * go to a general kernel, which calls glibc's vector math library (libmvec) where
 * setup.py finds AVX2 and glibc >= 2.35, and the C library lane by lane elsewhere, so that
 * the module builds and gives the same formulas everywhere. NaN in gives NaN out; no
 * floating-point warnings (overflow gives inf).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fenv.h>
#include <math.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include "numpy/ndarraytypes.h"
#include "numpy/ufuncobject.h"

typedef float v8f __attribute__((vector_size(32)));
typedef int v8i __attribute__((vector_size(32)));
typedef unsigned v8u __attribute__((vector_size(32)));
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/* ---- math functions on whole vectors -------------------------------------------------- */
#ifndef ACTLAB_LIBMVEC
#define ACTLAB_LIBMVEC 0
#endif
#ifdef __AVX__
#include <immintrin.h>
#endif
#if ACTLAB_LIBMVEC
__m256 _ZGVdN8v_expf(__m256);
__m256 _ZGVdN8v_log1pf(__m256);
__m256d _ZGVdN4v_erfc(__m256d);
__m256d _ZGVdN4v_log1p(__m256d);
static inline v8f v_expf(v8f x) { return (v8f)_ZGVdN8v_expf((__m256)x); }
static inline v8f v_log1pf(v8f x) { return (v8f)_ZGVdN8v_log1pf((__m256)x); }
static inline v4d v_erfc(v4d x) { return (v4d)_ZGVdN4v_erfc((__m256d)x); }
static inline v4d v_log1p(v4d x) { return (v4d)_ZGVdN4v_log1p((__m256d)x); }
#else
#define LANES_F(name, fn) \
    static inline v8f name(v8f x) { for (int i = 0; i < 8; i++) x[i] = fn(x[i]); return x; }
#define LANES_D(name, fn) \
    static inline v4d name(v4d x) { for (int i = 0; i < 4; i++) x[i] = fn(x[i]); return x; }
LANES_F(v_expf, expf)
LANES_F(v_log1pf, log1pf)
LANES_D(v_erfc, erfc)
LANES_D(v_log1p, log1p)
#endif

/* ---- lane helpers: comparisons give masks of all ones (true) or zeros ------------------- */
static inline v8f select_f(v8i mask, v8f a, v8f b) { return (v8f)((mask & (v8i)a) | (~mask & (v8i)b)); }
static inline v4d select_d(v4l mask, v4d a, v4d b) { return (v4d)((mask & (v4l)a) | (~mask & (v4l)b)); }
static inline v8f splat_f(float c) { return (v8f){c, c, c, c, c, c, c, c}; }
static inline v4d splat_d(double c) { return (v4d){c, c, c, c}; }
/* max and min that return the bound for NaN: every kernel restores NaN at the end. */
#if ACTLAB_LIBMVEC /* AVX's max and min return their second operand, the bound, for NaN */
static inline v8f max_f(v8f x, float c) { return (v8f)_mm256_max_ps((__m256)x, (__m256)splat_f(c)); }
static inline v8f min_f(v8f x, float c) { return (v8f)_mm256_min_ps((__m256)x, (__m256)splat_f(c)); }
static inline v4d max_d(v4d x, double c) { return (v4d)_mm256_max_pd((__m256d)x, (__m256d)splat_d(c)); }
static inline v4d min_d(v4d x, double c) { return (v4d)_mm256_min_pd((__m256d)x, (__m256d)splat_d(c)); }
#else
static inline v8f max_f(v8f x, float c) { return select_f(x > c, x, splat_f(c)); }
static inline v8f min_f(v8f x, float c) { return select_f(x < c, x, splat_f(c)); }
static inline v4d max_d(v4d x, double c) { return select_d(x > c, x, splat_d(c)); }
static inline v4d min_d(v4d x, double c) { return select_d(x < c, x, splat_d(c)); }
#endif

/* Whether any lane of a comparison holds: one instruction with AVX, a loop otherwise. */
static inline int any(v8i mask) {
#ifdef __AVX__
    return _mm256_movemask_ps((__m256)mask) != 0;
#else
    int r = 0;
    for (int i = 0; i < 8; i++) r |= mask[i];
    return r;
#endif
}


#include "_f32math.h"
#include "_f32gelu.h"

/* A float32 vector as two halves in double, and back (rounded once): one instruction
 * each with AVX (GCC's __builtin_convertvector goes through 128-bit halves). */
#ifdef __AVX__
static inline v4d low_half(v8f a) { return (v4d)_mm256_cvtps_pd(_mm256_castps256_ps128((__m256)a)); }
static inline v4d high_half(v8f a) { return (v4d)_mm256_cvtps_pd(_mm256_extractf128_ps((__m256)a, 1)); }
static inline v8f join_halves(v4d lo, v4d hi) {
    return (v8f)_mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps((__m256d)lo)), _mm256_cvtpd_ps((__m256d)hi), 1);
}
#else
static inline v4d low_half(v8f a) { return __builtin_convertvector(__builtin_shufflevector(a, a, 0, 1, 2, 3), v4d); }
static inline v4d high_half(v8f a) { return __builtin_convertvector(__builtin_shufflevector(a, a, 4, 5, 6, 7), v4d); }
static inline v8f join_halves(v4d lo, v4d hi) {
    return __builtin_shufflevector(__builtin_convertvector(lo, v4f), __builtin_convertvector(hi, v4f), 0, 1, 2, 3, 4, 5, 6, 7);
}
#endif

/* A float32 kernel computed in double, half a vector at a time, rounded once. */
#define IN_DOUBLE(kernel)                                                                    \
    static inline v8f kernel##_f32(v8f x, double p) { return join_halves(kernel(low_half(x), p), kernel(high_half(x), p)); }

/* eᶻ in double to about 1e-9 relatively (0.02 float32 ulp), for results that are
 * rounded to float32. libmvec's double exp takes ~3x as long: it is exact to a double
 * ulp, which no float32 result needs. z = n·ln2 + r with n an integer and |r| <= ln2/2
 * (a little more where rounding moves n); e^r by its Taylor polynomial of degree 8
 * (remainder below 0.35^9/9! = 7e-10), then 2^n put into the exponent. z is first
 * clamped to ±700: the result stays a normal double (subnormal arithmetic is ~100x
 * slower), and every caller multiplies it by at most 1e4 before rounding to float32,
 * where e^-700 and e^-800 alike round to 0, and 1/(1 + e^700) and 1/(1 + inf) alike to
 * 0. NaN gives NaN. */
static inline v4d exp_for_float32(v4d z) {
    const double log2e = 1.44269504088896340736, ln2_hi = 0.693147180369123816490,
                 ln2_lo = 1.90821492927058770002e-10, shifter = 0x1.8p52;
    v4d zc = min_d(max_d(z, -700.0), 700.0);
    v4d shifted = zc * log2e + shifter; /* n in the low bits of the significand */
    v4d n = shifted - shifter;          /* zc/ln2 rounded to an integer, |n| <= 1010 */
    v4l n_int = (v4l)shifted - (v4l)splat_d(shifter);
    v4d r = (zc - n * ln2_hi) - n * ln2_lo;
    v4d p = (((r * (1.0 / 40320.0) + 1.0 / 5040.0) * r + 1.0 / 720.0) * r + 1.0 / 120.0) * r + 1.0 / 24.0;
    p = (((p * r + 1.0 / 6.0) * r + 0.5) * r + 1.0) * r + 1.0;
    return select_d(z != z, z, p * (v4d)((n_int + 1023) << 52));
}

/* σ(z) = 1/(1 + e^(−z)) (_kernels.sigmoid); below z = −700 it is ~1e−304 rather than
 * eᶻ, which rounds to the same float32 after a product with |x| <= 1e4 (see above). */
static inline v4d sigmoid_d(v4d z) { return 1.0 / (1.0 + exp_for_float32(-z)); }

/* ---- the kernels: one vector of float32 x in, the activation out --------------------- */

/* 1/d to 12 bits or better, for corrections that are themselves a few ulp: one
 * instruction with AVX, a division elsewhere. */
static inline v8f reciprocal_approx(v8f d) {
#ifdef __AVX__
    return (v8f)_mm256_rcp_ps((__m256)d);
#else
    return 1.0f / d;
#endif
}

/* Kernels with a fast path come in threes: name_fast, valid for the lanes where
 * name_usable holds (a mask), and name_general for the vectors where it does not (see
 * FAST_KERNEL_LOOP). */

/* eˣ, for float32 where numpy's is several times slower: _kernels.exp (log-softmax's
 * backward pass). Where results overflow or turn subnormal, the C library's (libmvec's). */
static inline v8f exp_fast(v8f x, double unused) { return exp_f(x); }
static inline v8i exp_usable(v8f x, double unused) { return (x >= EXP_F_MIN) & (x <= EXP_F_MAX); }
static inline v8f exp_general(v8f x, double unused) { return v_expf(x); }

/* squashing.tanh: tanh |x| = −e/(2 + e) with e = e^(−2|x|) − 1 (exact near 0, −1 beyond
 * |x| = 10), and the sign of x put back bit by bit (so that tanh(±0) = ±0). Within 2.5
 * ulp; a polynomial near 0 and 1 − 2/(1 + e^(2|x|)) beyond gave 1.5, in 1.5 times the time. */
static inline v8f tanh_f32(v8f x, double unused) {
    const v8i sign = {INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN, INT32_MIN};
    v8f a = (v8f)(~sign & (v8i)x);
    v8f e = expm1_f(-(a + a));
    v8f t = e / (-2.0f - e); /* −0 for e = +0 */
    return (v8f)((~sign & (v8i)t) | (sign & (v8i)x));
}

/* basic.step: 1 for x > 0, at_zero at ±0, 0 for x < 0 (NaN restored by the loop). numpy
 * needs a comparison, a cast and a NaN check; this is one pass. */
static inline v8f step_f32(v8f x, double at_zero) {
    return select_f(x > 0.0f, splat_f(1.0f), select_f(x == 0.0f, splat_f((float)at_zero), splat_f(0.0f)));
}

/* squashing.hard_sigmoid: ReLU6(x + 3)/6 (x + 3 first: exact near −3). */
static inline v8f hard_sigmoid_f32(v8f x, double unused) { return min_f(max_f(x + 3.0f, 0.0f), 6.0f) / 6.0f; }

/* squashing._softsign_derivative: 1/(1 + |x|)², as (1/(1 + |x|))² (1 + |x| squared could
 * overflow), the same roundings as numpy's float32 passes. */
static inline v8f softsign_derivative_f32(v8f x, double unused) {
    v8f r = 1.0f / (1.0f + select_f(x < 0.0f, -x, x));
    return r * r;
}

/* squashing.softsign: x/(1 + |x|), x kept within ±2^60 (where it is ±1) against inf/inf. */
static inline v8f softsign_f32(v8f x, double unused) {
    v8f c = min_f(max_f(x, -0x1p60f), 0x1p60f);
    return c / (1.0f + select_f(c < 0.0f, -c, c));
}

/* rectifiers.leaky_relu: x for x > 0, slope·x otherwise (0, not NaN, for −inf·0). */
static inline v8f leaky_relu_f32(v8f x, double slope) {
    v8f negative = slope == 0.0 ? splat_f(0.0f) : x * (float)slope;
    return select_f(x > 0.0f, x, negative);
}

/* gated.hard_swish: x·ReLU6(x + 3)/6, x kept above −4 (it is 0 below −3) against −inf·0. */
static inline v8f hard_swish_f32(v8f x, double unused) {
    v8f c = max_f(x, -4.0f);
    return (min_f(max_f(c + 3.0f, 0.0f), 6.0f) / 6.0f) * c;
}

/* squashing.sigmoid, in float32: 1/(1 + e^(−x)), and eˣ where e^(−x) would overflow. */
static inline v8f sigmoid_fast(v8f x, double unused) { return 1.0f / (1.0f + exp_f(-min_f(x, -EXP_F_MIN))); }
static inline v8i sigmoid_usable(v8f x, double unused) { return x >= EXP_F_MIN; }
static inline v8f sigmoid_general(v8f x, double unused) {
    v8f s = 1.0f / (1.0f + v_expf(-x));
    v8i tail = x < -80.0f;
    return any(tail) ? select_f(tail, v_expf(x), s) : s;
}

/* rectifiers.softplus with β ≠ 1, in double: the rounding of β|x| in float32 would be
 * magnified ~β|x| times by the exponential. β|x| is kept below 800 (e^−800 is 0). */
static inline v4d softplus_d(v4d x, double beta) {
    v4d a = min_d(select_d(x < 0.0, -x, x) * beta, 800.0);
    return v_log1p(exp_for_float32(-a)) / beta + max_d(x, 0.0);
}
IN_DOUBLE(softplus_d)

/* rectifiers.softplus: max(x, 0) + log(1 + e^(−|x|)), in float32 for β = 1; below
 * x = −87 (results down to subnormal) with the C library's functions. */
static inline v8f softplus_fast(v8f x, double beta) {
    v8f minus_abs = select_f(x < 0.0f, x, -x);
    return log1p_unit(exp_f(max_f(minus_abs, EXP_F_MIN))) + max_f(x, 0.0f);
}
static inline v8i softplus_usable(v8f x, double beta) { return (x >= EXP_F_MIN) & (beta == 1.0 ? -1 : 0); }
static inline v8f softplus_general(v8f x, double beta) {
    if (beta != 1.0) return softplus_d_f32(x, beta);
    return v_log1pf(v_expf(select_f(x < 0.0f, x, -x))) + max_f(x, 0.0f);
}

/* exponential.elu: max(x, 0) + α·expm1(min(x, 0)), in float32. */
static inline v8f elu_f32(v8f x, double alpha) {
    return max_f(x, 0.0f) + expm1_f(min_f(x, 0.0f)) * (float)alpha;
}

/* exponential.selu: λ·max(x, 0) + λα·expm1(min(x, 0)), in float32. */
#define SELU_LAMBDA 1.0507009873554804934193349852946
#define SELU_LAMBDA_ALPHA 1.7580993408473768599402175208123
static inline v8f selu_f32(v8f x, double unused) {
    return max_f(x, 0.0f) * (float)SELU_LAMBDA + expm1_f(min_f(x, 0.0f)) * (float)SELU_LAMBDA_ALPHA;
}

/* exponential.celu: max(x, 0) + α·expm1(min(x, 0)/α), the argument kept above −800. */
static inline v8f celu_f32(v8f x, double alpha) {
    float a = (float)alpha;
    v8f z = max_f(min_f(x, 0.0f), (float)(-800.0 * alpha));
    if (alpha != 1.0) z = z / a;
    return expm1_f(z) * a + max_f(x, 0.0f);
}

/* gated.gelu: x·Φ(x) = x·½·erfc(−x/√2), x kept above −40 (GELU(−40) rounds to 0). */
static inline v4d gelu_d(v4d x, double unused) {
    v4d c = max_d(x, -40.0);
    return c * (0.5 * v_erfc(c * -0.70710678118654752440));
}
IN_DOUBLE(gelu_d)

/* gated.gelu in float32 (_f32gelu.h); below GELU_F_MIN, where it turns subnormal, gelu_d. */
__attribute__((always_inline)) static inline v8f gelu_fast(v8f x, double unused) { return gelu_f(x); }
static inline v8i gelu_usable(v8f x, double unused) { return x >= GELU_F_MIN; }
static inline v8f gelu_general(v8f x, double unused) { return gelu_d_f32(x, unused); }

/* gated.gelu_tanh: x·σ(w), w = 2√(2/π)·x(1 + 0.044715x²), x kept within ±10⁴. */
static inline v4d gelu_tanh_d(v4d x, double unused) {
    v4d c = min_d(max_d(x, -1e4), 1e4);
    v4d w = ((c * c) * 0.044715 + 1.0) * c * 1.5957691216057308;
    return sigmoid_d(w) * max_d(x, -1e4);
}
IN_DOUBLE(gelu_tanh_d)

/* gated.gelu_tanh in float32 as x/(1 + e^(−w)), w = x·(k + kc·x²) with k = 2√(2/π) and
 * kc = 0.044715k carried in two parts each, as is every product (fms_f), so that w =
 * hi + lo to ~2^−40: its rounding in float32 alone would be magnified |w| times by the
 * exponential. x is kept below 10 (beyond, σ(w) rounds to 1). Below x = −10 (w < −87)
 * gelu_tanh_d. */
static inline v8i gelu_tanh_usable(v8f x, double unused) { return x >= -10.0f; }
static inline v8f gelu_tanh_general(v8f x, double unused) { return gelu_tanh_d_f32(x, unused); }
static inline v8f gelu_tanh_fast(v8f x, double unused) {
    const float k = 0x1.988454p+0f, k_lo = -0x1.857936p-25f, kc = 0x1.2444f2p-4f, kc_lo = 0x1.49b16ap-29f;
    v8f c = min_f(x, 10.0f);
    v8f c2 = c * c, c2_lo = fms_f(c, c, c2);
    v8f a = c2 * kc, a_lo = fms_f(c2, splat_f(kc), a) + (c2_lo * kc + c2 * kc_lo); /* kc·c² */
    v8f b = a + k, b_part = b - a;                                                   /* k + kc·c² */
    v8f b_lo = ((a - (b - b_part)) + (k - b_part)) + (a_lo + k_lo);
    v8f hi = c * b, lo = fms_f(c, b, hi) + c * b_lo;
    return x / (1.0f + exp_hl(-hi, -lo));
}

/* gated.swish (β = 1: SiLU): x·σ(βx), βx kept within ±800, in double. */
static inline v4d swish_d(v4d x, double beta) {
    double cap = 800.0 / beta;
    v4d c = min_d(max_d(x, -cap), cap) * beta;
    return sigmoid_d(c) * max_d(x, -cap);
}
IN_DOUBLE(swish_d)

/* gated.silu in float32 as x/(1 + e^(−x)). Swish with β ≠ 1 cannot: the rounding of βx
 * would be magnified by e^(−βx); and below x = −87 e^(−x) overflows and the result turns
 * subnormal. Those in double. */
static inline v8f swish_fast(v8f x, double beta) { return x / (1.0f + exp_f(-min_f(x, -EXP_F_MIN))); }
static inline v8i swish_usable(v8f x, double beta) { return (x >= EXP_F_MIN) & (beta == 1.0 ? -1 : 0); }
static inline v8f swish_general(v8f x, double beta) { return swish_d_f32(x, beta); }

/* gated.mish: x·tanh(softplus x) with w = e^(−|x|): n/(n + 2), n = w(w + 2), for x ≤ 0;
 * (1 + 2w)/(1 + 2w + 2w²) for x > 0 (gated._mish_gate), x kept above −800. */
static inline v4d mish_d(v4d x, double unused) {
    v4d w = exp_for_float32(-select_d(x < 0.0, -x, x));
    v4d n = w * (w + 2.0);
    v4d a = 2.0 * w + 1.0;
    v4l positive = x > 0.0;
    v4d g = select_d(positive, a, n) / select_d(positive, a + 2.0 * (w * w), n + 2.0); /* one division */
    return g * max_d(x, -800.0);
}
IN_DOUBLE(mish_d)

/* gated.mish in float32: the gate g = N/D from w = e^(−|x|) as in mish_d, with h = n/2:
 * N = 1 + 2w, D = N + 2w² for x > 0; N = h = w + w²/2, D = 1 + h for x <= 0. Rounded
 * one by one, N/D and x·g came to 4 ulp near x = −14; here D's rounding error (two-sum)
 * and the division's (an FMA residual) go into a correction c, and x·(q + c) is rounded
 * once: within 2.2 ulp. Below x = −87 (w underflows, the result turns subnormal) mish_d. */
static inline v8i mish_usable(v8f x, double unused) { return x >= EXP_F_MIN; }
static inline v8f mish_general(v8f x, double unused) { return mish_d_f32(x, unused); }
static inline v8f mish_fast(v8f x, double unused) {
    v8i positive = x > 0.0f;
    v8f w = exp_f(max_f(select_f(positive, -x, x), EXP_F_MIN));
    v8f a = w + w + 1.0f;
    v8f numerator = select_f(positive, a, w * (0.5f * w) + w);
    v8f addend = select_f(positive, 2.0f * (w * w), splat_f(1.0f));
    v8f d = numerator + addend, d_part = d - numerator; /* d + d_lo = numerator + addend exactly */
    v8f d_lo = (numerator - (d - d_part)) + (addend - d_part);
    v8f q = numerator / d;
    v8f c = (-fms_f(q, d, numerator) - q * d_lo) * reciprocal_approx(d); /* (N − q·d exactly − q·d_lo)/d */
    return fma_f(x, q, min_f(x, 0x1p64f) * c); /* c is 0 for large x: not inf·0 = NaN */
}

/* ---- derivatives of the gated activations ----------------------------------------------
 * Near the zero of each derivative (its minimum) the formulas below cancel; there the
 * loops replace their values by the series of _roots (near_root). */

/* _roots.SERIES_F32, set from Python when _roots is imported (set_root_series): x* = hi +
 * lo, the window's radius, and P's coefficients (degree 9 at most). Until then the
 * radius is 0 and nothing is replaced. (SiLU′ needs none: its kernel below works in
 * double, within 1.25 ulp of every float32 near its zero.) */
enum { ROOT_GELU, ROOT_GELU_TANH, ROOT_MISH, ROOTS, MAX_TERMS = 10 };
static const char *const root_names[ROOTS] = {"gelu", "gelu_tanh", "mish"};
static struct root_series {
    double hi, lo, radius;
    double a[MAX_TERMS]; /* a[k]: P's coefficient of t^k (0 above its degree) */
} roots[ROOTS];

/* d = f′(x) with the lanes where |x − x*| < radius replaced by _roots.replace_near_root's
 * t·P(t), t = (x − hi) − lo, in double, rounded once.
 * Without it, over every float32 of the windows: Mish′ 801 ulp off, GELU-tanh′ 19 (the
 * double kernels), GELU′ 2·10⁷ (float32 arithmetic); with it, 0.5. */
static inline v4d near_root_half(const struct root_series *s, v4d x, v4d d) {
    v4d u = x - s->hi;
    v4l inside = (u < s->radius) & (u > -s->radius);
    v4d t = u - s->lo, t2 = t * t, t4 = t2 * t2; /* Estrin's scheme: a chain half as long as Horner's */
    v4d p01 = t * s->a[1] + s->a[0], p23 = t * s->a[3] + s->a[2], p45 = t * s->a[5] + s->a[4];
    v4d p67 = t * s->a[7] + s->a[6], p89 = t * s->a[9] + s->a[8];
    v4d p = (p23 * t2 + p01) + ((p67 * t2 + p45) + p89 * t4) * t4;
    return select_d(inside, t * p, d);
}
static inline v8f near_root(int root, v8f x, v8f d) {
    const struct root_series *s = &roots[root];
    return join_halves(near_root_half(s, low_half(x), low_half(d)), near_root_half(s, high_half(x), high_half(d)));
}

/* _roots' set_root_series(name, hi, lo, radius, coefficients). */
static PyObject *set_root_series(PyObject *module, PyObject *args) {
    const char *name;
    double hi, lo, radius;
    PyObject *coefficients;
    if (!PyArg_ParseTuple(args, "sdddO", &name, &hi, &lo, &radius, &coefficients)) return NULL;
    int root = 0;
    while (root < ROOTS && strcmp(name, root_names[root]) != 0) root++;
    PyObject *sequence = PySequence_Fast(coefficients, "coefficients must be a sequence");
    if (sequence == NULL) return NULL;
    Py_ssize_t terms = PySequence_Fast_GET_SIZE(sequence);
    if (root == ROOTS || terms < 1 || terms > MAX_TERMS) {
        PyErr_Format(PyExc_ValueError, "set_root_series: no derivative %s with %zd coefficients", name, terms);
        Py_DECREF(sequence);
        return NULL;
    }
    struct root_series s = {hi, lo, radius, {0}};
    for (Py_ssize_t k = 0; k < terms; k++) s.a[terms - 1 - k] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(sequence, k));
    Py_DECREF(sequence);
    if (PyErr_Occurred()) return NULL;
    roots[root] = s;
    Py_RETURN_NONE;
}

/* gated.silu_derivative, and swish's as SiLU′(βx): σ(c)(1 + c·σ(−c)), c = βx within ±800,
 * with one exponential e = e^(−|c|) and one division: (1 + e + c·e)/(1 + e)² for c >= 0,
 * e·(1 + e + c)/(1 + e)² below. 1 + e + c cancels near the zero of SiLU′, but in double
 * it keeps enough digits for float32: within 1.25 ulp of every float32 there, without
 * the series the other derivatives need (measured for β = 1, 1.702 and 0.3). */
static inline v4d swish_derivative_d(v4d x, double beta) {
    v4d c = min_d(max_d(x * beta, -800.0), 800.0);
    v4l positive = c >= 0.0;
    v4d e = exp_for_float32(select_d(positive, -c, c));
    v4d one_plus_e = 1.0 + e;
    return select_d(positive, one_plus_e + c * e, e * (one_plus_e + c)) / (one_plus_e * one_plus_e);
}
IN_DOUBLE(swish_derivative_d)

/* gated.gelu_derivative: Φ(x) + x·φ(x), x kept within ±40 (beyond, Φ is 0 or 1 and xφ 0). */
static inline v4d gelu_derivative_d(v4d x, double unused) {
    v4d c = min_d(max_d(x, -40.0), 40.0);
    return 0.5 * v_erfc(c * -0.70710678118654752440) +
           c * exp_for_float32(-0.5 * (c * c)) * 0.39894228040143267794;
}
IN_DOUBLE(gelu_derivative_d)

/* gated.gelu_derivative in float32 (_f32gelu.h); below GELU_F_MIN gelu_derivative_d. */
__attribute__((always_inline)) static inline v8f gelu_derivative_fast(v8f x, double unused) { return near_root(ROOT_GELU, x, gelu_derivative_f(x)); }
static inline v8i gelu_derivative_usable(v8f x, double unused) { return x >= GELU_F_MIN; }
static inline v8f gelu_derivative_general(v8f x, double unused) { return gelu_derivative_d_f32(x, unused); }

/* gated.gelu_tanh_derivative: σ(w)·(1 + x·w′·(1 − σ(w))), w = k·x(1 + c·x²),
 * w′ = k(1 + 3c·x²), x kept within ±10⁴. */
static inline v4d gelu_tanh_derivative_d(v4d x, double unused) {
    const double k = 1.5957691216057308, c3 = 3.0 * 0.044715;
    v4d xc = min_d(max_d(x, -1e4), 1e4);
    v4d g = sigmoid_d(((xc * xc) * 0.044715 + 1.0) * xc * k);
    return ((((xc * xc) * c3 + 1.0) * k * xc) * (1.0 - g) + 1.0) * g;
}
IN_DOUBLE(gelu_tanh_derivative_d)

/* gated.mish_derivative: g + x·h(2 − h)·σ(x), with g = tanh(softplus x) and h = 1 − g
 * formed from w = e^(−|x|) as in gated._mish_gate, x kept within ±800. */
static inline v4d mish_derivative_d(v4d x, double unused) {
    v4d c = min_d(max_d(x, -800.0), 800.0);
    v4l positive = c > 0.0;
    v4d w = exp_for_float32(-select_d(positive, c, -c));
    v4d n = w * (w + 2.0), a = 2.0 * w + 1.0, w2 = 2.0 * (w * w);
    v4d den = select_d(positive, a + w2, n + 2.0);
    v4d g = select_d(positive, a, n) / den, h = select_d(positive, w2, splat_d(2.0)) / den;
    v4d s = select_d(positive, splat_d(1.0), w) / (1.0 + w); /* σ(x) */
    return g + c * (h * (2.0 - h)) * s;
}
IN_DOUBLE(mish_derivative_d)

/* ---- the other derivatives that need an exponential -------------------------------------
 * Each in float32 on _f32math.h's exponential where its result is a normal float32, and
 * in double (exp_for_float32 within 1e−9, one rounding at the end) for the rest, and for
 * parameters the float32 form cannot take. */

/* σ′(z) = e/(1 + e)², e = e^(−|z|) (_kernels.sigmoid_derivative), in double. */
static inline v4d logistic_derivative_d(v4d z) {
    v4d e = exp_for_float32(-select_d(z < 0.0, -z, z));
    v4d one_plus_e = 1.0 + e;
    return e / (one_plus_e * one_plus_e);
}

/* The same in float32 for |z| <= 87. Rounded one by one, 1 + e, its square and the
 * quotient came to 3.9 ulp; here (1 + e)² = p + p_lo to ~2^−46 (1 + e exactly as a pair,
 * Fast2Sum, and the square's residual by FMA), and the quotient's residual and p_lo go
 * into a correction (as in mish_fast): e's 0.84 ulp and the last rounding remain. σ′ and
 * tanh′ within 1.49 ulp over every third float32 of |x| <= 100 (portable build: 1.48, every
 * 29th), against float64. */
static inline v8f logistic_derivative_f(v8f z) {
    v8f e = exp_f(select_f(z < 0.0f, z, -z));
    v8f d = 1.0f + e, d_lo = e - (d - 1.0f);
    v8f p = d * d, p_lo = fms_f(d, d, p) + (d + d) * d_lo;
    v8f q = e / p;
    v8f c = (-fms_f(q, p, e) - q * p_lo) * reciprocal_approx(p); /* (e − q·p exactly − q·p_lo)/p */
    return q + c;
}

/* squashing.sigmoid_derivative. */
static inline v8f sigmoid_derivative_fast(v8f x, double unused) { return logistic_derivative_f(x); }
static inline v8i sigmoid_derivative_usable(v8f x, double unused) { return (x >= EXP_F_MIN) & (x <= -EXP_F_MIN); }
static inline v4d sigmoid_derivative_d(v4d x, double unused) { return logistic_derivative_d(x); }
IN_DOUBLE(sigmoid_derivative_d)
static inline v8f sigmoid_derivative_general(v8f x, double unused) { return sigmoid_derivative_d_f32(x, unused); }

/* squashing._tanh_derivative: tanh′(x) = 1 − tanh²x = 4σ′(2x) (2x is exact). */
static inline v8f tanh_derivative_fast(v8f x, double unused) { return 4.0f * logistic_derivative_f(x + x); }
static inline v8i tanh_derivative_usable(v8f x, double unused) { return (x >= 0.5f * EXP_F_MIN) & (x <= -0.5f * EXP_F_MIN); }
static inline v4d tanh_derivative_d(v4d x, double unused) { return 4.0 * logistic_derivative_d(x + x); }
IN_DOUBLE(tanh_derivative_d)
static inline v8f tanh_derivative_general(v8f x, double unused) { return tanh_derivative_d_f32(x, unused); }

/* rectifiers.softplus_derivative: σ(βx), the sigmoid's own kernel for β = 1 (within 2.5
 * ulp, measured as σ′ above); for β ≠ 1 in double, where βx is within 2^−53 relatively
 * (x has 24 bits) and the exponential magnifies that to at most ~1e−14: nothing in float32. */
static inline v8f softplus_derivative_fast(v8f x, double beta) { return sigmoid_fast(x, beta); }
static inline v8i softplus_derivative_usable(v8f x, double beta) { return sigmoid_usable(x, beta) & (beta == 1.0 ? -1 : 0); }
static inline v4d softplus_derivative_d(v4d x, double beta) { return sigmoid_d(x * beta); }
IN_DOUBLE(softplus_derivative_d)
static inline v8f softplus_derivative_general(v8f x, double beta) {
    return beta == 1.0 ? sigmoid_general(x, beta) : softplus_derivative_d_f32(x, beta);
}

/* exponential._elu_like_derivative: scale for x > 0, neg_scale·eˣ for x <= 0 (ELU: 1 and
 * α; SELU: λ and λα). In float32 neg_scale is a pair hi + lo (one FMA), so that only
 * eˣ's 0.84 ulp and the last rounding remain; below x = −87 (subnormal results) in double.
 * Measured as σ′ above: ELU′ within 0.84 ulp, 1.6 with α = 0.3 or 1.7, SELU′ 1.6 (portable
 * build: 1.9). */
static inline v8f elu_like_derivative_f(v8f x, double scale, double neg_scale) {
    float hi = (float)neg_scale, lo = (float)(neg_scale - hi);
    v8f e = exp_f(min_f(x, 0.0f));
    return select_f(x > 0.0f, splat_f((float)scale), fma_f(e, splat_f(hi), e * lo));
}
static inline v4d elu_like_derivative_d(v4d x, double scale, double neg_scale) {
    return select_d(x > 0.0, splat_d(scale), exp_for_float32(min_d(x, 0.0)) * neg_scale);
}
static inline v8f elu_derivative_fast(v8f x, double alpha) { return elu_like_derivative_f(x, 1.0, alpha); }
static inline v8i elu_derivative_usable(v8f x, double alpha) { return x >= EXP_F_MIN; }
static inline v4d elu_derivative_d(v4d x, double alpha) { return elu_like_derivative_d(x, 1.0, alpha); }
IN_DOUBLE(elu_derivative_d)
static inline v8f elu_derivative_general(v8f x, double alpha) { return elu_derivative_d_f32(x, alpha); }
static inline v8f selu_derivative_fast(v8f x, double unused) { return elu_like_derivative_f(x, SELU_LAMBDA, SELU_LAMBDA_ALPHA); }
static inline v8i selu_derivative_usable(v8f x, double unused) { return x >= EXP_F_MIN; }
static inline v4d selu_derivative_d(v4d x, double unused) { return elu_like_derivative_d(x, SELU_LAMBDA, SELU_LAMBDA_ALPHA); }
IN_DOUBLE(selu_derivative_d)
static inline v8f selu_derivative_general(v8f x, double unused) { return selu_derivative_d_f32(x, unused); }

/* exponential._celu_derivative: 1 for x > 0, e^(x/α) below: ELU′ for α = 1; otherwise in
 * double, x/α as βx above. */
static inline v8f celu_derivative_fast(v8f x, double alpha) { return elu_like_derivative_f(x, 1.0, 1.0); }
static inline v8i celu_derivative_usable(v8f x, double alpha) { return (x >= EXP_F_MIN) & (alpha == 1.0 ? -1 : 0); }
static inline v4d celu_derivative_d(v4d x, double alpha) { return exp_for_float32(min_d(x, 0.0) / alpha); }
IN_DOUBLE(celu_derivative_d)
static inline v8f celu_derivative_general(v8f x, double alpha) { return celu_derivative_d_f32(x, alpha); }

/* gated._hard_swish_derivative: 0 for x < −3, (2x + 3)/6 on [−3, 3], 1 for x > 3, with the
 * roundings of numpy's float32 passes (2x is exact). */
static inline v8f hard_swish_derivative_f32(v8f x, double unused) {
    v8f middle = (min_f(max_f(x, -3.0f), 3.0f) * 2.0f + 3.0f) / 6.0f;
    return select_f(x < -3.0f, splat_f(0.0f), select_f(x > 3.0f, splat_f(1.0f), middle));
}

/* The derivatives as the loops compute them: each formula, and the series near its zero. */
static inline v8f gelu_tanh_derivative_f32(v8f x, double unused) {
    return near_root(ROOT_GELU_TANH, x, gelu_tanh_derivative_d_f32(x, unused));
}
static inline v8f mish_derivative_f32(v8f x, double unused) { return near_root(ROOT_MISH, x, mish_derivative_d_f32(x, unused)); }

/* ---- the ufunc loops: one per kernel, so that the kernel is inlined, NaN restored ---- */
static inline v8f with_nan(v8f x, v8f y) { return select_f(x != x, x, y); }

/* Eight float32 from x[i], x[i+1], ... (zeros past n), and their store back (not past n).
 * The partial vector at the end goes through memory, out of line: inlined, its buffer
 * would take every vector of the loop through the stack. */
__attribute__((noinline)) static v8f load_partial(const char *x, npy_intp count) {
    v8f v = splat_f(0.0f);
    memcpy(&v, x, count * sizeof(float));
    return v;
}
__attribute__((noinline)) static void store_partial(char *y, npy_intp count, v8f v) { memcpy(y, &v, count * sizeof(float)); }
static inline v8f load8(const char *x, npy_intp i, npy_intp n) {
    if (i + 8 > n) return load_partial(x + i * sizeof(float), n - i);
    v8f v;
    memcpy(&v, x + i * sizeof(float), sizeof v);
    return v;
}
static inline void store8(char *y, npy_intp i, npy_intp n, v8f v) {
    if (i + 8 > n)
        store_partial(y + i * sizeof(float), n - i, v);
    else
        memcpy(y + i * sizeof(float), &v, sizeof v);
}

/* args: x (float32), the parameter (float64), y (float32). Contiguous arrays with one
 * parameter go eight elements at a time (the last few through a zero-padded vector);
 * strided arrays or parameters, one element at a time. */
#define KERNEL_LOOP(kernel)                                                                        \
    static void kernel##_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) { \
        npy_intp n = dims[0];                                                                      \
        char *in = args[0], *param = args[1], *out = args[2];                                      \
        if (steps[0] == sizeof(float) && steps[2] == sizeof(float) && steps[1] == 0) {             \
            double p = *(double *)param;                                                           \
            for (npy_intp i = 0; i < n; i += 8) {                                                  \
                v8f x = load8(in, i, n);                                                           \
                store8(out, i, n, with_nan(x, kernel(x, p)));                                      \
            }                                                                                      \
        } else {                                                                                   \
            for (npy_intp i = 0; i < n; i++) {                                                     \
                v8f x = splat_f(*(float *)(in + i * steps[0]));                                    \
                *(float *)(out + i * steps[2]) = with_nan(x, kernel(x, *(double *)(param + i * steps[1])))[0]; \
            }                                                                                      \
        }                                                                                          \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
    }

/* The same for a kernel with a fast path (name_fast, name_usable, name_general), in two
 * passes over each block of 64 vectors: the fast kernel over every vector, keeping aside
 * those with a lane it cannot take (out may be x itself); then the general one over
 * those, lane by lane. One pass choosing per vector would put the general
 * kernel's library calls into the hot loop, and around a call GCC reloads every vector
 * constant (no vector register survives a call): that alone doubled the time. A
 * parameter the fast kernel cannot take at all shows as usable(0, p) failing; NaN must
 * never be usable (the general pass restores it). The fast pass takes `vectors` vectors
 * (1 or 2) at a time: for some kernels two independent chains side by side run 5-15%
 * faster (the processor works on one while the other waits), for others, which then
 * run out of registers, slower; each kernel below takes what measured best. */
#define KEEP_ASIDE_UNUSABLE(name, x, i)                                                            \
    if (__builtin_expect(any(~name##_usable(x, p)), 0)) { /* kept: out may be x */                 \
        unusable[count] = x;                                                                       \
        where[count++] = i;                                                                        \
    }
#define FAST_KERNEL_LOOP(name, vectors)                                                            \
    static inline v8f name##_either(v8f x, double p) { /* lane by lane, whatever the neighbours */ \
        v8i usable = name##_usable(x, p);                                                          \
        return any(~usable) ? select_f(usable, name##_fast(x, p), name##_general(x, p)) : name##_fast(x, p); \
    }                                                                                              \
    static void name##_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {  \
        npy_intp n = dims[0];                                                                      \
        char *in = args[0], *param = args[1], *out = args[2];                                      \
        double p = *(double *)param;                                                               \
        if (steps[0] != sizeof(float) || steps[2] != sizeof(float) || steps[1] != 0 ||             \
            any(~name##_usable(splat_f(0.0f), p))) {                                               \
            for (npy_intp i = 0; i < n; i++) {                                                     \
                v8f x = splat_f(*(float *)(in + i * steps[0]));                                    \
                *(float *)(out + i * steps[2]) = with_nan(x, name##_either(x, *(double *)(param + i * steps[1])))[0]; \
            }                                                                                      \
            feclearexcept(FE_ALL_EXCEPT);                                                          \
            return;                                                                                \
        }                                                                                          \
        enum { BLOCK = 64 }; /* vectors */                                                         \
        for (npy_intp start = 0; start < n; start += 8 * BLOCK) {                                  \
            npy_intp stop = start + 8 * BLOCK < n ? start + 8 * BLOCK : n, where[BLOCK], count = 0; \
            v8f unusable[BLOCK];                                                                   \
            npy_intp i = start;                                                                    \
            if ((vectors) == 2)                                                                    \
                for (; i + 16 <= stop; i += 16) {                                                  \
                    v8f x = load8(in, i, n), x2 = load8(in, i + 8, n);                             \
                    v8f y = name##_fast(x, p), y2 = name##_fast(x2, p);                            \
                    store8(out, i, n, y); /* NaN is never usable: no with_nan */                   \
                    store8(out, i + 8, n, y2);                                                     \
                    KEEP_ASIDE_UNUSABLE(name, x, i);                                               \
                    KEEP_ASIDE_UNUSABLE(name, x2, i + 8);                                          \
                }                                                                                  \
            for (; i < stop; i += 8) {                                                             \
                v8f x = load8(in, i, n);                                                           \
                store8(out, i, n, name##_fast(x, p));                                              \
                KEEP_ASIDE_UNUSABLE(name, x, i);                                                   \
            }                                                                                      \
            for (npy_intp k = 0; k < count; k++)                                                   \
                store8(out, where[k], n, with_nan(unusable[k], name##_either(unusable[k], p)));    \
        }                                                                                          \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
    }

/* _kernels.constant_pieces, the derivative of a piecewise-linear function: `inside` where
 * lo < x < hi (and at x = +inf when hi is +inf), `outside` elsewhere, NaN at NaN. args: x
 * (float32), lo, hi, inside, outside (float64), y (float32). The bounds are compared in
 * float32: lo rounded down and hi up, which for a float32 x decides exactly as in double. */
static inline float bound_below(double b) { float f = (float)b; return (double)f > b ? nextafterf(f, -INFINITY) : f; }
static inline float bound_above(double b) { float f = (float)b; return (double)f < b ? nextafterf(f, INFINITY) : f; }
static void pieces_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    npy_intp n = dims[0];
    char *in = args[0], *out = args[5];
    if (steps[0] == sizeof(float) && steps[5] == sizeof(float) && !(steps[1] | steps[2] | steps[3] | steps[4])) {
        double hi = *(double *)args[2];
        float lo_f = bound_below(*(double *)args[1]), hi_f = bound_above(hi);
        v8i up_to_inf = (v8i){0} - (hi == INFINITY); /* all ones: +inf is inside too */
        v8f inside = splat_f((float)*(double *)args[3]), outside = splat_f((float)*(double *)args[4]);
        for (npy_intp i = 0; i < n; i += 8) {
            v8f x = load8(in, i, n);
            store8(out, i, n, with_nan(x, select_f((x > lo_f) & ((x < hi_f) | up_to_inf), inside, outside)));
        }
    } else {
        for (npy_intp i = 0; i < n; i++) {
            float x = *(float *)(in + i * steps[0]);
            double lo = *(double *)(args[1] + i * steps[1]), hi = *(double *)(args[2] + i * steps[2]);
            int k = (x > lo && (x < hi || hi == INFINITY)) ? 3 : 4; /* inside or outside */
            *(float *)(out + i * steps[5]) = x != x ? x : (float)*(double *)(args[k] + i * steps[k]);
        }
    }
    feclearexcept(FE_ALL_EXCEPT);
}

FAST_KERNEL_LOOP(exp, 2)
KERNEL_LOOP(tanh_f32)
KERNEL_LOOP(step_f32)
KERNEL_LOOP(hard_sigmoid_f32)
KERNEL_LOOP(softsign_f32)
KERNEL_LOOP(softsign_derivative_f32)
KERNEL_LOOP(leaky_relu_f32)
KERNEL_LOOP(hard_swish_f32)
FAST_KERNEL_LOOP(sigmoid, 2)
FAST_KERNEL_LOOP(softplus, 2)
KERNEL_LOOP(elu_f32)
KERNEL_LOOP(selu_f32)
KERNEL_LOOP(celu_f32)
FAST_KERNEL_LOOP(gelu, 2)
FAST_KERNEL_LOOP(gelu_tanh, 2)
FAST_KERNEL_LOOP(swish, 2)
FAST_KERNEL_LOOP(mish, 2)
KERNEL_LOOP(swish_derivative_d_f32)
FAST_KERNEL_LOOP(gelu_derivative, 1)
KERNEL_LOOP(gelu_tanh_derivative_f32)
KERNEL_LOOP(mish_derivative_f32)
FAST_KERNEL_LOOP(sigmoid_derivative, 2)
FAST_KERNEL_LOOP(tanh_derivative, 2)
FAST_KERNEL_LOOP(softplus_derivative, 2)
FAST_KERNEL_LOOP(elu_derivative, 2)
FAST_KERNEL_LOOP(selu_derivative, 2)
FAST_KERNEL_LOOP(celu_derivative, 2)
KERNEL_LOOP(hard_swish_derivative_f32)

#include "_softmax.h"

/* ---- maxout._group_max for float32: the maximum over the last axis, (m,k)->(m) --------- */

/* max(a, b), NaN if either is. */
static inline float max_or_nan(float a, float b) { return (b > a || b != b) ? b : a; }
static inline v8f max_or_nan8(v8f a, v8f b) { return select_f((b > a) | (b != b), b, a); }

/* args: z (outer, m, k), y (outer, m). Pairs stored contiguously (k = 2, the usual
 * maxout) go eight groups at a time, their two pieces pulled apart by one shuffle each;
 * anything else group by group. */
static void group_max_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    npy_intp outer = dims[0], m = dims[1], k = dims[2];
    for (npy_intp o = 0; o < outer; o++) {
        const char *z = args[0] + o * steps[0];
        char *y = args[1] + o * steps[1];
        npy_intp g = 0;
        if (k == 2 && steps[3] == sizeof(float) && steps[2] == 2 * sizeof(float) && steps[4] == sizeof(float)) {
            for (; g + 8 <= m; g += 8) {
                v8f lo, hi;
                memcpy(&lo, z + g * steps[2], sizeof lo);
                memcpy(&hi, z + g * steps[2] + sizeof lo, sizeof hi);
                v8f first = __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14);
                v8f second = __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
                v8f best = max_or_nan8(first, second);
                memcpy(y + g * sizeof(float), &best, sizeof best);
            }
        }
        for (; g < m; g++) {
            const char *group = z + g * steps[2];
            float best = *(const float *)group;
            for (npy_intp j = 1; j < k; j++) best = max_or_nan(best, *(const float *)(group + j * steps[3]));
            *(float *)(y + g * steps[4]) = best;
        }
    }
    feclearexcept(FE_ALL_EXCEPT); /* comparisons with NaN raise "invalid" */
}

/* ---- maxout.Maxout.backward for float32: each group's gradient to its winning piece ----
 * The winner is the first piece that is NaN, or else the first equal to the maximum (as
 * argmax); it gets g and the others 0 (not g·0, which an infinite g would make NaN).
 * args: z (outer, m, k), g (outer, m), dz (outer, m, k). */
static npy_intp winner(const char *group, npy_intp k, npy_intp stride) {
    float best = *(const float *)group;
    if (best != best) return 0;
    npy_intp w = 0;
    for (npy_intp j = 1; j < k; j++) {
        float v = *(const float *)(group + j * stride);
        if (v != v) return j;
        if (v > best) best = v, w = j;
    }
    return w;
}

/* Pairs stored contiguously (k = 2) eight groups at a time, pulled apart and put back
 * together by shuffles as in group_max_loop; anything else group by group. */
static void group_max_backward_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    npy_intp outer = dims[0], m = dims[1], k = dims[2];
    /* steps: the outer strides of z, g and dz; z's along m and k, g's along m, dz's along m and k */
    int pairs = k == 2 && steps[3] == 2 * sizeof(float) && steps[4] == sizeof(float) && steps[5] == sizeof(float) &&
                steps[6] == 2 * sizeof(float) && steps[7] == sizeof(float);
    const v8f zero = splat_f(0.0f);
    for (npy_intp o = 0; o < outer; o++) {
        const char *z = args[0] + o * steps[0], *g = args[1] + o * steps[1];
        char *dz = args[2] + o * steps[2];
        npy_intp i = 0;
        if (pairs) {
            for (; i + 8 <= m; i += 8) {
                v8f lo, hi, gv;
                memcpy(&lo, z + i * steps[3], sizeof lo);
                memcpy(&hi, z + i * steps[3] + sizeof lo, sizeof hi);
                memcpy(&gv, g + i * sizeof(float), sizeof gv);
                v8f first = __builtin_shufflevector(lo, hi, 0, 2, 4, 6, 8, 10, 12, 14);
                v8f second = __builtin_shufflevector(lo, hi, 1, 3, 5, 7, 9, 11, 13, 15);
                v8i second_wins = (first == first) & ((second != second) | (second > first));
                v8f d0 = select_f(second_wins, zero, gv), d1 = select_f(second_wins, gv, zero);
                v8f out_lo = __builtin_shufflevector(d0, d1, 0, 8, 1, 9, 2, 10, 3, 11);
                v8f out_hi = __builtin_shufflevector(d0, d1, 4, 12, 5, 13, 6, 14, 7, 15);
                memcpy(dz + i * steps[6], &out_lo, sizeof out_lo);
                memcpy(dz + i * steps[6] + sizeof out_lo, &out_hi, sizeof out_hi);
            }
        }
        for (; i < m; i++) {
            npy_intp w = winner(z + i * steps[3], k, steps[4]);
            float gi = *(const float *)(g + i * steps[5]);
            for (npy_intp j = 0; j < k; j++) *(float *)(dz + i * steps[6] + j * steps[7]) = j == w ? gi : 0.0f;
        }
    }
    feclearexcept(FE_ALL_EXCEPT); /* comparisons with NaN */
}

static char group_max_types[] = {NPY_FLOAT, NPY_FLOAT};
static PyUFuncGenericFunction group_max_loops[] = {group_max_loop};
static char group_max_backward_types[] = {NPY_FLOAT, NPY_FLOAT, NPY_FLOAT};
static PyUFuncGenericFunction group_max_backward_loops[] = {group_max_backward_loop};

static char softmax_types[] = {NPY_FLOAT, NPY_FLOAT, NPY_BOOL};
static PyUFuncGenericFunction softmax_loops[] = {softmax_loop};
static PyUFuncGenericFunction log_softmax_loops[] = {log_softmax_loop};
static void *no_data[] = {NULL};

static char pieces_types[] = {NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_FLOAT};
static PyUFuncGenericFunction pieces_loops[] = {pieces_loop};

/* Adds ufunc (a new reference, or NULL after a failure) to the module as name. */
static int add_ufunc(PyObject *module, const char *name, PyObject *ufunc) {
    if (ufunc == NULL) return -1;
    int status = PyModule_AddObjectRef(module, name, ufunc);
    Py_DECREF(ufunc);
    return status;
}

/* softmax and log-softmax: (y, ok) = f(x) along the last axis. */
static PyObject *along_axis(PyUFuncGenericFunction *loops, const char *name, const char *doc) {
    return PyUFunc_FromFuncAndDataAndSignature(loops, no_data, softmax_types, 1, 1, 2, PyUFunc_None, name, doc, 0,
                                               "(n)->(n),()");
}

static char types[] = {NPY_FLOAT, NPY_DOUBLE, NPY_FLOAT};

static struct {
    const char *name;
    PyUFuncGenericFunction loop[1];
} kernels[] = {
    {"exp", {exp_loop}},
    {"tanh", {tanh_f32_loop}},
    {"step", {step_f32_loop}},
    {"hard_sigmoid", {hard_sigmoid_f32_loop}},
    {"softsign", {softsign_f32_loop}},
    {"softsign_derivative", {softsign_derivative_f32_loop}},
    {"leaky_relu", {leaky_relu_f32_loop}},
    {"hard_swish", {hard_swish_f32_loop}},
    {"sigmoid", {sigmoid_loop}},
    {"softplus", {softplus_loop}},
    {"elu", {elu_f32_loop}},
    {"selu", {selu_f32_loop}},
    {"celu", {celu_f32_loop}},
    {"gelu", {gelu_loop}},
    {"gelu_tanh", {gelu_tanh_loop}},
    {"swish", {swish_loop}},
    {"mish", {mish_loop}},
    {"swish_derivative", {swish_derivative_d_f32_loop}},
    {"gelu_derivative", {gelu_derivative_loop}},
    {"gelu_tanh_derivative", {gelu_tanh_derivative_f32_loop}},
    {"mish_derivative", {mish_derivative_f32_loop}},
    {"sigmoid_derivative", {sigmoid_derivative_loop}},
    {"tanh_derivative", {tanh_derivative_loop}},
    {"softplus_derivative", {softplus_derivative_loop}},
    {"elu_derivative", {elu_derivative_loop}},
    {"selu_derivative", {selu_derivative_loop}},
    {"celu_derivative", {celu_derivative_loop}},
    {"hard_swish_derivative", {hard_swish_derivative_f32_loop}},
};

static PyMethodDef methods[] = {
    {"set_root_series", set_root_series, METH_VARARGS,
     "set_root_series(name, hi, lo, radius, coefficients): the series the derivative kernels use near their zero."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_fused",
    "float32 activations and derivatives: a ufunc(x, parameter) each; pieces, softmax, log_softmax and "
    "group_max; set_root_series, which _roots calls.",
    -1, methods,
};

PyMODINIT_FUNC PyInit__fused(void) {
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    import_array();
    import_umath();
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        PyObject *ufunc = PyUFunc_FromFuncAndData(kernels[i].loop, no_data, types, 1, 2, 1, PyUFunc_None,
                                                  kernels[i].name, "f(x, parameter) for float32 x.", 0);
        if (add_ufunc(module, kernels[i].name, ufunc) < 0) goto fail;
    }
    if (add_ufunc(module, "group_max",
                  PyUFunc_FromFuncAndDataAndSignature(group_max_loops, no_data, group_max_types, 1, 1, 1, PyUFunc_None,
                                                      "group_max",
                                                      "y = group_max(z): the maximum over the last axis, NaN if any is; float32.",
                                                      0, "(m,k)->(m)")) < 0 ||
        add_ufunc(module, "group_max_backward",
                  PyUFunc_FromFuncAndDataAndSignature(
                      group_max_backward_loops, no_data, group_max_backward_types, 1, 2, 1, PyUFunc_None, "group_max_backward",
                      "dz = group_max_backward(z, g): g to each group's first maximum (or first NaN), 0 elsewhere; float32.",
                      0, "(m,k),(m)->(m,k)")) < 0 ||
        add_ufunc(module, "pieces",
                  PyUFunc_FromFuncAndData(pieces_loops, no_data, pieces_types, 1, 5, 1, PyUFunc_None, "pieces",
                                          "y = pieces(x, lo, hi, inside, outside): inside on (lo, hi), outside elsewhere; float32 x.",
                                          0)) < 0 ||
        add_ufunc(module, "softmax", along_axis(softmax_loops, "softmax", "(y, ok) = softmax(x): along the last axis, float32.")) < 0 ||
        add_ufunc(module, "log_softmax",
                  along_axis(log_softmax_loops, "log_softmax", "(y, ok) = log_softmax(x): along the last axis, float32.")) < 0 ||
        PyModule_AddIntConstant(module, "LIBMVEC", ACTLAB_LIBMVEC) < 0)
        goto fail;
    return module;
fail:
    Py_DECREF(module);
    return NULL;
}
