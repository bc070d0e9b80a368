"""setuptools entry: the extension is described by build_ffi.py (cffi)."""
from setuptools import Extension, setup

setup(
    packages=["nnpy"],
    package_data={"nnpy": ["py.typed", "_nnpy.pyi", "_speedups.pyi", "_message.pyi"]},
    cffi_modules=["build_ffi.py:ffibuilder"],
    # The send/recv hot path; it calls the cffi module's core through
    # pointers, so it compiles no core code of its own.
    ext_modules=[Extension("nnpy._speedups", ["nnpy/_speedups.c"],
                           extra_compile_args=["-O2"]),
                 Extension("nnpy._message", ["nnpy/_message.c"], py_limited_api=True, define_macros=[("Py_LIMITED_API", "0x03090000")], extra_compile_args=["-O2"]),  # noqa: E501  NN_MSG messages (helper async)
                 ],
    zip_safe=False,
)
