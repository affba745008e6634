/*
 * GELU (erf form) and its derivative on eight float32 lanes, for _fused.c (included there
 * after _f32math.h).
 *
 * GELU(x) = x·Φ(x). With z = |x| (clamped to 13.2) and v = 1/(1 + z/4),
 *   Φ(−z) = e^(−z²/2)·v·G(v),   G(v) = Φ(−z)·e^(z²/2)/v = (1 + z/4)·M(z)/√(2π)
 * (M the Mills ratio), a smooth function from 0.129 to ½ as v goes from 0.232 (z = 13.25)
 * to 1 (z = 0): a polynomial of degree 9 in s = v − 15/32. Then, with S = z·Φ(−z),
 *   GELU(x) = −S for x < 0,   x − S for x >= 0
 * one formula over the whole line, without cancellation (S <= x/2 for x > 0: the
 * subtraction adds one rounding, and gives x itself from x = 5.3475 on, inf included).
 *
 * Carried as pairs hi + lo and rounded once at the end (a chain of float32 products
 * rounds four or five times, each up to 1 ulp of the result once binades are counted):
 * - −z²/2 = hi + lo, lo its exact rounding error (fms_f), so that the rounding is not
 *   magnified by up to 87 in the exponential;
 * - e^(−z²/2) = 2ⁿ·(p + p_lo): _f32math.h's reduction and e^s − 1 − s polynomial, with
 *   1 + r added exactly (Fast2Sum) and the rest in p_lo; 2ⁿ applied last, so that no
 *   piece is subnormal near GELU_F_MIN;
 * - v = 1/(1 + z/4): 1 + z/4 as an exact pair, the division's exact residual (FMA): v + v_lo
 *   right to ~2^-46; and G(v + v_lo) = G(v) + G′(v)·v_lo (G′ by P's cubic Taylor part,
 *   within 2%), needed where v is near 1: there d ln G/d ln v = 2.2 and v is rounded by
 *   up to 2^-25;
 * - G = a0_hi + t with t = a0_lo + s·P(s) (Estrin: a chain half as long as Horner's, which
 *   made the kernel 1.35x slower), the sum by Knuth's two-sum; z·p·v by FMA residuals.
 * What remains: the roundings inside t (|t| <= 0.64·G), the fit (7.7e-9 relatively), the
 * final rounding, and for x > 0 the subtraction. (The final sums m·g + small rely on
 * GCC's contraction into an FMA, its default in GNU C; without it, as in the portable
 * build, they round twice.)
 *
 * G's coefficients, fitted by fit_gelu.py (kept with the worktree, not in the package):
 * least squares on Chebyshev nodes with Lawson's reweighting toward the minimax of the
 * relative error; a0 kept as hi + lo, a1..a9 rounded to float32 one at a time (lowest
 * degree first) with the others refitted after each. Its output:
 *     degree 9 in s = v - 0.46875, double coefficients: max relative error 7.415e-09
 *     float32 coefficients (a0 as hi + lo) rounded in turn: max relative error 7.650e-09
 *     checked with mpmath (50 digits, 20001 points): max relative error 7.650e-09 = 0.128 2^-24
 *     |G - a0|/G at most 0.641; (G' - its cubic)*v/G at most 0.019
 *
 * gelu_f, measured exhaustively over every float32 in [GELU_F_MIN, 20] against x·ndtr(x) in
 * float64 (AVX2 + FMA build): at most 2.23 ulp, near x = ±0.06 (by region: 1.50 below −8,
 * 1.12 on [−8, −4], 1.26 on [−4, −2], 1.39 on [−2, −1], 1.52 on [−1, −0.5], 2.23 on
 * [−0.5, 0) and 2.20 on (0, 0.5] (1.0 for |x| < 2^−100, where the low parts underflow),
 * 1.11 on [0.5, 1], 0.79 on [1, 2], 0.53 on [2, 4], 0.5 on [4, 8]); x itself for every
 * float32 from 5.3475 up, inf included. The portable build (Dekker products, the final
 * sum not fused): at most 2.83 ulp on every third float32 of [GELU_F_MIN, 20].
 *
 * Valid for x >= GELU_F_MIN (any value up to +inf); below it GELU(x) is subnormal and
 * the caller takes its double path. NaN lanes give anything (the loop restores NaN).
 */
#define GELU_F_MIN -13.125f /* GELU(−13.125) = −1.55e−38; GELU(−13.15) is subnormal */

/* The pieces both kernels share, for z = min(|x|, 13.2): e^(−z²/2) = 2ⁿ·(p + p_lo),
 * v = 1/(1 + z/4) = v + v_lo, G(v + v_lo) = g + g_lo. */
struct gelu_parts { v8f z, two_n, p, p_lo, v, v_lo, g, g_lo; };

