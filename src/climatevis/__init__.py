"""climatevis — CES Clean Energy Solutions' engineering library for marimo notebooks.

Modules (import what you need; this package imports nothing on its own, so
that a WASM export bundles only the modules a notebook uses):

* ``epw`` — EnergyPlus weather files (read, validate, write)
* ``assets`` — compact, content-hashed station assets for the WASM demos
* ``charts`` — CES-branded plotly figures
* ``climate`` — psychrometrics, degree days, comfort (adaptive, PMV, UTCI), wind, design
  conditions, climate classification; ``climate_views`` — the climate dashboard's figures
* ``data`` — the weather catalog: verified EPW files from local folders, a mirror or
  upstream (native only)
* ``storage`` — incremental, content-addressed sync with S3 (native only, boto3)
"""

__version__ = "0.1.0"
