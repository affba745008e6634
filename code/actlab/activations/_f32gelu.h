/*
 * GELU (erf form) and its derivative on eight float32 lanes, for _fused.c (included there
 * after _f32math.h). Both write GELU(x) = x·Φ(x) through S = z·Φ(−z), z = |x| (clamped to
 * 13.2):
 *   GELU(x) = −S for x < 0,   x − S for x >= 0
 * without cancellation (S <= x/2 for x > 0: the subtraction adds one rounding, and gives
 * x itself from x = 5.3475 on, inf included), and Φ(−z) = e^(−z²/2)·(a smooth function of
 * z), the exponential carried as 2ⁿ·(p + p_lo) (exp_minus_half_square: −z²/2 as an exact
 * pair hi + lo, so that its rounding is not magnified by up to 87, and 2ⁿ applied last, so
 * that no piece is subnormal near GELU_F_MIN). The smooth factor differs:
 *
 * GELU, gelu_f: S = e^(−z²/2)·u·H(u), u = z/(z + 4), a polynomial in u, and below |x| = ½
 * the series x/2 + x²·E(x²) instead (details at gelu_f).
 *
 * GELU′, gelu_derivative_f: it needs Φ(−z)·e^(z²/2) = R itself, as a pair (R − z/√(2π)
 * cancels), which the form of the previous GELU kernel gives; with v = 1/(1 + z/4),
 *   R = v·G(v),   G(v) = Φ(−z)·e^(z²/2)/v = (1 + z/4)·M(z)/√(2π)
 * (M the Mills ratio), a smooth function from 0.129 to ½ as v goes from 0.232 (z = 13.25)
 * to 1 (z = 0): a polynomial of degree 9 in s = v − 15/32. Carried as pairs hi + lo and
 * rounded once at the end (gelu_parts):
 * - v = 1/(1 + z/4): 1 + z/4 as an exact pair, the division's exact residual (FMA): v + v_lo
 *   right to ~2^-46; and G(v + v_lo) = G(v) + G′(v)·v_lo (G′ by P's cubic Taylor part,
 *   within 2%), needed where v is near 1: there d ln G/d ln v = 2.2 and v is rounded by
 *   up to 2^-25;
 * - G = a0_hi + t with t = a0_lo + s·P(s) (Estrin: a chain half as long as Horner's, which
 *   made the kernel 1.35x slower), the sum by Knuth's two-sum.
 * What remains: the roundings inside t (|t| <= 0.64·G), the fit (7.7e-9 relatively), the
 * final rounding. (The final sums m·g + small rely on GCC's contraction into an FMA, its
 * default in GNU C; without it, as in the portable build, they round twice.) With these
 * pieces GELU itself came to 2.23 ulp, in 1.25 times gelu_f's time.
 *
 * G's coefficients were fitted by a script of the session that wrote this form, which
 * was not kept (tools/fit_gelu.py fits gelu_f's polynomials, not G, the same way):
 * least squares on Chebyshev nodes with Lawson's reweighting toward the minimax of the
 * relative error; a0 kept as hi + lo, a1..a9 rounded to float32 one at a time (lowest
 * degree first) with the others refitted after each. Its output:
 *     degree 9 in s = v - 0.46875, double coefficients: max relative error 7.415e-09
 *     float32 coefficients (a0 as hi + lo) rounded in turn: max relative error 7.650e-09
 *     checked with mpmath (50 digits, 20001 points): max relative error 7.650e-09 = 0.128 2^-24
 *     |G - a0|/G at most 0.641; (G' - its cubic)*v/G at most 0.019
 *
 * Valid for x >= GELU_F_MIN (any value up to +inf); below it GELU(x) is subnormal and
 * the caller takes its double path. NaN lanes give anything (the loop restores NaN).
 */
#define GELU_F_MIN -13.125f /* GELU(−13.125) = −1.55e−38; GELU(−13.15) is subnormal */

/* e^(−z²/2) = 2ⁿ·(p + p_lo) for 0 <= z <= 13.2, returning p: −z²/2 = hi + lo exactly,
 * _f32math.h's reduction and e^s − 1 − s polynomial, 1 + r added exactly (Fast2Sum) and
 * the rest in p_lo; 2ⁿ applied by the caller, last. */
__attribute__((always_inline)) static inline v8f exp_minus_half_square(v8f z, v8f *two_n, v8f *p_lo) {
    v8f w = z * -0.5f;                          /* exact */
    v8f hi = w * z, lo = fms_f(w, z, hi);       /* hi >= −87.12: n >= −126 */
    v8f r = reduce_ln2(hi, two_n);
    v8f s = r + lo;
    v8f p = 1.0f + r;                           /* |r| < 0.36: Fast2Sum */
    *p_lo = ((1.0f - p) + r) + ((s * s) * expm1_tail(s) + lo);
    return p;
}

