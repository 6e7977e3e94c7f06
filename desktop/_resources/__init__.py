"""Stand-in for the package that carries ``resources/`` inside a wheel.

The build maps the package name ``desktop._resources`` onto the top-level ``resources/`` folder
(pyproject.toml, ``[tool.setuptools.package-dir]`` and ``package-data``), so every file under it,
in any subfolder, is installed as ``desktop/_resources/...``. This file only exists so that the
build's package discovery finds the name; it is not installed (``resources/`` has no ``__init__.py``),
which is how :func:`desktop.core.paths.resources_dir` tells an installed copy from a checkout.
Nothing imports this package.
"""
