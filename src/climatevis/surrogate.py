"""Surrogate models of annual heating and cooling demand, trained on simulated samples.

A surrogate replaces a building simulation by a regression fitted to
simulated samples (typically a Latin hypercube over the study's parameters,
:func:`climatevis.parametric.latin_hypercube`), so that a design space can be
explored in microseconds per point.

* **Models** (:data:`MODEL_KINDS`): an ordinary least-squares *linear*
  baseline, a *quadratic* response surface (all second-order terms, ridge
  regularised with the penalty chosen by leave-one-out cross-validation —
  the classic response-surface method of building-simulation meta-modelling,
  see Østergård et al. 2018), the same fitted to ``log(1 + y)`` (demands
  behave like products of factors; cooling is fitted much better so), and
  scikit-learn's *gradient boosting* (``HistGradientBoostingRegressor``).
* **Validation** — :func:`evaluate` scores every model on every target by
  k-fold cross-validation (R², MAE) and keeps the out-of-fold predictions
  for parity plots; :func:`importance` is the permutation importance
  (Breiman 2001) on the held-out folds.
* **Persistence** — :func:`save` writes ``model.joblib`` and ``model.json``
  (inputs and ranges, targets, scores, the sha256 of the training data and
  of the model file, library versions) with write-then-rename;
  :func:`load` refuses a model file whose sha256 differs from the one
  recorded (or from one the caller pins) *before* unpickling it;
  :func:`upload` copies a saved model to S3 through :mod:`climatevis.storage`.

Native only (scikit-learn, joblib). Loading a pickle runs code: load models
only from places you trust, and pin ``expected_sha256`` when the metadata
could have been replaced together with the model.

References
----------
* Breiman, L. (2001). Random forests. Machine Learning 45, 5-32 (permutation importance).
* Østergård, T., Jensen, R.L., Maagaard, S.E. (2018). A comparison of six
  metamodeling techniques applied to building performance simulations.
  Applied Energy 211, 89-103.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import platform
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from climatevis.storage import file_sha256, write_atomic

__all__ = [
    "MODEL_KINDS",
    "TARGETS",
    "Evaluation",
    "ModelIntegrityError",
    "SavedModel",
    "Surrogate",
    "dataset_sha256",
    "evaluate",
    "fit",
    "importance",
    "importance_figure",
    "library_versions",
    "load",
    "make_estimator",
    "parity_figure",
    "read_metadata",
    "save",
    "upload",
]

#: What the surrogates predict (per m² of conditioned floor area).
TARGETS: dict[str, str] = {
    "heating_kwh_m2": "Annual heating [kWh/(m²a)]",
    "cooling_kwh_m2": "Annual cooling [kWh/(m²a)]",
}
#: Model families :func:`evaluate` compares.
MODEL_KINDS: dict[str, str] = {
    "linear": "Linear regression (baseline)",
    "quadratic": "Quadratic response surface (ridge)",
    "quadratic_log": "Quadratic response surface of log(1 + y)",
    "gradient_boosting": "HistGradientBoosting",
}
MODEL_FILE, METADATA_FILE = "model.joblib", "model.json"
FORMAT = 1


class ModelIntegrityError(ValueError):
    """A saved model whose bytes do not match its recorded (or pinned) sha256, or unreadable metadata."""


def make_estimator(kind: str, seed: int = 0) -> Any:
    """An unfitted scikit-learn regressor of ``kind`` (a key of :data:`MODEL_KINDS`)."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LinearRegression, RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures, StandardScaler

    if kind == "linear":
        return make_pipeline(StandardScaler(), LinearRegression())
    if kind == "quadratic":
        return make_pipeline(StandardScaler(), PolynomialFeatures(2, include_bias=False),
                             RidgeCV(alphas=np.logspace(-6, 3, 28)))
    if kind == "quadratic_log":
        # demands are roughly products of factors (area × U × degree hours, gains × g-value):
        # a quadratic in log space captures that, and predictions stay above -1
        from sklearn.compose import TransformedTargetRegressor

        return TransformedTargetRegressor(make_estimator("quadratic", seed), func=np.log1p,
                                          inverse_func=np.expm1)
    if kind == "gradient_boosting":
        # small leaves and a moderate learning rate: training sets are hundreds, not millions
        return HistGradientBoostingRegressor(max_iter=300, learning_rate=0.08, min_samples_leaf=5,
                                             l2_regularization=1e-3, random_state=seed)
    raise ValueError(f"unknown model kind {kind!r} (known: {', '.join(MODEL_KINDS)})")


