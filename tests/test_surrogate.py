"""Surrogate models (climatevis.surrogate) and notebooks/analysis/ml_training.py.

Training data come from the real 5R1C model on a canmet TMY3 file; saved
models are checked for tampering before anything is unpickled; S3 is the
SeaweedFS server of tests/s3server.py.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from climatevis import parametric, surrogate
from climatevis.epw import read_epw
from climatevis.storage import file_sha256
from tests.notebooks import export_html
from tests.s3server import Bucket

INPUTS = ("u_wall", "u_window", "g_value", "wwr_s", "infiltration_ach", "heating_setpoint")


@pytest.fixture(scope="module")
def epw(canmet_epws) -> Path:
    return next((p for p in canmet_epws if "Chicago" in p.name), canmet_epws[0])


@pytest.fixture(scope="module")
def samples(epw) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small Latin hypercube over six inputs, simulated with the 5R1C model."""
    ranges = {k: parametric.PARAMETERS[k].default for k in INPUTS}
    design = parametric.latin_hypercube(ranges, 60, seed=3)
    table = parametric.simulate_5r1c(parametric.SHOEBOX, design, read_epw(epw))
    assert (table["error"] == "").all()
    return table[list(INPUTS)], table[list(surrogate.TARGETS)]


@pytest.fixture(scope="module")
def trained(samples):
    X, Y = samples
    evaluation = surrogate.evaluate(X, Y, kinds=("linear", "quadratic_log"), folds=4)
    return evaluation, surrogate.fit(X, Y, evaluation.best())


def test_cross_validation_scores_and_out_of_fold_predictions(samples, trained):
    X, Y = samples
    evaluation, _ = trained
    scores = evaluation.scores.set_index(["target", "model"])
    assert len(scores) == 4
    for target in surrogate.TARGETS:
        oof = evaluation.predictions[(target, "quadratic_log")]
        y = Y[target].to_numpy()
        # the reported fold means are the scores of these out-of-fold predictions, fold by fold
        r2 = [1 - np.sum((y[te] - oof[te]) ** 2) / np.sum((y[te] - y[te].mean()) ** 2) for _, te in evaluation.folds]
        assert scores.loc[(target, "quadratic_log"), "r2_mean"] == pytest.approx(np.mean(r2))
        assert scores.loc[(target, "quadratic_log"), "mae_mean"] == pytest.approx(
            np.mean([np.abs(y[te] - oof[te]).mean() for _, te in evaluation.folds]))
        # every row is predicted exactly once, by a model that did not see it
        assert sorted(np.concatenate([te for _, te in evaluation.folds])) == list(range(len(X)))
    assert evaluation.best()["cooling_kwh_m2"] == "quadratic_log"


def test_permutation_importance_ranks_the_physical_drivers(samples, trained):
    X, Y = samples
    evaluation, _ = trained
    table = surrogate.importance(evaluation, X, Y, evaluation.best(), repeats=3)
    top = {t: list(g.sort_values("importance", ascending=False)["input"][:2]) for t, g in table.groupby("target")}
    # heating: envelope conductance and air change; cooling: solar aperture
    assert set(top["heating_kwh_m2"]) & {"u_wall", "infiltration_ach", "u_window"}, top
    assert set(top["cooling_kwh_m2"]) & {"g_value", "wwr_s"}, top


def test_outside_ranges_flags_extrapolation(samples, trained):
    X, _ = samples
    _, model = trained
    assert not model.outside_ranges(X).any()  # the training rows span the ranges
    probe = X.iloc[:3].copy()
    probe.loc[probe.index[1], "g_value"] = model.ranges["g_value"][1] + 0.01
    assert list(model.outside_ranges(probe)) == [False, True, False]


def test_save_load_round_trip(tmp_path, samples, trained):
    X, Y = samples
    _, model = trained
    saved = surrogate.save(model, tmp_path / "m", {"training_data_sha256": surrogate.dataset_sha256(X, Y)})
    loaded, meta = surrogate.load(tmp_path / "m", expected_sha256=saved.sha256)
    pd.testing.assert_frame_equal(loaded.predict(X), model.predict(X))
    assert meta["model_sha256"] == saved.sha256
    assert meta["inputs"] == list(INPUTS) and meta["models"] == model.kinds
    assert meta["library_versions"]["scikit-learn"]
    assert not list((tmp_path / "m").glob(".*.tmp"))  # temporary files renamed away
    # the training-data hash changes with any value
    Y2 = Y.copy()
    Y2.iloc[0, 0] += 1e-9
    assert surrogate.dataset_sha256(X, Y2) != meta["training_data_sha256"]


