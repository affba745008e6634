/*
 * actlab.activations._fused: the float32 forward pass of the activations that need an
 * exponential (or erfc, log1p, expm1), and of those whose numpy form takes several
 * passes, the derivatives of the gated ones (GELU, SiLU/Swish, Mish), and exp and tanh
 * themselves, each as one numpy ufunc: one pass over memory, eight or four elements at a
 * time, with glibc's vector math library (libmvec); softmax and log-softmax as
 * generalized ufuncs along the last axis.
 *
 * The Python modules hold each formula, and evaluate it with numpy for float64; this file
 * holds the same formulas for float32, where numpy would need 5 to 20 passes (and float64
 * temporaries) for them. Each kernel below names the Python function it mirrors; the
 * tests hold both to 4 ulp against mpmath. Where float32 arithmetic would lose more than
 * that (a gate multiplied by x, an argument amplified by an exponential), the kernel works
 * in double and rounds once at the end, as the Python float32 paths did.
 *
 * Written once, with GCC's vector extensions: with AVX2 and libmvec (x86-64 Linux,
 * glibc >= 2.35; setup.py decides) the math functions are libmvec's; elsewhere each lane
 * calls the C library, so the module builds and gives the same formulas everywhere.
 * NaN in gives NaN out; no floating-point warnings (overflow gives inf).
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
typedef double v4d __attribute__((vector_size(32)));
typedef long long v4l __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/* ---- math functions on whole vectors -------------------------------------------------- */
#ifndef ACTLAB_LIBMVEC
#define ACTLAB_LIBMVEC 0
#endif
#if ACTLAB_LIBMVEC
#include <immintrin.h>
__m256 _ZGVdN8v_expf(__m256);
__m256 _ZGVdN8v_expm1f(__m256);
__m256 _ZGVdN8v_log1pf(__m256);
__m256 _ZGVdN8v_tanhf(__m256);
__m256d _ZGVdN4v_erfc(__m256d);
__m256d _ZGVdN4v_log1p(__m256d);
static inline v8f v_expf(v8f x) { return (v8f)_ZGVdN8v_expf((__m256)x); }
static inline v8f v_expm1f(v8f x) { return (v8f)_ZGVdN8v_expm1f((__m256)x); }
static inline v8f v_log1pf(v8f x) { return (v8f)_ZGVdN8v_log1pf((__m256)x); }
static inline v8f v_tanhf(v8f x) { return (v8f)_ZGVdN8v_tanhf((__m256)x); }
static inline v4d v_erfc(v4d x) { return (v4d)_ZGVdN4v_erfc((__m256d)x); }
static inline v4d v_log1p(v4d x) { return (v4d)_ZGVdN4v_log1p((__m256d)x); }
#else
#define LANES_F(name, fn) \
    static inline v8f name(v8f x) { for (int i = 0; i < 8; i++) x[i] = fn(x[i]); return x; }
#define LANES_D(name, fn) \
    static inline v4d name(v4d x) { for (int i = 0; i < 4; i++) x[i] = fn(x[i]); return x; }
LANES_F(v_expf, expf)
LANES_F(v_expm1f, expm1f)
LANES_F(v_log1pf, log1pf)
LANES_F(v_tanhf, tanhf)
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

static inline int any(v8i mask) {
    int r = 0;
    for (int i = 0; i < 8; i++) r |= mask[i];
    return r;
}

/* A float32 kernel computed in double, half a vector at a time, rounded once. */
#define IN_DOUBLE(kernel)                                                                    \
    static inline v8f kernel##_f32(v8f x, double p) {                                        \
        v4d lo = __builtin_convertvector(__builtin_shufflevector(x, x, 0, 1, 2, 3), v4d);   \
        v4d hi = __builtin_convertvector(__builtin_shufflevector(x, x, 4, 5, 6, 7), v4d);   \
        v4f rlo = __builtin_convertvector(kernel(lo, p), v4f);                               \
        v4f rhi = __builtin_convertvector(kernel(hi, p), v4f);                               \
        return __builtin_shufflevector(rlo, rhi, 0, 1, 2, 3, 4, 5, 6, 7);                   \
    }

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

/* eˣ and tanh x, for float32 where numpy's are 2–3 times slower: _kernels.exp (the
 * derivatives of sigmoid, tanh and the ELU family) and squashing.tanh. libmvec's: within
 * 2.6 and 1.1 ulp (measured). */
