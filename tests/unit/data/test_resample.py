"""Resampling (seeded, reproducible, held against its contract), the link keys of
typed values, the symbol counted as 1 and a resample, and the CLI's `-` and --one."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import urllib.parse

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bernoulli.data import samples
from bernoulli.data.samples import DataError, Source
from bernoulli.engine.optimize import Settings
from bernoulli.io import export, share
from tests.helpers import ROOT

# --- data.resample ---------------------------------------------------------------------------


def test_parametric_resample_follows_its_contract():
    base = samples.notebook_sample()
    r = samples.resample(base, "parametric", 7)
    draws = np.random.Generator(np.random.PCG64(7)).random(200)
    np.testing.assert_array_equal(r.values, (draws < 0.725).astype(np.uint8))
    assert r.n == 200 and r.k == int((draws < 0.725).sum())
    assert r.source == "notebook sample, resampled (drawn from p̂, seed 7)"
    assert r.origin == Source(resample="parametric", resample_seed=7)
    assert r.key == "notebook|resample:parametric:7"


def test_bootstrap_resample_follows_its_contract():
    base = samples.from_text("HHTHTTHHHH")
    r = samples.resample(base, "bootstrap", 3)
    at = np.random.Generator(np.random.PCG64(3)).integers(0, 10, 10)
    np.testing.assert_array_equal(r.values, base.values[at])
    assert r.origin == Source("text", text="HHTHTTHHHH", resample="bootstrap", resample_seed=3)
    assert r.source.endswith(", resampled (bootstrap of the data, seed 3)")


def test_resample_is_reproducible_and_moves_p_hat():
    base = samples.notebook_sample()
    for method in samples.RESAMPLES:
        a, b = samples.resample(base, method, 1), samples.resample(base, method, 1)
        np.testing.assert_array_equal(a.values, b.values)
        ks = {samples.resample(base, method, seed).k for seed in range(1, 11)}
        assert len(ks) > 3 and ks != {145}  # p̂ moves from sample to sample


def test_resample_mean_is_near_p_hat():
    base = samples.generate(1_000_000, 0.3, 1)
    se = math.sqrt(0.3 * 0.7 / base.n)
    for method in samples.RESAMPLES:
        assert abs(samples.resample(base, method, 2).mean - base.mean) < 5 * se


def test_resample_edges_and_refusals():
    ones = samples.from_text("1 1 1")
    assert samples.resample(ones, "parametric", 0).k == 3  # p̂ = 1: all ones
    assert samples.resample(ones, "bootstrap", 0).k == 3
    with pytest.raises(DataError, match="seed must not be negative"):
        samples.resample(ones, "bootstrap", -1)
    with pytest.raises(DataError, match="resample by parametric, bootstrap"):
        samples.resample(ones, "jackknife", 1)
    with pytest.raises(ValueError, match="a resample already"):
        samples.resample(samples.resample(ones, "bootstrap", 1), "bootstrap", 2)
    with pytest.raises(DataError, match="needs the values"):
        samples.resample(samples.Sample(3, 1, None, "counts"), "bootstrap", 1)


@settings(max_examples=50, deadline=None)
@given(
    values=st.lists(st.integers(0, 1), min_size=1, max_size=300),
    seed=st.integers(0, 2**40),
    method=st.sampled_from(sorted(samples.RESAMPLES)),
)
def test_resample_is_a_sample_of_the_same_n(values, seed, method):
    base = samples.from_text(" ".join(map(str, values)))
    r = samples.resample(base, method, seed)
    assert r.n == base.n and r.k == int(r.values.sum())
    if method == "bootstrap":  # drawn from the data: only values the data have
        assert set(r.values.tolist()) <= set(values)


def test_a_resample_exports_its_own_values():
    r = samples.resample(samples.notebook_sample(), "bootstrap", 2)
    script = export.torch_script(r, Settings(optimizer="sgd"))
    assert f"a resample of the data: n = 200 values, k = {r.k} ones" in script
    digits = "".join(map(str, r.values.tolist()))
    assert digits[:80] in script.replace('"\n    "', "")


# --- the link ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, params",
    [
        (Source("text", text="HHTHT"), {"data": "text", "text": "HHTHT"}),
        (
            Source("text", text="H T\nT", one="T"),
            {"data": "text", "text": "H T\nT", "one": "T"},
        ),
        (Source("upload", one="no"), {"data": "upload", "one": "no"}),
        (
            Source(resample="bootstrap", resample_seed=4),
            {"resample": "bootstrap", "resample_seed": "4"},
        ),
        (
            Source("generate", 50, 0.5, 1, resample="parametric", resample_seed=9),
            {
                "data": "generate",
                "n": "50",
                "true_p": "0.5",
                "data_seed": "1",
                "resample": "parametric",
                "resample_seed": "9",
            },
        ),
    ],
)
def test_link_carries_text_one_and_resample(source, params):
    assert share.encode(source, Settings()) == params
    decoded = share.decode(params)
    assert decoded.source == source
    assert decoded.notes == (() if source.kind != "upload" else (share.UPLOAD_NOTE,))


def test_a_text_link_rebuilds_its_sample():
    typed = samples.from_text("HHTHTTHHHH", one="T")
    resampled = samples.resample(typed, "bootstrap", 5)
    url = share.link("http://x/", share.encode(resampled.origin, Settings()))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    source = share.decode(query).source
    rebuilt = samples.resample(samples.from_text(source.text, one=source.one), source.resample, 5)
    assert rebuilt.key == resampled.key
    np.testing.assert_array_equal(rebuilt.values, resampled.values)


@pytest.mark.parametrize(
    "params, note",
    [
        ({"data": "text"}, share.TEXT_NOTE),
        ({"text": "1 0"}, 'Ignored text="1 0": only used with data=text.'),
        ({"one": "H"}, 'Ignored one="H": only used with data=text or data=upload.'),
        ({"resample": "bootstrap"}, 'Ignored resample="bootstrap": needs resample_seed too.'),
        ({"resample_seed": "3"}, 'Ignored resample_seed="3": needs resample too.'),
        (
            {"resample": "x", "resample_seed": "3"},
            'Ignored resample="x": must be one of parametric, bootstrap.',
        ),
        (
            {"data": "text", "text": "1" * (samples.MAX_LINK_TEXT + 1)},
            f'Ignored text="{"1" * 40}…": too long ({samples.MAX_LINK_TEXT + 1:,} characters).',
        ),
    ],
)
def test_bad_sample_keys_are_noted(params, note):
    assert note in share.decode(params).notes


# --- the CLI -------------------------------------------------------------------------------


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bernoulli", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_reads_standard_input():
    result = cli("stability", "-", "--format", "json", stdin="HHTHTTHHHH\n")
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["n"], out["k"], out["mle"]) == (10, 7, 0.7)
    assert out["source"] == "standard input, letters, 1 = H"
    assert out["reading"] == "Read as 10 letters, one value each; 1 = H, 0 = T; p = P(H)."


def test_cli_one_says_which_symbol_is_one(tmp_path):
    path = tmp_path / "flips.txt"
    path.write_text("H\nT\nT\nH\nT\n")
    out = json.loads(cli("stability", str(path), "--one", "T", "--format", "json").stdout)
    assert (out["n"], out["k"]) == (5, 3)
    table = cli("stability", str(path)).stdout
    assert f"data: {path}, 1 = H: n = 5, k = 2" in table
    assert "Read as 5 values, one a line; 1 = H, 0 = T; p = P(H)." in table


def test_cli_reads_a_row_and_the_notebooks_printout(tmp_path):
    path = tmp_path / "row.csv"
    path.write_text("1,0,1,1,0,1\n")
    out = json.loads(cli("stability", str(path), "--format", "json").stdout)
    assert (out["n"], out["k"]) == (6, 4)
    values = samples.notebook_sample().values.astype(np.float32)
    printed = np.array2string(values, separator=", ", threshold=10_000)
    result = cli("fit", "-", "--format", "json", "--every", "1000", stdin=printed)
    out = json.loads(result.stdout)
    assert (out["n"], out["k"], out["mle"]) == (200, 145, 0.725)


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (("stability", "-"), "H\nT\nX\n", 'error: standard input line 3: "X" is not H or T'),
        (
            ("stability", "-", "--one", "W"),
            "H T",
            'error: standard input "W" is not one of the symbols (H and T): choose H or T as 1',
        ),
        (("stability", "notebook", "--one", "T"), None, "error: --one only applies to a file"),
        (("stability", "-"), "", "error: standard input is empty"),
    ],
)
def test_cli_errors_in_one_line(args, stdin, message):
    result = cli(*args, stdin=stdin or "")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [message]
