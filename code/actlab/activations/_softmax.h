/*
 * Softmax and log-softmax of float32 slices along the last axis, as the loops of
 * generalized ufuncs (n)->(n),(): _fused.c includes this file after its kernels.
 */

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

/* ---- short slices: eight at a time, one slice per float32 lane ----------------------------
 * Short slices (n <= SHORT_SLICE) are done eight at a time, one slice per lane of a v8f:
 * entry j of the eight slices is one vector (a "column"), so that the maxima, sums and
 * outputs of eight slices are a few vector operations per column, with no fixed cost per
 * slice beyond a few per group. The last group repeats its last slice in the missing
 * lanes, so that a slice's result never depends on its neighbours.
 *
 * The arithmetic is float32 where it is per entry (exp_hl of _f32math.h), double where it
 * is per group: x_j − m is carried exactly as hi + lo (two-sum), e^(x_j − m) is a float32
 * within 0.84 ulp, Σ e^(x_j − m) is summed in double, and 1/S and log S (log1p, in double)
 * are passed on as two floats each. Measured against float64: softmax within 2.1 ulp
 * (2.4 without FMA), log-softmax within 1.5, at any length up to SHORT_SLICE. For
 * (10^5, 10) that is ~1.3 and ~1.8 ns per element, against 2.7 and 3.4 in double lanes
 * four at a time (AMD Zen 3, 2.45 GHz): about 55 vector operations per column of eight
 * entries, of which the exponential is ~17 and the two-sum and the double sum 11. */
#define SHORT_SLICE 64

/* The first and last four lanes of a vector, and two halves joined. */
static inline v4f first4(v8f v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3); }
static inline v4f last4(v8f v) { return __builtin_shufflevector(v, v, 4, 5, 6, 7); }
static inline v8f join4(v4f a, v4f b) { return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7); }

/* max(a, b) and min(a, b), b where a is NaN: one instruction with AVX. */
static inline v8f max_v(v8f a, v8f b) {
#ifdef __AVX__
    return (v8f)_mm256_max_ps((__m256)a, (__m256)b);
#else
    return select_f(a > b, a, b);
#endif
}
static inline v8f min_v(v8f a, v8f b) {
#ifdef __AVX__
    return (v8f)_mm256_min_ps((__m256)a, (__m256)b);
#else
    return select_f(a < b, a, b);
#endif
}

/* Four 4×4 transposes, two per 128-bit half: for a, b, c, d = [a0 a1 a2 a3 | A0 A1 A2 A3]
 * and so on, out[k] = [a_k b_k c_k d_k | A_k B_k C_k D_k]. With rows 0-3 of a block in the
 * low halves and rows 4-7 in the high halves, that turns four entries of eight slices
 * into four columns, and back: 8 shuffles in-lane, the halves put together or taken apart
 * by the 128-bit loads and stores (as fast as an 8×8 transpose, 24 shuffles, here, and
 * simpler at the end of a slice). */
