"""setuptools entry: the extension is described by build_ffi.py (cffi)."""
from setuptools import Extension, setup

# Both extensions use only CPython 3.9's limited API (cffi builds _nnpy so by
# itself), so a wheel tagged cp39-abi3 serves every CPython from 3.9 on.
LIMITED_API = ("Py_LIMITED_API", "0x03090000")

setup(
    packages=["nnpy"],
    package_data={"nnpy": ["py.typed", "_nnpy.pyi", "_speedups.pyi",
                           "_message.pyi"]},
    # The C sources are in the sdist (MANIFEST.in) to be compiled, not
    # installed.
    exclude_package_data={"nnpy": ["*.c"]},
    cffi_modules=["build_ffi.py:ffibuilder"],
    # The send/recv hot path; it calls the cffi module's core through
    # pointers, so it compiles no core code of its own.
    ext_modules=[Extension("nnpy._speedups", ["nnpy/_speedups.c"],
                           define_macros=[LIMITED_API], py_limited_api=True,
                           extra_compile_args=["-O2"]),
                 # Message: NN_MSG messages through the buffer protocol.
                 Extension("nnpy._message", ["nnpy/_message.c"],
                           define_macros=[LIMITED_API], py_limited_api=True,
                           extra_compile_args=["-O2"])],
    options={"bdist_wheel": {"py_limited_api": "cp39"}},
    zip_safe=False,
)