static inline v8f exp_f32(v8f x, double unused) { return v_expf(x); }
static inline v8f tanh_f32(v8f x, double unused) { return v_tanhf(x); }

/* basic.step: 1 for x > 0, at_zero at ±0, 0 for x < 0 (NaN restored by the loop). numpy
 * needs a comparison, a cast and a NaN check; this is one pass. */
static inline v8f step_f32(v8f x, double at_zero) {
    return select_f(x > 0.0f, splat_f(1.0f), select_f(x == 0.0f, splat_f((float)at_zero), splat_f(0.0f)));
}

/* squashing.hard_sigmoid: ReLU6(x + 3)/6 (x + 3 first: exact near −3). */
static inline v8f hard_sigmoid_f32(v8f x, double unused) { return min_f(max_f(x + 3.0f, 0.0f), 6.0f) / 6.0f; }

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

/* squashing.sigmoid, in float32: eˣ where e^(−x) would overflow. */
static inline v8f sigmoid_f32(v8f x, double unused) {
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

/* rectifiers.softplus: max(x, 0) + log(1 + e^(−|x|)), in float32 for β = 1. */
static inline v8f softplus_f32(v8f x, double beta) {
    if (beta != 1.0) return softplus_d_f32(x, beta);
    return v_log1pf(v_expf(-select_f(x < 0.0f, -x, x))) + max_f(x, 0.0f);
}

/* exponential.elu: max(x, 0) + α·expm1(min(x, 0)), in float32. */
static inline v8f elu_f32(v8f x, double alpha) {
    return max_f(x, 0.0f) + v_expm1f(min_f(x, 0.0f)) * (float)alpha;
}

/* exponential.selu: λ·max(x, 0) + λα·expm1(min(x, 0)), in float32. */
static inline v8f selu_f32(v8f x, double unused) {
    const float lambda = 1.0507009873554804934f, lambda_alpha = 1.7580993408473768599f;
    return max_f(x, 0.0f) * lambda + v_expm1f(min_f(x, 0.0f)) * lambda_alpha;
}

/* exponential.celu: max(x, 0) + α·expm1(min(x, 0)/α), the argument kept above −800. */
static inline v8f celu_f32(v8f x, double alpha) {
    float a = (float)alpha;
    v8f z = max_f(min_f(x, 0.0f), (float)(-800.0 * alpha));
    if (alpha != 1.0) z = z / a;
    return v_expm1f(z) * a + max_f(x, 0.0f);
}

/* gated.gelu: x·Φ(x) = x·½·erfc(−x/√2), x kept above −40 (GELU(−40) rounds to 0). */
static inline v4d gelu_d(v4d x, double unused) {
    v4d c = max_d(x, -40.0);
    return c * (0.5 * v_erfc(c * -0.70710678118654752440));
}
IN_DOUBLE(gelu_d)

/* gated.gelu_tanh: x·σ(w), w = 2√(2/π)·x(1 + 0.044715x²), x kept within ±10⁴. */
static inline v4d gelu_tanh_d(v4d x, double unused) {
    v4d c = min_d(max_d(x, -1e4), 1e4);
    v4d w = ((c * c) * 0.044715 + 1.0) * c * 1.5957691216057308;
    return sigmoid_d(w) * max_d(x, -1e4);
}
IN_DOUBLE(gelu_tanh_d)

/* gated.swish (β = 1: SiLU): x·σ(βx), βx kept within ±800, in double. */
static inline v4d swish_d(v4d x, double beta) {
    double cap = 800.0 / beta;
    v4d c = min_d(max_d(x, -cap), cap) * beta;
    return sigmoid_d(c) * max_d(x, -cap);
}
IN_DOUBLE(swish_d)

/* eˣ for float32 x, computed in double and rounded once: within 0.52 ulp for results
 * that are normal float32 numbers. */
static inline v4d exp_d(v4d x, double unused) { return exp_for_float32(x); }
IN_DOUBLE(exp_d)

/* gated.silu in float32 as x/(1 + e^(−x)), e rounded once from double: three roundings
 * in all. (libmvec's float32 exp, up to 2.6 ulp off, would leave up to 3.9 ulp.) Swish
 * with β ≠ 1 cannot: the rounding of βx would be magnified by e^(−βx). */
static inline v8f swish_f32(v8f x, double beta) {
    /* Below x = −80 e^(−x) overflows and the result turns subnormal: those in double. */
    if (beta != 1.0 || any(x < -80.0f)) return swish_d_f32(x, beta);
    return x / (1.0f + exp_d_f32(-min_f(x, 800.0f), 0.0));
}

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

/* ---- derivatives of the gated activations, in double ----------------------------------
 * Near the zero of each derivative (its minimum) the caller replaces these values by a
 * series (_roots.replace_near_root): there the formulas cancel. */

/* gated.silu_derivative, and swish's as SiLU′(βx): σ(c)(1 + c·σ(−c)), c = βx within ±800. */
static inline v4d swish_derivative_d(v4d x, double beta) {
    v4d c = min_d(max_d(x * beta, -800.0), 800.0);
    return sigmoid_d(c) * (1.0 + c * sigmoid_d(-c));
}
IN_DOUBLE(swish_derivative_d)

/* gated.gelu_derivative: Φ(x) + x·φ(x), x kept within ±40 (beyond, Φ is 0 or 1 and xφ 0). */
static inline v4d gelu_derivative_d(v4d x, double unused) {
    v4d c = min_d(max_d(x, -40.0), 40.0);
    return 0.5 * v_erfc(c * -0.70710678118654752440) +
           c * exp_for_float32(-0.5 * (c * c)) * 0.39894228040143267794;
}
IN_DOUBLE(gelu_derivative_d)

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

/* ---- the ufunc loops: one per kernel, so that the kernel is inlined, NaN restored ---- */
static inline v8f with_nan(v8f x, v8f y) { return select_f(x != x, x, y); }

/* args: x (float32), the parameter (float64), y (float32). Contiguous arrays with one
 * parameter go eight elements at a time (the last few through a zero-padded vector);
 * strided arrays or parameters, one element at a time. */
#define KERNEL_LOOP(kernel)                                                                        \
    static void kernel##_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) { \
        npy_intp n = dims[0], i = 0;                                                               \
        char *in = args[0], *param = args[1], *out = args[2];                                      \
        if (steps[0] == sizeof(float) && steps[2] == sizeof(float) && steps[1] == 0) {             \
            double p = *(double *)param;                                                           \
            for (; i + 8 <= n; i += 8) {                                                           \
                v8f x;                                                                             \
                memcpy(&x, in + i * sizeof(float), sizeof x);                                      \
                v8f y = with_nan(x, kernel(x, p));                                                 \
                memcpy(out + i * sizeof(float), &y, sizeof y);                                     \
            }                                                                                      \
            if (i < n) {                                                                           \
                v8f x = splat_f(0.0f);                                                             \
                memcpy(&x, in + i * sizeof(float), (n - i) * sizeof(float));                       \
                v8f y = with_nan(x, kernel(x, p));                                                 \
                memcpy(out + i * sizeof(float), &y, (n - i) * sizeof(float));                      \
            }                                                                                      \
        } else {                                                                                   \
            for (; i < n; i++) {                                                                   \
                v8f x = splat_f(*(float *)(in + i * steps[0]));                                    \
                *(float *)(out + i * steps[2]) = with_nan(x, kernel(x, *(double *)(param + i * steps[1])))[0]; \
            }                                                                                      \
        }                                                                                          \
        feclearexcept(FE_ALL_EXCEPT);                                                              \
    }