#define SHUF __builtin_shufflevector
static inline void transpose4_pairs(v8f a, v8f b, v8f c, v8f d, v8f out[4]) {
    v8f t0 = SHUF(a, b, 0, 8, 1, 9, 4, 12, 5, 13), t1 = SHUF(a, b, 2, 10, 3, 11, 6, 14, 7, 15);
    v8f t2 = SHUF(c, d, 0, 8, 1, 9, 4, 12, 5, 13), t3 = SHUF(c, d, 2, 10, 3, 11, 6, 14, 7, 15);
    out[0] = SHUF(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    out[1] = SHUF(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    out[2] = SHUF(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    out[3] = SHUF(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
}
#undef SHUF

/* Floats p[0..w) (0 < w <= 4) as a vector, zeros after, reading nothing past p + w; and
 * the first w lanes of v stored at p, nothing past p + w. */
static inline v4f load_up_to_4(const float *p, int w) {
    v4f v;
    if (w == 4) {
        memcpy(&v, p, sizeof v);
        return v;
    }
    return w == 1 ? (v4f){p[0], 0, 0, 0} : w == 2 ? (v4f){p[0], p[1], 0, 0} : (v4f){p[0], p[1], p[2], 0};
}
static inline void store_up_to_4(float *p, v4f v, int w) {
    if (w == 4) {
        memcpy(p, &v, sizeof v);
    } else if (w & 2) {
        memcpy(p, &v, 2 * sizeof(float));
        if (w & 1) p[2] = v[2];
    } else {
        p[0] = v[0];
    }
}

/* Where the eight slices of a group lie: x[i] and y[i] the start of lane i's slice, xs and
 * ys the strides along them, n their length; valid: how many lanes are slices of their own
 * (the rest repeat the last). offsets: x[i] − x[0] in bytes where they fit in an int. */
typedef struct {
    const char *x[8];
    char *y[8];
    npy_intp xs, ys, n;
    int valid, offsets_fit;
    v8i offsets;
} group;

/* Column j of the group, where its slices are strided: a gather (AVX2) or eight loads. */
static inline v8f strided_column(const group *g, npy_intp j) {
#ifdef __AVX2__
    if (g->offsets_fit) return (v8f)_mm256_i32gather_ps((const float *)(g->x[0] + j * g->xs), (__m256i)g->offsets, 1);
#endif
    v8f v;
    for (int i = 0; i < 8; i++) v[i] = *(const float *)(g->x[i] + j * g->xs);
    return v;
}

/* The group's entries as columns col[0..n) (col[n..] up to a multiple of 4 is scratch).
 * Contiguous slices: four entries at a time of slices k and k + 4 in one vector,
 * transposed four by four (transpose4_pairs); strided ones, gathered. */
static void load_columns(const group *g, v8f col[]) {
    if (g->xs != sizeof(float)) {
        for (npy_intp j = 0; j < g->n; j++) col[j] = strided_column(g, j);
        return;
    }
    for (npy_intp j = 0; j < g->n; j += 4) {
        int w = g->n - j < 4 ? (int)(g->n - j) : 4;
        v8f r[4];
#pragma GCC unroll 4
        for (int k = 0; k < 4; k++)
            r[k] = join4(load_up_to_4((const float *)g->x[k] + j, w), load_up_to_4((const float *)g->x[k + 4] + j, w));
        transpose4_pairs(r[0], r[1], r[2], r[3], col + j);
    }
}

/* The results col[0..n) of the valid lanes written to their slices (transposed back). */
static void store_columns(const group *g, v8f col[]) {
    if (g->ys != sizeof(float)) {
        for (npy_intp j = 0; j < g->n; j++)
            for (int i = 0; i < g->valid; i++) *(float *)(g->y[i] + j * g->ys) = col[j][i];
        return;
    }
    for (npy_intp j = 0; j < g->n; j += 4) {
        int w = g->n - j < 4 ? (int)(g->n - j) : 4;
        v8f r[4];
        transpose4_pairs(col[j], col[j + 1], col[j + 2], col[j + 3], r);
        if (g->valid == 8) {
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) {
                store_up_to_4((float *)g->y[k] + j, first4(r[k]), w);
                store_up_to_4((float *)g->y[k + 4] + j, last4(r[k]), w);
            }
        } else {
            for (int i = 0; i < g->valid; i++) store_up_to_4((float *)g->y[i] + j, i < 4 ? first4(r[i]) : last4(r[i - 4]), w);
        }
    }
}

/* The maxima of the eight slices; *usable: the lanes the kernels take (as finite_max: no
 * NaN, no +inf, not all −inf); the others are computed as nonsense and flagged. *near:
 * whether every x_j − m of every lane rounds to EXP_F_MIN or above (no −inf, no tiny
 * terms: the common case, which needs none of exp_shifted's care). */
static v8f column_max(const v8f col[], npy_intp n, v8i *usable, int *near) {
    v8f top = splat_f(-INFINITY), bottom = splat_f(INFINITY);
    v8i nan = {0, 0, 0, 0, 0, 0, 0, 0};
    for (npy_intp j = 0; j < n; j++) { /* max_v and min_v skip NaN: flagged apart */
        top = max_v(col[j], top);
        bottom = min_v(col[j], bottom);
        nan |= col[j] != col[j];
    }
    *usable = ~nan & (top > -INFINITY) & (top < INFINITY);
    *near = !any(~(bottom - top >= EXP_F_MIN)); /* false for NaN and −inf */
    return top;
}

/* x − m as hi + lo exactly (Knuth's two-sum; lo is NaN where hi is infinite). */
static inline v8f difference(v8f x, v8f m, v8f *lo) {
    v8f b = -m, hi = x + b;
    v8f x_part = hi - b, b_part = hi - x_part;
    *lo = (x - x_part) + (b - b_part);
    return hi;
}

/* 128·ln2 as a float32 plus a correction: the shift of the tiny terms (below). */
#define SHIFT_HI 0x1.62e430p6f
#define SHIFT_LO -0x1.05c610p-22f /* 128·ln2 − SHIFT_HI */

/* e^(hi + lo) where that is a normal float32 (hi >= −87); where it is not (hi < −87: the
 * term is tiny, but a softmax result there is a subnormal number, and a log-softmax
 * needs the tiny terms when all the others are tiny too), e^(hi + lo)·2^128, *shifted
 * set: hi + 128·ln2 is exact there (both multiples of 2^−17, the sum below 64), and
 * below hi = −87 − 128·ln2 (e^−175, which rounds to 0 even shifted back) it is clamped,
 * lo then dropped (it may be NaN, for infinite hi). */
static inline v8f exp_shifted(v8f hi, v8f lo, v8i *shifted) {
    *shifted = hi < EXP_F_MIN;
    v8f h = select_f(*shifted, hi + SHIFT_HI, hi);
    v8f l = select_f(*shifted, lo + SHIFT_LO, lo);
    v8i clamped = h < EXP_F_MIN;
    return exp_hl(max_f(h, EXP_F_MIN), select_f(clamped, splat_f(0.0f), l));
}

/* Σ_j t[j] in double, lanes 0-3 and 4-7, in a loop of its own: in the loops that compute
 * the terms, GCC kept these sums on the stack, and each addition waited on a store and a
 * load (a tenth of the time of log-softmax). */
static inline void sum_in_double(const v8f t[], npy_intp n, v4d *a, v4d *b) {
    v4d sum_a = splat_d(0.0), sum_b = splat_d(0.0);
    for (npy_intp j = 0; j < n; j++) sum_a += low_half(t[j]), sum_b += high_half(t[j]);
    *a = sum_a, *b = sum_b;
}

/* Softmax of the eight slices of col (their maxima m), in place: e_j = e^(x_j − m) in
 * float32 (0.84 ulp), S = Σ e_j in double, y_j = e_j·(1/S) with 1/S as two floats, one
 * rounding (fused) where the CPU has FMA. Unless near (column_max), some terms may be
 * shifted (exp_shifted: subnormal results): those are left out of S (below 2^−126
 * against S >= 1) and keep their shift in their sign until the output, where it comes off
 * as two scalings by 2^−64, exact and final. */
static void softmax_columns(v8f col[], npy_intp n, v8f m, int near) {
    v4d sum_a = splat_d(0.0), sum_b = splat_d(0.0);
    if (near) {
        for (npy_intp j = 0; j < n; j++) {
            v8f lo, hi = difference(col[j], m, &lo);
            col[j] = exp_hl(hi, lo);
        }
        sum_in_double(col, n, &sum_a, &sum_b);
    } else {
        for (npy_intp j = 0; j < n; j++) {
            v8f lo, hi = difference(col[j], m, &lo);
            v8i shifted;
            v8f e = exp_shifted(hi, lo, &shifted);
            v8f term = (v8f)(~shifted & (v8i)e);
            sum_a += low_half(term), sum_b += high_half(term);
            col[j] = (v8f)((v8i)e ^ (shifted & (v8i)splat_f(-0.0f))); /* e > 0: negative marks shifted */
        }
    }
    v4d inv_a = 1.0 / sum_a, inv_b = 1.0 / sum_b;
    v8f inv = join_halves(inv_a, inv_b);
    v8f inv_lo = join_halves(inv_a - low_half(inv), inv_b - high_half(inv));
    if (near) {
        for (npy_intp j = 0; j < n; j++) col[j] = fma_f(col[j], inv, col[j] * inv_lo);
        return;
    }
    v8f inv_tiny = inv * -0x1p-64f; /* exact: inv >= 1/64 */
    for (npy_intp j = 0; j < n; j++) {
        v8f e = col[j];
        v8f y = fma_f(e, inv, e * inv_lo);
        col[j] = select_f(e < 0.0f, (e * inv_tiny) * 0x1p-64f, y);
    }
}

/* Log-softmax of the eight slices of col (their maxima m), in place, with lo[] scratch:
 * y_j = (x_j − m) − log S, where log S = log1p(w), w = (k − 1) + rest for k maxima and
 * the rest of the sum without them (so that w keeps its digits when it is tiny), rest and
 * log1p in double (a float32 log1p's ulp would be most of the error at the maxima, where
 * y = −log S). x_j − m = hi + lo exactly and log S = L + L_lo (two floats): y_j =
 * (hi − L) + (lo − L_lo + the rounding error of hi − L), one rounding. Unless near
 * (column_max), tiny terms are shifted (exp_shifted) and summed apart, and −inf entries
 * give −inf. */
static void log_softmax_columns(v8f col[], v8f lo[], v8f terms[], npy_intp n, v8f m, int near) {
    v4d rest_a = splat_d(0.0), rest_b = splat_d(0.0), tiny_a = splat_d(0.0), tiny_b = splat_d(0.0);
    v8i minus_k = {0, 0, 0, 0, 0, 0, 0, 0};
    for (npy_intp j = 0; j < n; j++) {
        v8f l, hi = difference(col[j], m, &l);
        v8i top = hi == 0.0f; /* x_j = m: a difference of distinct floats is never 0 */
        minus_k += top;
        col[j] = hi;
        if (near) {
            terms[j] = (v8f)(~top & (v8i)exp_hl(hi, l));
            lo[j] = l;
        } else {
            v8i shifted;
            v8f e = exp_shifted(hi, l, &shifted);
            v8f rest = (v8f)(~(shifted | top) & (v8i)e), tiny = (v8f)(shifted & (v8i)e);
            rest_a += low_half(rest), rest_b += high_half(rest);
            tiny_a += low_half(tiny), tiny_b += high_half(tiny);
            lo[j] = select_f(hi > -INFINITY, l, splat_f(0.0f)); /* not NaN below −inf */
        }
    }
    if (near) sum_in_double(terms, n, &rest_a, &rest_b);
    v8f k_minus_1 = __builtin_convertvector(-minus_k - 1, v8f);
    v4d w_a = low_half(k_minus_1) + (rest_a + tiny_a * 0x1p-128);
    v4d w_b = high_half(k_minus_1) + (rest_b + tiny_b * 0x1p-128);
    v4d l_a = v_log1p(w_a), l_b = v_log1p(w_b); /* once per group: in double, for 1 ulp less */
    v8f log_sum = join_halves(l_a, l_b);
    v8f log_sum_lo = join_halves(l_a - low_half(log_sum), l_b - high_half(log_sum));
    for (npy_intp j = 0; j < n; j++) {
        v8f hi = col[j], t_lo, t = difference(hi, log_sum, &t_lo);
        v8f y = t + ((lo[j] - log_sum_lo) + t_lo);
        col[j] = near ? y : select_f(hi > -INFINITY, y, hi); /* −inf − log S is −inf (t_lo is NaN) */
    }
}

/* The loop of the short slices: groups of eight, the last one padded with its last slice. */
static void short_slices_loop(char **args, npy_intp const *dims, npy_intp const *steps, int log) {
    npy_intp rows = dims[0];
    group g = {.xs = steps[3], .ys = steps[4], .n = dims[1], .valid = 8};
    /* Offsets of up to 7 rows in an int, for the gather of strided slices. */
    g.offsets_fit = steps[0] <= INT32_MAX / 8 && steps[0] >= -(INT32_MAX / 8);
    for (int i = 0; i < 8; i++) g.offsets[i] = g.offsets_fit ? (int)(i * steps[0]) : 0;
    v8f col[SHORT_SLICE];
    v8f lo[SHORT_SLICE], terms[SHORT_SLICE];
    for (npy_intp r = 0; r < rows; r += 8) {
        const char *x = args[0] + r * steps[0];
        char *y = args[1] + r * steps[1];
        if (rows - r < 8) { /* the last group: its last slice again in the missing lanes */
            g.valid = (int)(rows - r);
            for (int i = 0; i < 8; i++) g.offsets[i] = g.offsets_fit ? (int)((i < g.valid ? i : g.valid - 1) * steps[0]) : 0;
        }
        for (int i = 0; i < 8; i++) {
            int row = i < g.valid ? i : g.valid - 1;
            g.x[i] = x + row * steps[0];
            g.y[i] = y + row * steps[1];
        }
        load_columns(&g, col);
        v8i usable;
        int near;
        v8f m = column_max(col, g.n, &usable, &near);
        if (log)
            log_softmax_columns(col, lo, terms, g.n, m, near);
        else
            softmax_columns(col, g.n, m, near);
        store_columns(&g, col);
        char *ok = args[2] + r * steps[2];
        if (g.valid == 8 && steps[2] == 1 && !any(~usable)) { /* the common case in one store */
            const unsigned long long eight_ones = 0x0101010101010101ull;
            memcpy(ok, &eight_ones, sizeof eight_ones);
        } else {
            for (int i = 0; i < g.valid; i++) ok[i * steps[2]] = usable[i] != 0;
        }
    }
}

typedef void (*slice_fn)(const char *, npy_intp, char *, npy_intp, npy_intp, npy_bool *);

/* args: x (rows, n), y (rows, n), ok (rows). Short slices go eight at a time
 * (short_slices_loop), long ones one by one; ok = 0 for the slices the kernels cannot
 * take (finite_max), for the caller to recompute. */
static void along_axis_loop(char **args, npy_intp const *dims, npy_intp const *steps, slice_fn one, int log) {
    npy_intp rows = dims[0], n = dims[1], xs = steps[3], ys = steps[4];
    if (n <= SHORT_SLICE) {
        short_slices_loop(args, dims, steps, log);
    } else {
        for (npy_intp r = 0; r < rows; r++)
            one(args[0] + r * steps[0], xs, args[1] + r * steps[1], ys, n, (npy_bool *)(args[2] + r * steps[2]));
    }
    feclearexcept(FE_ALL_EXCEPT);
}

/* softmax.softmax for float32: e^(x_j − m)/Σ, short slices in float32 lanes
 * (softmax_columns), long ones in double, rounded once (softmax_slice). */
static void softmax_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    along_axis_loop(args, dims, steps, softmax_slice, 0);
}

/* softmax.log_softmax for float32: (x_j − m) − log Σ (x_j − m <= 0 <= log Σ: no
 * cancellation), short slices in float32 lanes (log_softmax_columns), long ones in
 * double, rounded once (log_softmax_slice). */
static void log_softmax_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) {
    along_axis_loop(args, dims, steps, log_softmax_slice, 1);
}
