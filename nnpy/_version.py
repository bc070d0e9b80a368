"""The one place the version is written: setuptools reads it (pyproject's
dynamic version) and so does ``nnpy.__version__``."""
__version__ = "2.0.0"