class Exploit:
    """Unpickling this creates a file: proof that a refused model was never unpickled."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "unpickled"))


def test_tampered_model_is_refused_before_unpickling(tmp_path, trained):
    _, model = trained
    saved = surrogate.save(model, tmp_path / "m", {})
    marker = tmp_path / "marker"

    # a changed file: its hash no longer matches model.json
    saved.model_path.write_bytes(pickle.dumps(Exploit(marker)))
    with pytest.raises(surrogate.ModelIntegrityError, match="refusing to load") as err:
        surrogate.load(tmp_path / "m")
    assert saved.sha256 in str(err.value)
    assert not marker.exists()

    # model and metadata replaced together: only a pinned hash catches it
    meta = json.loads(saved.metadata_path.read_text())
    meta["model_sha256"] = file_sha256(saved.model_path)
    saved.metadata_path.write_text(json.dumps(meta))
    with pytest.raises(surrogate.ModelIntegrityError, match="the caller expects"):
        surrogate.load(tmp_path / "m", expected_sha256=saved.sha256)
    assert not marker.exists()

    # one flipped byte in a real model file
    fresh = surrogate.save(model, tmp_path / "n", {})
    data = bytearray(fresh.model_path.read_bytes())
    data[len(data) // 2] ^= 0x01
    fresh.model_path.write_bytes(bytes(data))
    with pytest.raises(surrogate.ModelIntegrityError):
        surrogate.load(tmp_path / "n")


def test_upload_to_s3_and_load_from_there(s3: Bucket, tmp_path, samples, trained):
    X, _ = samples
    _, model = trained
    saved = surrogate.save(model, tmp_path / "m", {"note": "s3 round trip"})
    first = surrogate.upload(saved, s3.url("models/m"))
    assert first.uploaded == ["model.joblib", "model.json"]
    assert surrogate.upload(saved, s3.url("models/m")).uploaded == []  # unchanged: nothing written
    loaded, meta = surrogate.load(s3.url("models/m"), expected_sha256=saved.sha256)
    assert meta["note"] == "s3 round trip"
    pd.testing.assert_frame_equal(loaded.predict(X), model.predict(X))


def test_bad_training_data_is_a_clear_error(samples):
    X, Y = samples
    Y = Y.copy()
    Y.iloc[3, 1] = np.nan  # a failed simulation left in
    with pytest.raises(ValueError, match="1 training rows have missing or infinite values"):
        surrogate.evaluate(X, Y)
    with pytest.raises(ValueError, match="unknown model kind 'forest'"):
        surrogate.make_estimator("forest")


@pytest.mark.slow
def test_notebook_trains_scores_and_saves(tmp_path, epw):
    """The notebook end to end: 150 LHS samples over ten inputs, one EnergyPlus run, every
    model cross-validated, the best saved and verified. SPEC: CV R² >= 0.95 on 5R1C samples."""
    models = tmp_path / "models"
    export_html("ml_training", tmp_path / "ml.html", "--epw", str(epw), "--samples", "150", "--energyplus", "1",
                "--run", "--save", "--name", "test-model", "--model-dir", str(models),
                env={"CLIMATEVIS_ENERGYPLUS_CACHE": str(tmp_path / "cache")})
    loaded, meta = surrogate.load(models / "test-model")
    scores = pd.DataFrame(meta["scores"]).set_index(["target", "model"])
    for target, kind in meta["models"].items():
        assert scores.loc[(target, kind), "r2_mean"] >= 0.95, scores
        assert scores.loc[(target, kind), "r2_mean"] == scores.xs(target)["r2_mean"].max()
    assert set(scores.index.get_level_values("model")) == set(surrogate.MODEL_KINDS)
    assert meta["samples"] == 150 and len(meta["inputs"]) == 10
    assert meta["weather"]["file"] == epw.name
    assert len(meta["training_data_sha256"]) == 64
    assert list(loaded.predict(pd.DataFrame([{k: np.mean(v) for k, v in meta["ranges"].items()}])).columns) == \
        list(surrogate.TARGETS)
