/*
 * eˣ, eˣ − 1 and log(1 + w) on eight float32 lanes, and exact products, for _fused.c
 * (included there, after its vector types and select_f/splat_f/max_f). Each function is a
 * range reduction and a polynomial in float32 arithmetic, without tables, branches or
 * calls, so that an activation built on them stays a few dozen vector operations per
 * eight elements. Each works on a stated range of arguments; the kernels check that a
 * vector lies in it and otherwise take their general path. The error bounds quoted were
 * measured over every float32 in the range, against float64; tests/test_compiled.py and
 * the mpmath tests check the kernels built on them.
 *
 * Where the CPU has an FMA (the AVX2 build) the compiler fuses a·b + c, which only makes
 * them more exact; the exact products (fms_f) use it, and Dekker's splitting elsewhere.
 */

/* a·b − c, exact when the result is representable (the residuals below): one FMA, or
 * Dekker's product (a and b cut into 12-bit halves by masking, so that every partial
 * product is exact and no contraction by the compiler can change the result). */
static inline v8f fms_f(v8f a, v8f b, v8f c) {
#if defined(__FMA__)
    return (v8f)_mm256_fmsub_ps((__m256)a, (__m256)b, (__m256)c);
#elif defined(__FP_FAST_FMAF)
    for (int i = 0; i < 8; i++) a[i] = __builtin_fmaf(a[i], b[i], -c[i]);
    return a;
#else
    const v8i mask = {-4096, -4096, -4096, -4096, -4096, -4096, -4096, -4096};
    v8f ab = a * b;
    v8f ah = (v8f)((v8i)a & mask), al = a - ah;
    v8f bh = (v8f)((v8i)b & mask), bl = b - bh;
    v8f err = ((ah * bh - ab) + ah * bl + al * bh) + al * bl; /* a·b − ab, exactly */
    return (ab - c) + err;
#endif
}

/* a·b + c, rounded once where the CPU has an FMA (GCC may contract a·b + c·d either way). */
static inline v8f fma_f(v8f a, v8f b, v8f c) {
#if defined(__FMA__)
    return (v8f)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#else
    return a * b + c;
#endif
}

/* n = x/ln2 rounded to an integer (as a float and as 2ⁿ), and r = x − n·ln2, the
 * reduction that exp and expm1 share. ln2 is split Cody-Waite style: n·LN2_HI is exact
 * for |n| < 2^15 (LN2_HI has 9 significant bits) and x − n·LN2_HI is exact as well
 * (Sterbenz), so r carries only the rounding of n·LN2_LO, ~1e-9 absolutely. */
#define LN2_HI 0x1.63p-1f
#define LN2_LO -0x1.bd0106p-13f
static inline v8f reduce_ln2(v8f x, v8f *two_n) {
    const v8f shifter = splat_f(0x1.8p23f); /* adding it rounds to an integer (|n| < 2^22) */
    v8f t = x * 0x1.715476p0f + shifter;
    v8f n = t - shifter;
    v8u k = (v8u)t - (v8u)shifter; /* unsigned: wraps harmlessly for lanes out of range */
    *two_n = (v8f)((k + 127) << 23); /* a normal float for -126 <= n <= 127 */
    return (x - n * LN2_HI) - n * LN2_LO;
}

/* e^r − 1 − r − r²/2 over r², for |r| <= ln2/2: ½ + a degree-4 polynomial fitted to the
 * rest (least squares on Chebyshev nodes, reweighted toward the minimax of e^r's relative
 * error: 4.5e-9 with these float32 coefficients, a thirteenth of an ulp; the fit's constant
 * term, 1e-8, vanishes against ½), one term fewer than the Taylor polynomial to r⁷. Evaluated by Estrin's scheme (pairs of terms, then
 * pairs of pairs) rather than Horner's rule: its chain of dependent operations is half as
 * long, which is what limits these kernels. */
static inline v8f expm1_tail(v8f r) {
    v8f r2 = r * r;
    v8f a = r * 0x1.55548ep-3f + 0.5f, b = r * 0x1.123bf0p-7f + 0x1.55545ep-5f;
    return (r2 * 0x1.6db4c8p-10f + b) * r2 + a;
}

/* Where exp_hl and expm1_f are good: results that are normal float32 numbers. */
#define EXP_F_MIN -87.0f
#define EXP_F_MAX 88.0f

/* e^(hi + lo), for hi within [EXP_F_MIN, EXP_F_MAX] and |lo| a rounding error of hi's
 * (the low part of an argument known to more than float32 precision: softmax's x − m,
 * GELU-tanh's w): lo joins the reduced argument, where it is not lost. 1 + r is kept
 * exact in two parts until the last addition. Within 0.84 ulp. */
static inline v8f exp_hl(v8f hi, v8f lo) {
    v8f two_n;
    v8f r = reduce_ln2(hi, &two_n) + lo;
    v8f one_plus_r = 1.0f + r, rounding = (1.0f - one_plus_r) + r; /* exact: |r| < 1 */
    v8f p = one_plus_r + ((r * r) * expm1_tail(r) + rounding);
    return p * two_n;
}

static inline v8f exp_f(v8f x) { return exp_hl(x, splat_f(0.0f)); }

/* eˣ − 1 for x <= EXP_F_MAX (NaN gives nonsense: the callers restore it). Below −20 it is
 * −1 (e^−20 is below half an ulp of 1); with x = n·ln2 + r it is 2ⁿ·(e^r − 1) + (2ⁿ − 1),
 * one rounding at the end, and e^r − 1 itself where n = 0, so that it stays relatively
 * exact near 0. Within 0.9 ulp for x <= 0, where the ELU family uses it. */
static inline v8f expm1_f(v8f x) {
    v8f two_n;
    v8f r = reduce_ln2(max_f(x, -20.0f), &two_n);
    v8f q = (r * r) * expm1_tail(r) + r;
    return two_n * q + (two_n - 1.0f);
}

/* log(1 + w) for w in [0, 1], as 2·atanh(s) = 2s(1 + u/3 + u²/5 + ...), s = w/(2 + w) in
 * [0, 1/3] and u = s² in [0, 1/9]: the series after its first term fitted by a cubic in u
 * (least squares on Chebyshev nodes, reweighted toward the minimax of log(1 + w)'s
 * relative error: 5.4e-9 with these float32 coefficients). s is rounded twice, which
 * costs about an ulp: softplus built on it is within 2.9 ulp. (log(2ᵏ·m) with a
 * polynomial in m − 1, the usual route, gave 2.0 in twice the time.) */
static inline v8f log1p_unit(v8f w) {
    v8f s = w / (2.0f + w);
    v8f u = s * s;
    v8f p = (u * 0x1.1ed878p-3f + 0x1.1ebcfcp-3f) * (u * u) + (u * 0x1.99d208p-3f + 0x1.555502p-2f);
    v8f t = s + s;
    return (t * u) * p + t;
}