KERNEL_LOOP(exp_f32)
KERNEL_LOOP(tanh_f32)
KERNEL_LOOP(step_f32)
KERNEL_LOOP(hard_sigmoid_f32)
KERNEL_LOOP(softsign_f32)
KERNEL_LOOP(leaky_relu_f32)
KERNEL_LOOP(hard_swish_f32)
KERNEL_LOOP(sigmoid_f32)
KERNEL_LOOP(softplus_f32)
KERNEL_LOOP(elu_f32)
KERNEL_LOOP(selu_f32)
KERNEL_LOOP(celu_f32)
KERNEL_LOOP(gelu_d_f32)
KERNEL_LOOP(gelu_tanh_d_f32)
KERNEL_LOOP(swish_f32)
KERNEL_LOOP(mish_d_f32)
KERNEL_LOOP(swish_derivative_d_f32)
KERNEL_LOOP(gelu_derivative_d_f32)
KERNEL_LOOP(gelu_tanh_derivative_d_f32)
KERNEL_LOOP(mish_derivative_d_f32)

/* ---- softmax and log-softmax along the last axis, as generalized ufuncs (n)->(n),() ---- */

/* Lanes j, j+1, j+2, j+3 of a float32 slice as doubles, −inf past its end (which the
 * exponential turns into a negligible e^−700 and the stores skip). */
