"""The settings table is the one schema: Settings, the link and the command line agree with it."""

from __future__ import annotations

import ast
import dataclasses
import math
import pickle
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from bernoulli import settings as schema
from bernoulli.cli import commands
from bernoulli.data.samples import Source
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.io import share

ROOT = Path(__file__).resolve().parents[2]
NUMBERS = [f for f in schema.RUN if f.kind != "choice"]
CHOICES = [f for f in schema.RUN if f.kind == "choice"]


def test_settings_fields_and_defaults_are_the_table():
    assert [f.name for f in dataclasses.fields(Settings)] == [f.name for f in schema.RUN]
    assert Settings() == Settings(**schema.DEFAULTS)
    assert {name: getattr(Settings(), name) for name in schema.FIELDS} == schema.DEFAULTS
    assert Settings().p0 == schema.NOTEBOOK_P0
    assert tuple(schema.FIELDS["optimizer"].choices) == optimize.OPTIMIZERS
    assert tuple(schema.FIELDS["param"].choices) == optimize.PARAMS
    assert tuple(schema.FIELDS["loss"].choices) == optimize.LOSSES
    assert tuple(optimize.DTYPES) == tuple(schema.FIELDS["dtype"].choices)
    assert schema.FIELDS["steps"].high == optimize.MAX_STEPS


def test_settings_is_a_plain_dataclass_of_the_table_rows():
    kinds = {"float": float, "int": int, "choice": str}
    hints = typing.get_type_hints(Settings)
    fields = dataclasses.fields(Settings)
    assert [(f.name, f.default, hints[f.name]) for f in fields] == [
        (row.name, row.default, kinds[row.kind] | None if row.none else kinds[row.kind])
        for row in schema.RUN
    ]
    assert Settings is schema.Settings and Settings.__module__ == "bernoulli.settings"
    assert Settings.__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings().lr = 1.0  # type: ignore[misc]
    changed = Settings(lr=0.5, p0=None, optimizer="adam", dtype="float64")
    assert pickle.loads(pickle.dumps(changed)) == changed  # the page's cache pickles it


def test_the_link_and_the_table_load_without_torch():
    code = "import sys, bernoulli.io.share, bernoulli.settings; print('torch' in sys.modules)"
    root = Path(schema.__file__).parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"


def test_every_row_is_complete_for_a_widget():
    keys = [f.key for f in (*schema.RUN, *schema.GENERATE)]
    assert len(keys) == len(set(keys))  # one link key per field
    for f in (*schema.RUN, *schema.GENERATE):
        assert f.label and f.help.endswith(".") and f.kind in ("float", "int", "choice")
        if f.kind == "choice":
            assert f.default in f.choices and f.low is None and f.high is None
            continue
        assert f.low < f.high and f.low <= f.default <= f.high
        assert isinstance(f.low, int) == (f.kind == "int") == isinstance(f.high, int)
        low, high = f.bounds  # the library's range holds the widgets'
        assert low is None or low <= f.low
        assert high is None or f.high <= high
    assert {f.name: f.default for f in schema.GENERATE} == schema.GENERATE_DEFAULTS


@pytest.mark.parametrize("f", NUMBERS, ids=lambda f: f.name)
def test_settings_accept_the_widget_range_and_reject_beyond_the_library(f):
    for end in (f.low, f.high):
        assert getattr(Settings().replace(**{f.name: end}), f.name) == end
    low, high = f.bounds
    step = 1 if f.kind == "int" else 1e-9
    bad = [math.nan, math.inf, "0.5"] if f.kind == "float" else [1.5, "1", True]
    if low is not None:
        bad.append(low if "low" in f.open else low - step)
    if high is not None:
        bad.append(high if "high" in f.open else high + step)
    for x in bad:
        with pytest.raises(ValueError, match=f"^{f.noun or f.name} must be "):
            Settings().replace(**{f.name: x})


@pytest.mark.parametrize("f", CHOICES, ids=lambda f: f.name)
def test_settings_take_every_choice_and_nothing_else(f):
    for choice in f.choices:
        assert getattr(Settings().replace(**{f.name: choice}), f.name) == choice
    with pytest.raises(ValueError, match=f"^{f.name} must be .*, not 'other'$"):
        Settings().replace(**{f.name: "other"})


def test_problem_words():
    fields = schema.FIELDS
    assert fields["lr"].problem(0.0) == "learning rate must be a positive number, not 0.0"
    assert fields["beta"].problem(1.0) == "beta must be in [0, 1), not 1.0"
    assert fields["steps"].problem(0) == "steps must be a whole number from 1 to 100,000, not 0"
    assert fields["batch_size"].problem(0) == "batch size must be a whole number >= 1, not 0"
    assert fields["p0"].problem(math.inf) == "p0 must be a finite number, not inf"
    assert fields["p0"].problem(None) is None and fields["lr"].problem(None) is not None
    assert fields["param"].problem("x") == 'param must be "p" or "logit", not \'x\''
    assert fields["optimizer"].problem("x").startswith("optimizer must be one of gd, momentum")
    assert fields["seed"].problem(2**64) is not None and fields["seed"].problem(2**64 - 1) is None