def _check_xy(X: pd.DataFrame, Y: pd.DataFrame, targets: Sequence[str]) -> None:
    missing = [t for t in targets if t not in Y]
    if missing:
        raise ValueError(f"training data has no target columns {missing}")
    if len(X) != len(Y):
        raise ValueError(f"{len(X)} input rows but {len(Y)} target rows")
    bad = ~np.isfinite(X.to_numpy(dtype=float)).all(axis=1) | ~np.isfinite(Y[list(targets)].to_numpy(dtype=float)).all(axis=1)
    if bad.any():
        raise ValueError(f"{int(bad.sum())} training rows have missing or infinite values (drop failed simulations first)")


def _threads() -> Any:
    """Limit BLAS/OpenMP to one thread: the fits are small, and oversubscribed OpenMP
    spin-waiting on a shared machine makes them 10-100× slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(1)


# --------------------------------------------------------------------------- validation


@dataclass
class Evaluation:
    """Cross-validation of every (target, model kind).

    ``scores``: one row per (target, model) with ``r2_mean, r2_std, mae_mean,
    mae_std`` (MAE in the target's unit) and ``fit_s`` (mean seconds per fit);
    ``predictions[(target, kind)]``: out-of-fold predictions aligned with
    the rows; ``folds``: the (train, test) index arrays used.
    """

    scores: pd.DataFrame
    predictions: dict[tuple[str, str], np.ndarray]
    folds: list[tuple[np.ndarray, np.ndarray]]
    fold_models: dict[tuple[str, str], list[Any]] = field(repr=False, default_factory=dict)

    def best(self) -> dict[str, str]:
        """Per target, the model kind with the highest mean cross-validated R²."""
        ranked = self.scores.sort_values("r2_mean", ascending=False)
        return {t: str(g["model"].iloc[0]) for t, g in ranked.groupby("target", sort=False)}


def evaluate(X: pd.DataFrame, Y: pd.DataFrame, *, targets: Sequence[str] = tuple(TARGETS),
             kinds: Sequence[str] = tuple(MODEL_KINDS), folds: int = 5, seed: int = 0) -> Evaluation:
    """k-fold cross-validation (shuffled, ``seed``) of every model kind on every target.

    R² = 1 − Σ(y − ŷ)²/Σ(y − ȳ)² and MAE = mean|y − ŷ| on each held-out fold.
    """
    from sklearn.base import clone
    from sklearn.metrics import mean_absolute_error, r2_score
    from sklearn.model_selection import KFold

    _check_xy(X, Y, targets)
    if folds < 2 or folds > len(X):
        raise ValueError(f"folds must be between 2 and the {len(X)} samples, got {folds}")
    splits = list(KFold(folds, shuffle=True, random_state=seed).split(X))
    x = X.to_numpy(dtype=float)
    rows, predictions, models = [], {}, {}
    with _threads():
        for target in targets:
            y = Y[target].to_numpy(dtype=float)
            for kind in kinds:
                template = make_estimator(kind, seed)
                oof = np.empty(len(y))
                r2, mae, fitted, seconds = [], [], [], 0.0
                for train, test in splits:
                    started = time.perf_counter()
                    est = clone(template).fit(x[train], y[train])
                    seconds += time.perf_counter() - started
                    oof[test] = est.predict(x[test])
                    r2.append(r2_score(y[test], oof[test]))
                    mae.append(mean_absolute_error(y[test], oof[test]))
                    fitted.append(est)
                predictions[(target, kind)] = oof
                models[(target, kind)] = fitted
                rows.append({"target": target, "model": kind, "r2_mean": float(np.mean(r2)),
                             "r2_std": float(np.std(r2)), "mae_mean": float(np.mean(mae)),
                             "mae_std": float(np.std(mae)), "fit_s": seconds / len(splits)})
    return Evaluation(pd.DataFrame(rows), predictions, splits, models)


def importance(evaluation: Evaluation, X: pd.DataFrame, Y: pd.DataFrame, kinds: Mapping[str, str], *,
               repeats: int = 5, seed: int = 0) -> pd.DataFrame:
    """Permutation importance of each input for the chosen model of each target.

    For every fold, the fold's model is scored (R²) on its held-out rows
    with one input column shuffled, ``repeats`` times; the importance is the
    mean drop of R² over folds and repeats (Breiman 2001). Columns:
    ``target, input, importance, std``.
    """
    from sklearn.inspection import permutation_importance

    x = X.to_numpy(dtype=float)
    rows = []
    with _threads():
        for target, kind in kinds.items():
            y = Y[target].to_numpy(dtype=float)
            drops = []
            for est, (_train, test) in zip(evaluation.fold_models[(target, kind)], evaluation.folds, strict=True):
                r = permutation_importance(est, x[test], y[test], scoring="r2", n_repeats=repeats,
                                           random_state=seed)
                drops.append(r.importances)
            all_drops = np.concatenate(drops, axis=1)
            for name, values in zip(X.columns, all_drops, strict=True):
                rows.append({"target": target, "input": name, "importance": float(values.mean()),
                             "std": float(values.std())})
    return pd.DataFrame(rows).sort_values(["target", "importance"], ascending=[True, False], ignore_index=True)


# --------------------------------------------------------------------------- the model


@dataclass
class Surrogate:
    """Fitted regressors, one per target, over named ``inputs`` with their training ``ranges``."""

    inputs: list[str]
    ranges: dict[str, tuple[float, float]]
    kinds: dict[str, str]
    estimators: dict[str, Any] = field(repr=False)

    def predict(self, X: pd.DataFrame) -> pd.DataFrame:
        """Predicted targets for the rows of ``X`` (columns: at least :attr:`inputs`)."""
        missing = [c for c in self.inputs if c not in X]
        if missing:
            raise ValueError(f"surrogate inputs missing: {missing}")
        x = X[self.inputs].to_numpy(dtype=float)
        with _threads():
            return pd.DataFrame({t: est.predict(x) for t, est in self.estimators.items()}, index=X.index)

    def outside_ranges(self, X: pd.DataFrame) -> pd.Series:
        """True for rows with an input outside the training range (extrapolation: do not trust)."""
        out = pd.Series(False, index=X.index)
        for name, (low, high) in self.ranges.items():
            out |= (X[name] < low) | (X[name] > high)
        return out


def fit(X: pd.DataFrame, Y: pd.DataFrame, kinds: Mapping[str, str], *,
        ranges: Mapping[str, tuple[float, float]] | None = None, seed: int = 0) -> Surrogate:
    """Fit the model ``kinds[target]`` for each target on all rows.

    ``ranges`` (default: the data's min and max) are the inputs' study ranges.
    """
    _check_xy(X, Y, list(kinds))
    x = X.to_numpy(dtype=float)
    with _threads():
        estimators = {t: make_estimator(k, seed).fit(x, Y[t].to_numpy(dtype=float)) for t, k in kinds.items()}
    if ranges is None:
        ranges = {c: (float(X[c].min()), float(X[c].max())) for c in X}
    return Surrogate(inputs=list(X.columns), ranges={k: (float(a), float(b)) for k, (a, b) in ranges.items()},
                     kinds=dict(kinds), estimators=estimators)


def dataset_sha256(X: pd.DataFrame, Y: pd.DataFrame) -> str:
    """sha256 of the training data: inputs and targets as CSV (17 significant digits, ``\\n``)."""
    table = pd.concat([X.reset_index(drop=True), Y.reset_index(drop=True)], axis=1)
    text = table.to_csv(index=False, float_format="%.17g", lineterminator="\n")
    return hashlib.sha256(text.encode()).hexdigest()


def library_versions() -> dict[str, str]:
    """Versions of Python and the libraries a saved model depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in ("climatevis", "scikit-learn", "joblib", "numpy", "pandas", "scipy"):
        with contextlib.suppress(PackageNotFoundError):
            out[name] = version(name)
    return out


# --------------------------------------------------------------------------- saving and loading


@dataclass(frozen=True)
class SavedModel:
    """Where :func:`save` put a model, and the sha256 of the model file."""

    directory: Path
    model_path: Path
    metadata_path: Path
    sha256: str


def save(surrogate: Surrogate, directory: str | os.PathLike[str], metadata: Mapping[str, Any]) -> SavedModel:
    """Write ``model.joblib`` and ``model.json`` into ``directory`` (each written to a
    temporary name, then renamed; the model first, so the metadata never names a
    model that is not there).

    ``model.json`` holds ``metadata`` (e.g. the training-data hash, scores,
    the base building, the weather) plus ``inputs``, ``ranges``, ``models``,
    ``library_versions``, ``created`` (UTC), ``model_file`` and ``model_sha256``.
    """
    import joblib

    folder = Path(directory)
    model_path, meta_path = folder / MODEL_FILE, folder / METADATA_FILE
    write_atomic(model_path, lambda fh: joblib.dump(surrogate, fh, compress=3))
    digest = file_sha256(model_path)
    payload = {
        "format": FORMAT,
        **metadata,
        "inputs": surrogate.inputs,
        "ranges": {k: list(v) for k, v in surrogate.ranges.items()},
        "models": surrogate.kinds,
        "library_versions": library_versions(),
        "created": _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "model_file": MODEL_FILE,
        "model_sha256": digest,
    }
    text = json.dumps(payload, indent=2, default=_json_default) + "\n"
    write_atomic(meta_path, text.encode("utf-8"))
    return SavedModel(folder, model_path, meta_path, digest)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in model metadata")


def read_metadata(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``model.json`` of a saved model."""
    path = Path(directory) / METADATA_FILE
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelIntegrityError(f"{path}: no model metadata") from None
    except (OSError, ValueError) as err:
        raise ModelIntegrityError(f"{path}: unreadable model metadata ({err})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or "model_sha256" not in meta:
        raise ModelIntegrityError(f"{path}: not climatevis surrogate metadata (format {FORMAT})")
    return meta


def load(location: str | os.PathLike[str], *, expected_sha256: str | None = None) -> tuple[Surrogate, dict[str, Any]]:
    """Load a saved model (a folder, or ``s3://bucket/prefix`` of one) after verifying it.

    The sha256 of ``model.joblib`` must equal ``model_sha256`` in
    ``model.json`` and, when given, ``expected_sha256``; otherwise
    :class:`ModelIntegrityError` names both hashes and nothing is unpickled.
    A model saved with another scikit-learn version loads with a warning.
    Returns the surrogate and its metadata.
    """
    text = os.fspath(location)
    if text.lower().startswith("s3://"):
        from climatevis.storage import sync

        with tempfile.TemporaryDirectory(prefix="climatevis-model-") as tmp:
            sync(text, tmp, exclude=())
            return load(tmp, expected_sha256=expected_sha256)
    import warnings

    import joblib

    folder = Path(text)
    meta = read_metadata(folder)
    model_path = folder / str(meta.get("model_file", MODEL_FILE))
    if model_path.parent != folder:
        raise ModelIntegrityError(f"{folder / METADATA_FILE}: model_file must be a plain file name")
    try:
        actual = file_sha256(model_path)
    except OSError as err:
        raise ModelIntegrityError(f"{model_path}: cannot read the model ({err})") from None
    for label, wanted in (("model.json records", meta["model_sha256"]), ("the caller expects", expected_sha256)):
        if wanted is not None and actual != str(wanted).lower():
            raise ModelIntegrityError(f"{model_path}: sha256 {actual} but {label} {wanted}: "
                                      "the file was changed or damaged, refusing to load it")
    saved = meta.get("library_versions", {}).get("scikit-learn")
    current = library_versions().get("scikit-learn")
    if saved and current and saved != current:
        warnings.warn(f"{model_path}: saved with scikit-learn {saved}, loading with {current}", stacklevel=2)
    model = joblib.load(model_path)
    if not isinstance(model, Surrogate):
        raise ModelIntegrityError(f"{model_path}: holds a {type(model).__name__}, not a Surrogate")
    return model, meta


def upload(saved: SavedModel | str | os.PathLike[str], destination: str, *, dry_run: bool = False) -> Any:
    """Copy a saved model's folder to ``destination`` (``s3://bucket/prefix``) incrementally
    (:func:`climatevis.storage.sync`: objects carry their sha256; unchanged files are skipped)."""
    from climatevis.storage import sync

    folder = saved.directory if isinstance(saved, SavedModel) else Path(saved)
    return sync(folder, destination, dry_run=dry_run)


# --------------------------------------------------------------------------- figures


def parity_figure(actual: np.ndarray, predicted: Mapping[str, np.ndarray], title: str | None = None,
                  unit: str = "kWh/(m²a)"):
    """Predicted (cross-validated) against simulated values, one trace per model, with the 1:1 line."""
    import plotly.graph_objects as go

    from climatevis.charts import MUTED, _layout

    lo = float(min(np.min(actual), *(np.min(p) for p in predicted.values())))
    hi = float(max(np.max(actual), *(np.max(p) for p in predicted.values())))
    fig = go.Figure()
    fig.add_scatter(x=[lo, hi], y=[lo, hi], mode="lines", name="1:1", line=dict(color=MUTED, dash="dot"))
    for name, values in predicted.items():
        fig.add_scatter(x=actual, y=values, mode="markers", name=name, marker=dict(size=5, opacity=0.7),
                        hovertemplate="simulated %{x:.1f}<br>predicted %{y:.1f}<extra>" + name + "</extra>")
    fig.update_layout(xaxis_title=f"simulated [{unit}]", yaxis_title=f"predicted [{unit}]", legend_y=-0.25)
    return _layout(fig, title, 400)


def importance_figure(table: pd.DataFrame, target: str, title: str | None = None):
    """Horizontal bars of the permutation importance (drop of R²) of each input for ``target``."""
    import plotly.graph_objects as go

    from climatevis.charts import _layout

    rows = table[table["target"] == target].sort_values("importance")
    fig = go.Figure(go.Bar(x=rows["importance"], y=rows["input"], orientation="h",
                           error_x=dict(type="data", array=rows["std"], visible=True),
                           hovertemplate="%{y}: %{x:.3f}<extra></extra>"))
    fig.update_layout(xaxis_title="drop of R² when shuffled", yaxis_title=None, showlegend=False)
    return _layout(fig, title, 60 + 28 * max(len(rows), 3))