static inline v4d load4(const char *x, npy_intp stride, npy_intp j, npy_intp n) {
    if (stride == sizeof(float) && j + 4 <= n) {
        v4f v;
        memcpy(&v, x + j * sizeof(float), sizeof v);
        return __builtin_convertvector(v, v4d);
    }
    v4d v = splat_d(-INFINITY);
    for (int i = 0; i < 4 && j + i < n; i++) v[i] = *(const float *)(x + (j + i) * stride);
    return v;
}

/* Lanes of v rounded to float32 into j, j+1, ... of a slice (not past its end). */
static inline void store4(char *y, npy_intp stride, npy_intp j, npy_intp n, v4d v) {
    v4f f = __builtin_convertvector(v, v4f);
    if (stride == sizeof(float) && j + 4 <= n) {
        memcpy(y + j * sizeof(float), &f, sizeof f);
        return;
    }
    for (int i = 0; i < 4 && j + i < n; i++) *(float *)(y + (j + i) * stride) = f[i];
}

/* The largest entry of a slice, or NaN where the slice holds NaN or +inf, or nothing but
 * −inf: those are left to the Python code, which takes the limits. Other −inf entries
 * are fine: their terms are e^−700 ≈ 1e−304 here, 0 once rounded, against a sum >= 1. */
static double finite_max(const char *x, npy_intp stride, npy_intp n) {
    float m = -INFINITY;
    int usable = 1;
    for (npy_intp j = 0; j < n; j++) {
        float v = *(const float *)(x + j * stride);
        usable &= (v == v) & (v != INFINITY);
        m = v > m ? v : m;
    }
    return usable && m > -INFINITY ? (double)m : NAN;
}

/* Σ_j e^(x_j − m) in double. x_j − m is exact or within 2^−53 relatively (float32
 * operands), and the exponential within ~1e−9: the sum is good to ~1e−9 + n·2^−53
 * relatively. With
 * *maxima not NULL, the terms at the maxima (exactly 1 each) are left out of the sum and
 * counted there instead. */
static double sum_of_exponentials(const char *x, npy_intp xs, npy_intp n, double m, npy_intp *maxima) {
    v4d sum = splat_d(0.0);
    npy_intp count = 0;
    for (npy_intp j = 0; j < n; j += 4) {
        v4d d = load4(x, xs, j, n) - m;
        v4d e = exp_for_float32(d);
        if (maxima) {
            v4l top = d == 0.0;
            e = select_d(top, splat_d(0.0), e);
            count -= top[0] + top[1] + top[2] + top[3];
        }
        sum += e;
    }
    if (maxima) *maxima = count;
    return (sum[0] + sum[1]) + (sum[2] + sum[3]);
}

/* Short slices are done four at a time, one slice per lane (as numpy's transposed
 * blocks in softmax.py): per slice, the work is then a few vector operations per entry
 * rather than a few per four entries plus a fixed cost per slice. */
#define SHORT_SLICE 64

/* Entry j of four slices, one per lane, as doubles. */
static inline v4d column(const char *const x[4], npy_intp stride, npy_intp j) {
    return (v4d){*(const float *)(x[0] + j * stride), *(const float *)(x[1] + j * stride),
                 *(const float *)(x[2] + j * stride), *(const float *)(x[3] + j * stride)};
}

static inline void store_column(char *const y[4], npy_intp stride, npy_intp j, v4d v) {
    v4f f = __builtin_convertvector(v, v4f);
    for (int i = 0; i < 4; i++) *(float *)(y[i] + j * stride) = f[i];
}

/* The maxima of four slices, and which of them the kernels can take (as finite_max); their
 * entries, as doubles, into columns (read once, used by the passes that follow). */
static v4d max4(const char *const x[4], npy_intp xs, npy_intp n, v4d columns[], v4l *finite) {
    v4d top = splat_d(-INFINITY);
    v4l all = (v4l)splat_d(0.0) == 0; /* all lanes true */
    for (npy_intp j = 0; j < n; j++) {
        v4d v = columns[j] = column(x, xs, j);
        all &= (v == v) & (v != INFINITY);
        top = select_d(v > top, v, top);
    }
    *finite = all & (top > -INFINITY);
    return top;
}

