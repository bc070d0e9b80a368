"""setuptools entry: the extension is described by build_ffi.py (cffi)."""
from setuptools import setup

setup(
    packages=["nnpy"],
    package_data={"nnpy": ["py.typed", "_nnpy.pyi"]},
    cffi_modules=["build_ffi.py:ffibuilder"],
    zip_safe=False,
)