def test_the_link_reads_its_keys_and_bounds_from_the_table():
    assert {
        f.key: (f.low, f.high) for f in (*schema.RUN, *schema.GENERATE) if f.kind != "choice"
    } == share.BOUNDS
    assert {key: name for key, (name, _) in share._SETTINGS.items()} == {
        f.key: f.name for f in schema.RUN
    }
    assert {key: name for key, (name, _) in share._DATA.items()} == {
        f.key: f.name for f in schema.GENERATE
    }
    assert share.GENERATE_DEFAULTS == schema.GENERATE_DEFAULTS
    assert schema.LINK["resample_seed"].high == schema.MAX_WIDGET_INT == 2**53 - 1
    assert share.Source is Source


def test_the_links_every_key_is_in_the_table():
    rows = (*schema.SAMPLE_LINK, *schema.PAGE_LINK)
    keys = [f.key for f in (*schema.RUN, *schema.GENERATE)] + [row.key for row in rows]
    assert len(keys) == len(set(keys))  # one key per setting
    assert share._KEYS | {row.key for row in schema.PAGE_LINK} == set(keys)
    kinds = {"choice", "int", "text", "symbol", "flag", "card", "cards", "code"}
    for row in rows:
        assert row.kind in kinds and schema.LINK[row.key] is row
        assert (row.kind == "choice") == bool(row.choices)
        assert (row.kind == "flag") == bool(row.words)
        assert (row.kind in ("int", "text", "symbol", "code")) == (row.high is not None)
    assert schema.LINK["view"].choices == tuple(schema.VIEWS)
    assert schema.LINK["data"].default == Source().kind


@pytest.mark.parametrize("f", schema.RUN, ids=lambda f: f.name)
def test_the_link_round_trips_every_field_at_its_bounds(f):
    values = list(f.choices) if f.kind == "choice" else [f.low, f.high]
    values += [None] if f.none else []
    for value in values:
        settings = Settings().replace(**{f.name: value})
        got = share.decode(share.encode(Source(), settings))
        assert got.notes == () and got.settings == settings
        assert repr(getattr(got.settings, f.name)) == repr(value)


@pytest.mark.parametrize("f", schema.GENERATE, ids=lambda f: f.name)
def test_the_link_round_trips_a_generated_sample_at_its_bounds(f):
    for value in (f.low, f.high):
        source = Source("generate", **(schema.GENERATE_DEFAULTS | {f.name: value}))
        got = share.decode(share.encode(source, Settings()))
        assert got.notes == () and got.source == source


def test_command_line_defaults_and_choices_are_the_table():
    args = commands.build_parser().parse_args(["fit", "notebook"])
    assert {f.name: getattr(args, f.name) for f in schema.RUN} == schema.DEFAULTS
    for f in CHOICES:
        for choice in f.choices:
            args = commands.build_parser().parse_args(["fit", "notebook", f.cli, choice])
            assert getattr(args, f.name) == choice
    args = commands.build_parser().parse_args(["fit", "notebook", "--p0", "Random", "--seed", "3"])
    assert args.p0 is None and args.seed == 3
    for f in schema.RUN:
        assert f.cli.startswith("--") and f.cli[2:].replace("-", "_") == f.name


def test_the_notebook_start_is_written_once():
    root = Path(schema.__file__).parent
    holders = [p.name for p in root.rglob("*.py") if "0.08385391" in p.read_text()]
    assert holders == ["settings.py"]


def session_writes(tree: ast.Module) -> set[str]:
    """The session keys a module sets by name: ``….session_state.k = …``, ``session["k"] = …``."""
    writes = set()
    for node in ast.walk(tree):
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            owner = getattr(target, "value", None)
            if owner is None or not ast.unparse(owner).endswith(("session_state", "session")):
                continue
            if isinstance(target, ast.Attribute):
                writes.add(target.attr)
            elif isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                writes.add(target.slice.value)
    return writes


def test_one_key_holds_the_learning_rate():
    """Only "lr" is set by name; the log sliders are put at its stop only by `lr_on_grid`."""
    pages = [ROOT / "app.py", *sorted((ROOT / "ui").rglob("*.py"))]
    writers = {
        p.relative_to(ROOT).as_posix(): session_writes(ast.parse(p.read_text())) for p in pages
    }
    assert any("lr" in keys for keys in writers.values())
    assert {p for p, keys in writers.items() if keys & {"lr_slider", "lr_bar"}} == set()
    source = (ROOT / "ui" / "state.py").read_text()
    assert "st.session_state[key] = nearest_lr(st.session_state.lr)" in source
    example = ast.parse("st.session_state.lr_bar = 1\nsession['lr_slider'] = 2\n")
    assert session_writes(example) == {"lr_bar", "lr_slider"}
