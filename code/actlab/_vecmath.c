/*
 * actlab._vecmath: exp and tanh as numpy ufuncs, computed eight float32 (or four float64)
 * elements at a time by glibc's vector math library, libmvec.
 *
 * numpy's float32 exp and tanh are vectorized but 2-3 times slower here than libmvec's
 * AVX2 versions (glibc >= 2.35), and its float64 ones loop over one element at a time.
 * Accuracy: a few ulp (measured on this machine: exp 2.6, tanh 1.0 float32 ulp);
 * actlab.activations uses them for float32 only (the derivatives of ELU, CELU, SELU,
 * sigmoid and tanh, and tanh itself), which the tests hold to 4 ulp.
 *
 * Contiguous arrays take the vector path when the CPU has AVX2 and FMA (checked once at
 * import); anything else (strided arrays, older CPUs, other C libraries) takes the
 * scalar C library function, so the ufuncs work everywhere. They never raise numpy's
 * floating-point warnings: overflow gives inf, as under np.errstate(all="ignore").
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fenv.h>
#include <math.h>

#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include "numpy/ndarraytypes.h"
#include "numpy/ufuncobject.h"

#if defined(__x86_64__) && defined(__GLIBC__) && \
    (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 35))
#define HAVE_LIBMVEC 1
#include <immintrin.h>
#else
#define HAVE_LIBMVEC 0
#endif

static int use_vectors = 0;

#if HAVE_LIBMVEC
/* libmvec's AVX2 entry points (x86_64 vector function ABI names). */
#define DECLARE_VECTOR(fn) \
    __m256 _ZGVdN8v_##fn##f(__m256); \
    __m256d _ZGVdN4v_##fn(__m256d);
DECLARE_VECTOR(exp)
DECLARE_VECTOR(tanh)

/* y[i] = fn(x[i]) for i < n - n % width; returns how many elements were done. */
#define VECTOR_LOOPS(fn) \
    __attribute__((target("avx2,fma"))) static npy_intp \
    vector_##fn##_float(const float *x, float *y, npy_intp n) { \
        npy_intp i = 0; \
        for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _ZGVdN8v_##fn##f(_mm256_loadu_ps(x + i))); \
        return i; \
    } \
    __attribute__((target("avx2,fma"))) static npy_intp \
    vector_##fn##_double(const double *x, double *y, npy_intp n) { \
        npy_intp i = 0; \
        for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _ZGVdN4v_##fn(_mm256_loadu_pd(x + i))); \
        return i; \
    }
#else
#define VECTOR_LOOPS(fn) \
    static npy_intp vector_##fn##_float(const float *x, float *y, npy_intp n) { return 0; } \
    static npy_intp vector_##fn##_double(const double *x, double *y, npy_intp n) { return 0; }
#endif

/* The ufunc loops: the vector path on contiguous data, the C library for the rest. */
#define UFUNC_LOOPS(fn) \
    VECTOR_LOOPS(fn) \
    static void fn##_float_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) { \
        npy_intp n = dims[0], i = 0; \
        char *in = args[0], *out = args[1]; \
        if (use_vectors && steps[0] == sizeof(float) && steps[1] == sizeof(float)) \
            i = vector_##fn##_float((const float *)in, (float *)out, n); \
        for (; i < n; i++) \
            *(float *)(out + i * steps[1]) = fn##f(*(const float *)(in + i * steps[0])); \
        feclearexcept(FE_ALL_EXCEPT); \
    } \
    static void fn##_double_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) { \
        npy_intp n = dims[0], i = 0; \
        char *in = args[0], *out = args[1]; \
        if (use_vectors && steps[0] == sizeof(double) && steps[1] == sizeof(double)) \
            i = vector_##fn##_double((const double *)in, (double *)out, n); \
        for (; i < n; i++) \
            *(double *)(out + i * steps[1]) = fn(*(const double *)(in + i * steps[0])); \
        feclearexcept(FE_ALL_EXCEPT); \
    } \
    static PyUFuncGenericFunction fn##_loops[] = {fn##_float_loop, fn##_double_loop};

UFUNC_LOOPS(exp)
UFUNC_LOOPS(tanh)

static char types[] = {NPY_FLOAT, NPY_FLOAT, NPY_DOUBLE, NPY_DOUBLE};
static void *no_data[] = {NULL, NULL};

static int add_ufunc(PyObject *module, const char *name, PyUFuncGenericFunction *loops, const char *doc) {
    PyObject *ufunc = PyUFunc_FromFuncAndData(loops, no_data, types, 2, 1, 1, PyUFunc_None, name, doc, 0);
    if (ufunc == NULL) return -1;
    int status = PyModule_AddObjectRef(module, name, ufunc);
    Py_DECREF(ufunc);
    return status;
}

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_vecmath",
    "exp and tanh for float32 and float64, vectorized by glibc's libmvec.",
    -1, NULL,
};

PyMODINIT_FUNC PyInit__vecmath(void) {
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    import_array();
    import_umath();
#if HAVE_LIBMVEC
    __builtin_cpu_init();
    use_vectors = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    if (add_ufunc(module, "exp", exp_loops, "e**x, elementwise.") < 0 ||
        add_ufunc(module, "tanh", tanh_loops, "The hyperbolic tangent, elementwise.") < 0 ||
        PyModule_AddIntConstant(module, "VECTORIZED", use_vectors) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
