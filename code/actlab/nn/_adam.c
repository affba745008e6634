/*
 * actlab.nn._adam: Adam's whole update as one numpy ufunc, one pass over the parameters.
 *
 *   update(m, v, g, theta, beta1, beta2, lr_t, eps_t, out=(m, v, theta)) computes, per element,
 *     m <- beta1 m + g,   v <- beta2 v + g^2,   theta <- theta - lr_t m / (sqrt(v) + eps_t)
 *
 * which is actlab.nn.optim.Adam.update's formula (moments stored without their (1 - beta)
 * factors, the bias corrections folded into lr_t and eps_t). In numpy the same update is 9
 * passes over arrays that, for the book's networks, do not fit in cache together; done
 * element by element it is one. The scalars arrive as 0-d arrays (stride 0).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>

#define NPY_NO_DEPRECATED_API NPY_1_22_API_VERSION
#include "numpy/ndarraytypes.h"
#include "numpy/ufuncobject.h"

/* The general loop, for any strides, scalars included. */
#define ADAM_STRIDED(type, sqrt_fn) \
    static void adam_##type##_strided(char **args, npy_intp const *dims, npy_intp const *steps) { \
        for (npy_intp i = 0; i < dims[0]; i++) { \
            type b1 = *(type *)(args[4] + i * steps[4]), b2 = *(type *)(args[5] + i * steps[5]); \
            type lr = *(type *)(args[6] + i * steps[6]), eps = *(type *)(args[7] + i * steps[7]); \
            type g = *(type *)(args[2] + i * steps[2]); \
            type m = b1 * *(type *)(args[0] + i * steps[0]) + g; \
            type v = b2 * *(type *)(args[1] + i * steps[1]) + g * g; \
            type theta = *(type *)(args[3] + i * steps[3]); \
            *(type *)(args[8] + i * steps[8]) = m; \
            *(type *)(args[9] + i * steps[9]) = v; \
            *(type *)(args[10] + i * steps[10]) = theta - lr * (m / (sqrt_fn(v) + eps)); \
        } \
    }

/* The loop numpy calls: the same arithmetic on contiguous arrays with scalar
 * coefficients (how Adam calls it), written so that the compiler vectorizes it. */
#define ADAM_LOOP(type, sqrt_fn) \
    ADAM_STRIDED(type, sqrt_fn) \
    static void adam_##type##_loop(char **args, npy_intp const *dims, npy_intp const *steps, void *data) { \
        const npy_intp s = sizeof(type); \
        int contiguous = steps[0] == s && steps[1] == s && steps[2] == s && steps[3] == s && \
                         steps[8] == s && steps[9] == s && steps[10] == s; \
        int scalars = steps[4] == 0 && steps[5] == 0 && steps[6] == 0 && steps[7] == 0; \
        if (!(contiguous && scalars)) { \
            adam_##type##_strided(args, dims, steps); \
            return; \
        } \
        const type b1 = *(type *)args[4], b2 = *(type *)args[5], lr = *(type *)args[6], eps = *(type *)args[7]; \
        const type *m_in = (const type *)args[0], *v_in = (const type *)args[1]; \
        const type *g_in = (const type *)args[2], *theta_in = (const type *)args[3]; \
        type *m_out = (type *)args[8], *v_out = (type *)args[9], *theta_out = (type *)args[10]; \
        /* Each element is read, then written, at its own index: no dependence between \
         * iterations, even in place, whatever the compiler's alias checks would fear. */ \
        _Pragma("GCC ivdep") \
        for (npy_intp i = 0; i < dims[0]; i++) { \
            type g = g_in[i]; \
            type m = b1 * m_in[i] + g; \
            type v = b2 * v_in[i] + g * g; \
            type theta = theta_in[i]; \
            m_out[i] = m; \
            v_out[i] = v; \
            theta_out[i] = theta - lr * (m / (sqrt_fn(v) + eps)); \
        } \
    }

ADAM_LOOP(float, sqrtf)
ADAM_LOOP(double, sqrt)

static PyUFuncGenericFunction loops[] = {adam_float_loop, adam_double_loop};
static void *no_data[] = {NULL, NULL};
static char types[] = {
    NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT, NPY_FLOAT,
    NPY_FLOAT, NPY_FLOAT, NPY_FLOAT,
    NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE,
    NPY_DOUBLE, NPY_DOUBLE, NPY_DOUBLE,
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_adam", "Adam's update as one numpy ufunc (see actlab.nn.optim.Adam).", -1, NULL,
};

PyMODINIT_FUNC PyInit__adam(void) {
    PyObject *module = PyModule_Create(&module_def);
    if (module == NULL) return NULL;
    import_array();
    import_umath();
    PyObject *ufunc = PyUFunc_FromFuncAndData(
        loops, no_data, types, 2, 8, 3, PyUFunc_None, "update",
        "update(m, v, g, theta, beta1, beta2, lr_t, eps_t, out=(m, v, theta)): one Adam step, elementwise.", 0);
    if (ufunc == NULL || PyModule_AddObjectRef(module, "update", ufunc) < 0) {
        Py_XDECREF(ufunc);
        Py_DECREF(module);
        return NULL;
    }
    Py_DECREF(ufunc);
    return module;
}