__attribute__((always_inline)) static inline struct gelu_parts gelu_parts(v8f x) {
    v8f z = min_f(select_f(x < 0.0f, -x, x), 13.2f);

    /* e^(−z²/2) = 2ⁿ·(p + p_lo) */
    v8f w = z * -0.5f;                          /* exact */
    v8f hi = w * z, lo = fms_f(w, z, hi);       /* hi >= −87.12: n >= −126 */
    v8f two_n;
    v8f r = reduce_ln2(hi, &two_n);
    v8f s = r + lo;
    v8f p = 1.0f + r;                           /* |r| < 0.36: Fast2Sum */
    v8f p_lo = ((1.0f - p) + r) + ((s * s) * expm1_tail(s) + lo);

    /* v = 1/(1 + z/4) = v_hi + v_lo */
    v8f q = z * 0.25f;
    v8f d = 1.0f + q;
    v8f d_lo = q - (d - 1.0f);                  /* exact: d − 1 is (d >= 1, q >= 0) */
    v8f v = 1.0f / d;
    v8f v_lo = v * (-fms_f(d, v, splat_f(1.0f)) - d_lo * v);

    /* G(v) = a0 + s·P(s), s = v − 15/32 (exact for v >= V0), as a pair G + G_lo:
     * t = s·P(s) + a0_lo rounded (|t| <= 0.64·G), then a0_hi + t by Knuth's two-sum. */
    v8f sv = v - 0.46875f;
    v8f s2 = sv * sv, s4 = s2 * s2;             /* Estrin's scheme: a shorter chain than Horner's */
    v8f e01 = sv * 0x1.1f8e38p-2f + -0x1.8b7d3ep-29f;
    v8f e23 = sv * 0x1.5fb51ep-2f + 0x1.6a0bc0p-2f;
    v8f e45 = sv * 0x1.1da38cp-4f + 0x1.d9faecp-3f;
    v8f e67 = sv * -0x1.b1e014p-5f + -0x1.705012p-5f;
    v8f e89 = sv * 0x1.07d222p-6f + 0x1.00faecp-7f;
    v8f t = (e89 * s4 + (e67 * s2 + e45)) * s4 + (e23 * s2 + e01);
    v8f g = 0x1.700136p-3f + t;
    v8f g_b = g - 0x1.700136p-3f;
    /* G(v + v_lo) = G(v) + G′(v)·v_lo: G is steep where v is near 1 (d ln G/d ln v = 2.2
     * at z = 0, where v is rounded by up to 2^-25); G′ by P's cubic Taylor part (within 2%) */
    v8f dg = (sv * 0x1.d9faecp-1f + 0x1.07c7d6p+0f) * s2 + (sv * 0x1.6a0bc0p-1f + 0x1.1f8e38p-2f);
    v8f g_lo = (0x1.700136p-3f - (g - g_b)) + (dg * v_lo + (t - g_b));

    return (struct gelu_parts){z, two_n, p, p_lo, v, v_lo, g, g_lo};
}

/* GELU(x) = −S for x < 0, x − S for x >= 0, S = z·Φ(−z) = z·2ⁿ·(p + p_lo)·(v + v_lo)·(g + g_lo),
 * the pairs multiplied with FMA residuals and rounded once. */
__attribute__((always_inline)) static inline v8f gelu_f(v8f x) {
    struct gelu_parts a = gelu_parts(x);
    v8f k = a.z * a.p, k_lo = fms_f(a.z, a.p, k) + a.z * a.p_lo;
    v8f m = k * a.v, m_lo = (fms_f(k, a.v, m) + k * a.v_lo) + k_lo * a.v;
    v8f S = (m * a.g + (m * a.g_lo + m_lo * a.g)) * a.two_n;
    return select_f(x < 0.0f, -S, x - S);
}

/* GELU′(x) = Φ(x) + x·φ(x): with R = v·G = Φ(−z)·e^(z²/2) and c = 1/√(2π),
 *   GELU′(x) = e^(−z²/2)·(R − z·c) for x < 0,   1 − e^(−z²/2)·(R − z·c) for x >= 0.
 * R − z·c is formed as a pair (R and z·c as pairs, their difference by two-sum): it
 * cancels at the derivative's zero (x = −0.7518, where the loop replaces the values by
 * _roots' series, near_root in _fused.c, over ±0.5), and by at most a factor 2 outside
 * that window.
 * Valid for x >= GELU_F_MIN as well (GELU′(−13.125) = −2.0e−37 is normal).
 * Measured exhaustively over every float32 in [GELU_F_MIN, 20] but the window [−1.2518,
 * −0.2518] where the loop replaces it, against Φ(x) + x·φ(x) in float64: at most 2.28 ulp
 * (near x = −0.07; 1.06 or less below the window, 1.63 on (0, 0.5], 0.9 or less beyond);
 * 1 exactly from 8 on. The portable build: at most 2.85 ulp on every 7th float32. */
__attribute__((always_inline)) static inline v8f gelu_derivative_f(v8f x) {
    const float c_hi = 0x1.988454p-2f, c_lo = -0x1.857936p-27f;
    struct gelu_parts a = gelu_parts(x);
    v8f R = a.v * a.g, R_lo = fms_f(a.v, a.g, R) + (a.v * a.g_lo + a.v_lo * a.g);
    v8f Y = a.z * c_hi, Y_lo = fms_f(a.z, splat_f(c_hi), Y) + a.z * c_lo;
    v8f D = R - Y, D_b = D - R;
    v8f D_lo = ((R - (D - D_b)) + (-Y - D_b)) + (R_lo - Y_lo);
    v8f F = (a.p * D + (a.p * D_lo + a.p_lo * D)) * a.two_n;
    return select_f(x < 0.0f, F, 1.0f - F);
}