/* One slice: ok[row] = 0, and nothing written, where finite_max refuses it (the caller
 * recomputes those). */
static void softmax_slice(const char *x, npy_intp xs, char *y, npy_intp ys, npy_intp n, npy_bool *ok) {
    double m = finite_max(x, xs, n);
    *ok = (m == m);
    if (m != m) return;
    /* The exponentials again rather than stored: a long slice has no room in registers,
     * and storing them rounded to float32 would round twice. */
    double inverse = 1.0 / sum_of_exponentials(x, xs, n, m, NULL);
    for (npy_intp j = 0; j < n; j += 4) store4(y, ys, j, n, exp_for_float32(load4(x, xs, j, n) - m) * inverse);
}

/* Four short slices, one per lane, from their entries in columns (overwritten), with maxima m. */
static void softmax_slices4(v4d columns[], char *const y[4], npy_intp ys, npy_intp n, v4d m) {
    v4d *e = columns, sum = splat_d(0.0);
    for (npy_intp j = 0; j < n; j++) {
        e[j] = exp_for_float32(columns[j] - m);
        sum += e[j];
    }
    v4d inverse = 1.0 / sum;
    for (npy_intp j = 0; j < n; j++) store_column(y, ys, j, e[j] * inverse);
}

/* log Σ = log k + log1p(rest/k) for k maxima (terms exactly 1) and the rest of the sum:
 * exact to a double ulp even where rest is below 2^−53 (where log(1 + rest) gives 0). */
static inline v4d log_of_sum(v4d maxima, v4d rest) {
    v4d log_k = splat_d(0.0);
    for (int i = 0; i < 4; i++)
        if (maxima[i] != 1.0) log_k[i] = log(maxima[i]);
    return log_k + v_log1p(rest / maxima);
}

static void log_softmax_slice(const char *x, npy_intp xs, char *y, npy_intp ys, npy_intp n, npy_bool *ok) {
    double m = finite_max(x, xs, n);
    *ok = (m == m);
    if (m != m) return;
    npy_intp maxima;
    double rest = sum_of_exponentials(x, xs, n, m, &maxima);
    double log_sum = log_of_sum(splat_d((double)maxima), splat_d(rest))[0];
    for (npy_intp j = 0; j < n; j += 4) store4(y, ys, j, n, (load4(x, xs, j, n) - m) - log_sum);
}

static void log_softmax_slices4(v4d columns[], char *const y[4], npy_intp ys, npy_intp n, v4d m) {
    v4d *d = columns, rest = splat_d(0.0);
    v4l minus_maxima = {0, 0, 0, 0};
    for (npy_intp j = 0; j < n; j++) {
        d[j] = columns[j] - m;
        v4l top = d[j] == 0.0; /* −1 at a maximum, 0 elsewhere */
        rest += (v4d)(~top & (v4l)exp_for_float32(d[j]));
        minus_maxima += top;
    }
    v4d log_sum = log_of_sum(-__builtin_convertvector(minus_maxima, v4d), rest);
    for (npy_intp j = 0; j < n; j++) store_column(y, ys, j, d[j] - log_sum);
}

typedef void (*slice_fn)(const char *, npy_intp, char *, npy_intp, npy_intp, npy_bool *);
typedef void (*slices4_fn)(v4d[], char *const[4], npy_intp, npy_intp, v4d);

/* args: x (rows, n), y (rows, n), ok (rows). Short slices go four at a time, always
 * (the last group repeats its last slice), so that a slice's result never depends on
 * its neighbours; the lanes of slices it cannot take (finite_max) compute nonsense, flagged in ok
 * for the caller to recompute. Long slices go one by one. */
static void along_axis_loop(char **args, npy_intp const *dims, npy_intp const *steps, slice_fn one, slices4_fn four) {
    npy_intp rows = dims[0], n = dims[1], xs = steps[3], ys = steps[4];
    if (n <= SHORT_SLICE) {
        for (npy_intp r = 0; r < rows; r += 4) {
            const char *x[4];
            char *y[4];
            for (int i = 0; i < 4; i++) {
                npy_intp row = r + i < rows ? r + i : rows - 1;
                x[i] = args[0] + row * steps[0];
                y[i] = args[1] + row * steps[1];
            }
            v4l finite;
            v4d columns[SHORT_SLICE];
            v4d m = max4(x, xs, n, columns, &finite);
            four(columns, y, ys, n, m);
            for (int i = 0; i < 4 && r + i < rows; i++) *(npy_bool *)(args[2] + (r + i) * steps[2]) = finite[i] != 0;
        }
    } else {
        for (npy_intp r = 0; r < rows; r++)
            one(args[0] + r * steps[0], xs, args[1] + r * steps[1], ys, n, (npy_bool *)(args[2] + r * steps[2]));
    }
    feclearexcept(FE_ALL_EXCEPT);
}

