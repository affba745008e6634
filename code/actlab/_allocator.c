/*
 * actlab._allocator: ask glibc's malloc to keep freed memory for reuse.
 *
 * By default glibc returns a freed block of more than 128 KiB (a threshold it raises as
 * it goes) to the operating system, and trims the heap when its free top passes twice
 * that. The next block of that size then comes back as fresh pages, which the kernel
 * zeroes on first touch. numpy code that works on arrays of a few hundred KiB, such as
 * actlab's activations (evaluated in cache-sized blocks) and its training loop (a batch
 * of 128 x 256 float32 is 128 KiB), pays that again for every temporary: measured here,
 * it made the training epoch 1.3-1.5x slower and some activations 2-5x slower.
 *
 * keep_freed_memory(mmap_threshold, trim_threshold) sets M_MMAP_THRESHOLD and
 * M_TRIM_THRESHOLD (mallopt(3)); it returns False where the C library is not glibc.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

static PyObject *keep_freed_memory(PyObject *self, PyObject *args) {
    Py_ssize_t mmap_threshold, trim_threshold;
    if (!PyArg_ParseTuple(args, "nn", &mmap_threshold, &trim_threshold)) return NULL;
    if (mmap_threshold <= 0 || trim_threshold <= 0 || trim_threshold > INT_MAX) {
        PyErr_SetString(PyExc_ValueError, "keep_freed_memory: thresholds must be positive and below 2 GiB");
        return NULL;
    }
    if (mmap_threshold > (32 << 20)) { /* glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems */
        PyErr_SetString(PyExc_ValueError, "keep_freed_memory: mmap_threshold must be at most 32 MiB");
        return NULL;
    }
#if defined(__GLIBC__)
    if (mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) != 1 || mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) != 1) {
        PyErr_SetString(PyExc_ValueError, "keep_freed_memory: glibc refused the thresholds");
        return NULL;
    }
    Py_RETURN_TRUE;
#else
    Py_RETURN_FALSE;
#endif
}

static PyMethodDef methods[] = {
    {"keep_freed_memory", keep_freed_memory, METH_VARARGS,
     "keep_freed_memory(mmap_threshold, trim_threshold) -> bool: set glibc's M_MMAP_THRESHOLD and M_TRIM_THRESHOLD."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_def = {
    PyModuleDef_HEAD_INIT, "_allocator", "Ask glibc's malloc to keep freed memory for reuse.", -1, methods,
};

PyMODINIT_FUNC PyInit__allocator(void) { return PyModule_Create(&module_def); }