/* GELU′'s pieces, for z = min(|x|, 13.2): e^(−z²/2) = 2ⁿ·(p + p_lo), v = 1/(1 + z/4) =
 * v + v_lo, G(v + v_lo) = g + g_lo. */
struct gelu_parts { v8f z, two_n, p, p_lo, v, v_lo, g, g_lo; };

__attribute__((always_inline)) static inline struct gelu_parts gelu_parts(v8f x) {
    v8f z = min_f(select_f(x < 0.0f, -x, x), 13.2f);
    v8f two_n, p_lo, p = exp_minus_half_square(z, &two_n, &p_lo);

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

/* GELU(x) = x·Φ(x), two ways, chosen lane by lane (both computed: no branches):
 * - |x| < ½: x/2 + x²·E(x²), E(w) = φ(0)(1 − w/6 + w²/40 − ...) (x·Φ(x)'s series), a
 *   quartic with E(0) = φ(0) as hi + lo (within 1.4e−10); x²·E is at most 0.62 of the
 *   result, whose sign x/2 carries.
 * - |x| >= ½: −S for x < 0 and x − S for x > 0, S = e^(−z²/2)·u·H(u), u = z/(z + 4) in
 *   [1/9, 0.767] and H(u) = (z + 4)·Φ(−z)·e^(z²/2), a smooth function from 1.57 to 0.52:
 *   a polynomial of degree 9 in y = u − ½ (exact for u >= ¼; Σ|terms| <= 0.91·H), within
 *   1.4e−9, its constant as hi + lo and H itself as a pair (Fast2Sum: |H − a0| < 1 has
 *   a0's exponent or a smaller one). u·H·e^(−z²/2) with FMA residuals, rounded once.
 * Both polynomials come from tools/fit_gelu.py. The rounding of u is not corrected: S
 * follows it at most 0.76 times (d ln S/d ln u, largest at |x| = ½, where the series
 * takes over), and correcting it cost as much time as the rest of this form saves. Against GELU′'s form
 * (gelu_parts, every piece a pair), which GELU used before: 1.25 instead of 1.55 ns per
 * element (AMD Zen 3), 2.71 ulp instead of 2.23.
 * Measured exhaustively over every float32 in [GELU_F_MIN, 20] against x·ndtr(x) in
 * float64 (AVX2 + FMA build): at most 2.71 ulp, near x = −0.63 (by region: 1.62 below −8,
 * 1.43 on [−8, −4], 1.44 on [−4, −2], 2.30 on [−2, −1], 2.71 on [−1, −0.5], 0.94 on
 * [−0.5, 0), 0.83 on (0, 0.5], 1.75 on [0.5, 1], 0.98 on [1, 2], 0.53 on [2, 4], 0.5 on
 * [4, 8]); x itself for every float32 from 5.3475 up, inf included. The portable build
 * (Dekker products, sums not fused): at most 2.97 ulp on every third float32. */
__attribute__((always_inline)) static inline v8f gelu_f(v8f x) {
    v8f z = min_f(select_f(x < 0.0f, -x, x), 13.2f);
    v8f two_n, p_lo, p = exp_minus_half_square(z, &two_n, &p_lo);
    v8f u = z / (z + 4.0f);
    v8f y = u - 0.5f;
    v8f y2 = y * y, y4 = y2 * y2, y8 = y4 * y4; /* Estrin's scheme */
    v8f q12 = y * 0x1.8c6dbep+0f + -0x1.373e3ap+0f;
    v8f q34 = y * 0x1.eec5aap-1f + -0x1.7dff80p+0f;
    v8f q56 = y * -0x1.c86822p-3f + -0x1.edb600p-3f;
    v8f q78 = y * 0x1.1ef052p-5f + 0x1.a3d120p-3f;
    v8f P = (q34 * y2 + q12) + (q78 * y2 + q56) * y4 + y8 * -0x1.735582p-4f;
    v8f t = y * P + -0x1.cc6aaep-27f;
    v8f H = 0x1.82b4bcp-1f + t, H_lo = t - (H - 0x1.82b4bcp-1f); /* Fast2Sum: |t| < 1 */
    v8f A = p * u, A_lo = fms_f(p, u, A) + p_lo * u; /* e^(−z²/2)·u = 2ⁿ·(A + A_lo) */
    v8f S = fma_f(A, H, fma_f(A, H_lo, A_lo * H)) * two_n;
    v8f large = select_f(x < 0.0f, -S, x - S);
    v8f w = x * x, w2 = w * w;
    v8f E1 = (w * 0x1.46cec6p-7f + -0x1.105836p-4f) + (w * 0x1.c748dap-14f + -0x1.36ca42p-10f) * w2;
    v8f E = 0x1.988454p-2f + (w * E1 + -0x1.857936p-27f);
    v8f small = fma_f(w, E, x * 0.5f);
    return select_f(z < 0.5f, small, large);
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