/* softmax.softmax for float32: e^(x_j − m)/Σ in double, rounded once. */
static void softmax_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    along_axis_loop(args, dims, steps, softmax_slice, softmax_slices4);
}

/* softmax.log_softmax for float32: (x_j − m) − log Σ in double (x_j − m <= 0 <= log Σ:
 * no cancellation), rounded once. */
static void log_softmax_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    along_axis_loop(args, dims, steps, log_softmax_slice, log_softmax_slices4);
}

static char softmax_types[] = {NPY_FLOAT, NPY_FLOAT, NPY_BOOL};
static PyUFuncGenericFunction softmax_loops[] = {softmax_loop};
static PyUFuncGenericFunction log_softmax_loops[] = {log_softmax_loop};
static void *no_data[] = {NULL};

static int add_along_axis(PyObject *module, const char *name, PyUFuncGenericFunction *loops, const char *doc) {
    PyObject *ufunc = PyUFunc_FromFuncAndDataAndSignature(loops, no_data, softmax_types, 1, 1, 2, PyUFunc_None,
                                                          name, doc, 0, "(n)->(n),()");
    if (ufunc == NULL) return -1;
    int status = PyModule_AddObjectRef(module, name, ufunc);
    Py_DECREF(ufunc);
    return status;
}

static char types[] = {NPY_FLOAT, NPY_DOUBLE, NPY_FLOAT};

static struct {
    const char *name;
    PyUFuncGenericFunction loop[1];
} kernels[] = {
    {"exp", {exp_f32_loop}},
    {"tanh", {tanh_f32_loop}},
    {"step", {step_f32_loop}},
    {"hard_sigmoid", {hard_sigmoid_f32_loop}},
    {"softsign", {softsign_f32_loop}},
    {"leaky_relu", {leaky_relu_f32_loop}},
    {"hard_swish", {hard_swish_f32_loop}},
    {"sigmoid", {sigmoid_f32_loop}},
    {"softplus", {softplus_f32_loop}},
    {"elu", {elu_f32_loop}},
    {"selu", {selu_f32_loop}},
    {"celu", {celu_f32_loop}},
    {"gelu", {gelu_d_f32_loop}},
    {"gelu_tanh", {gelu_tanh_d_f32_loop}},
    {"swish", {swish_f32_loop}},
    {"mish", {mish_d_f32_loop}},
    {"swish_derivative", {swish_derivative_d_f32_loop}},
    {"gelu_derivative", {gelu_derivative_d_f32_loop}},
    {"gelu_tanh_derivative", {gelu_tanh_derivative_d_f32_loop}},
    {"mish_derivative", {mish_derivative_d_f32_loop}},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_fused",
    "float32 forward passes of activations: a ufunc(x, parameter) each, and softmax/log-softmax.", -1, NULL,
};

PyMODINIT_FUNC PyInit__fused(void) {
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    import_array();
    import_umath();
    for (size_t i = 0; i < sizeof kernels / sizeof kernels[0]; i++) {
        PyObject *ufunc = PyUFunc_FromFuncAndData(kernels[i].loop, no_data, types, 1, 2, 1, PyUFunc_None,
                                                  kernels[i].name, "f(x, parameter) for float32 x.", 0);
        if (ufunc == NULL || PyModule_AddObjectRef(module, kernels[i].name, ufunc) < 0) {
            Py_XDECREF(ufunc);
            Py_DECREF(module);
            return NULL;
        }
        Py_DECREF(ufunc);
    }
    if (add_along_axis(module, "softmax", softmax_loops, "(y, ok) = softmax(x): along the last axis, float32.") < 0 ||
        add_along_axis(module, "log_softmax", log_softmax_loops, "(y, ok) = log_softmax(x): along the last axis, float32.") < 0 ||
        PyModule_AddIntConstant(module, "LIBMVEC", ACTLAB_LIBMVEC) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
