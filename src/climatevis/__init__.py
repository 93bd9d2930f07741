"""climatevis — CES Clean Energy Solutions' engineering library for marimo notebooks.

Modules (import what you need; this package imports nothing on its own, so
that a WASM export bundles only the modules a notebook uses).

For the demos (numpy/pandas/plotly only, they run in Pyodide):

* ``epw`` — EnergyPlus weather files (read, validate, write)
* ``assets`` — compact, content-hashed station assets for the WASM demos
* ``charts`` — CES-branded plotly figures; ``fmt`` — numbers with units for people
* ``climate`` — psychrometrics, degree days, comfort (adaptive, PMV, UTCI), wind, design
  conditions, climate classification; ``climate_views`` — the climate dashboard's figures
* ``solar`` — solar position, plane-of-array irradiance, PVWatts v8; ``finance`` — PV economics
* ``building`` — the hourly ISO 13790 5R1C model; ``building_charts`` — its figures

Native only (the engineers' server, the build, the analysis notebooks):

* ``data`` — the weather catalog: verified EPW files from local folders, a mirror or upstream
* ``storage`` — incremental, content-addressed sync with S3 (boto3)
* ``energyplus`` — epJSON models, EnergyPlus runs with a cache; ``parametric`` — sweeps and
  Latin hypercube studies in 5R1C and EnergyPlus; ``surrogate`` — regression surrogates
* ``pipeline`` — the weather ETL; ``cli`` — the ``climatevis`` command line
* ``server`` — every notebook as an app and an editor behind one password
"""

__version__ = "0.1.0"
