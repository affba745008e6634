"""actlab's three small compiled modules (everything else is declared in pyproject.toml).

- ``actlab.activations._fused`` (code/actlab/activations/_fused.c): float32 activations
  (and exp, tanh), one pass over memory each;
- ``actlab._allocator`` (code/actlab/_allocator.c): keeps freed memory for reuse;
- ``actlab.nn._adam`` (code/actlab/nn/_adam.c): Adam's update in one pass.

``_fused`` is compiled for AVX2 with glibc's vector math library (libmvec) when this
machine has both, and with the C library's functions otherwise.
"""

import os
import platform
import sys

import numpy
from setuptools import Extension, setup

LIBMVEC = sys.platform.startswith("linux") and platform.machine() in ("x86_64", "AMD64")


def _glibc_at_least(major: int, minor: int) -> bool:
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION") or ""  # "glibc 2.36"
    except (ValueError, OSError):
        return False
    parts = version.split()[-1].split(".") if version.startswith("glibc") else []
    return len(parts) >= 2 and (int(parts[0]), int(parts[1])) >= (major, minor)


def _cpu_has(*flags: str) -> bool:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            words = set(next(line for line in cpuinfo if line.startswith("flags")).split())
    except (OSError, StopIteration):
        return False
    return all(flag in words for flag in flags)


#: The vector ABI of libmvec's AVX2 functions needs AVX2 code around the calls.
FUSED_AVX2 = LIBMVEC and _glibc_at_least(2, 35) and _cpu_has("avx2", "fma")

setup(
    ext_modules=[
        Extension(
            "actlab.activations._fused",
            sources=["code/actlab/activations/_fused.c"],
            depends=[f"code/actlab/activations/{h}" for h in ("_f32math.h", "_f32gelu.h", "_softmax.h")],
            include_dirs=[numpy.get_include()],
            define_macros=[("ACTLAB_LIBMVEC", "1" if FUSED_AVX2 else "0")],
            libraries=(["mvec"] if FUSED_AVX2 else []) + ["m"],
            # -fschedule-insns: GCC's x86 default leaves instruction order to the processor; the
            # kernels' long dependency chains run 2-9% faster scheduled (same results).
            extra_compile_args=["-O2", "-fno-math-errno", "-Wno-psabi", "-fschedule-insns", "-fsched-pressure"]
            + (["-mavx2", "-mfma"] if FUSED_AVX2 else []),
        ),
        Extension("actlab._allocator", sources=["code/actlab/_allocator.c"], extra_compile_args=["-O2"]),
        Extension(
            "actlab.nn._adam",
            sources=["code/actlab/nn/_adam.c"],
            include_dirs=[numpy.get_include()],
            extra_compile_args=["-O3", "-fno-math-errno"],  # so that the loop vectorizes (sqrt without errno)
        ),
    ]
)
