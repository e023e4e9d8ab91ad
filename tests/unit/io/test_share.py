"""Shareable links: every run round-trips exactly; bad parameters become notes, never errors."""

from __future__ import annotations

import dataclasses
import urllib.parse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bernoulli import settings as schema
from bernoulli.data import samples
from bernoulli.engine import optimize
from bernoulli.engine.optimize import Settings
from bernoulli.io import share
from bernoulli.io.share import Source, decode, encode, link

DEFAULT = Settings()

B = share.BOUNDS
valid_settings = st.builds(
    Settings,
    lr=st.floats(*B["lr"]),
    steps=st.integers(*B["steps"]),
    p0=st.none() | st.floats(*B["p0"]),
    seed=st.integers(*B["seed"]),
    optimizer=st.sampled_from(optimize.OPTIMIZERS),
    beta=st.floats(*B["beta"]),
    batch_size=st.integers(*B["batch"]),
    param=st.sampled_from(optimize.PARAMS),
    loss=st.sampled_from(optimize.LOSSES),
    dtype=st.sampled_from(tuple(optimize.DTYPES)),
    tol=st.floats(*B["tol"]),
)
# Mostly the defaults, so that "left out because default" is exercised field by field.
some_settings = valid_settings | st.builds(
    lambda s, keep: s.replace(**{f: getattr(DEFAULT, f) for f in keep}),
    valid_settings,
    st.sets(st.sampled_from([f.name for f in dataclasses.fields(Settings)])),
)
sources = st.one_of(
    st.just(Source()),
    st.just(Source("upload")),
    st.builds(
        Source,
        st.just("generate"),
        st.integers(*B["n"]),
        st.floats(*B["true_p"]),
        st.integers(*B["data_seed"]),
    ),
)


def exact(x) -> str:
    """A dataclass's repr: compares floats by repr, so that -0.0 and 0.0 differ."""
    return repr(x)


@settings(max_examples=300)
@given(sources, some_settings, st.sampled_from(tuple(schema.VIEWS)))
def test_encode_decode_round_trips_exactly(source, run, view):
    params = encode(source, run, view)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    back = decode(params)
    assert exact(back.settings) == exact(run)
    assert back.source == source and exact(back.source) == exact(source)
    assert back.view == view
    assert back.notes == ((share.UPLOAD_NOTE,) if source.kind == "upload" else ())
    # through a real URL too, as st.query_params would hand it over (lists of values)
    url = link("http://localhost:8501/", params)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)
    assert exact(decode(query)) == exact(back)


@given(some_settings)
def test_only_changed_fields_are_written(run):
    params = encode(Source(), run)
    names = {name: key for key, (name, _) in share._SETTINGS.items()}
    changed = [f.name for f in dataclasses.fields(Settings)]
    changed = [f for f in changed if getattr(run, f) != getattr(DEFAULT, f)]
    assert set(params) == {names[f] for f in changed}


def test_bounds_are_the_widgets_and_fit_settings():
    """A link carries only what the app's widgets can show (tests/test_app.py opens links at
    every end); both ends are accepted."""
    assert B["lr"] == (1e-12, 1e6) and B["p0"] == (0.0, 1.0) and B["steps"] == (1, 100_000)
    assert B["seed"] == B["data_seed"] == (0, 2**53 - 1) and B["n"] == (1, samples.MAX_VALUES)
    assert B["beta"] == (0.0, 0.99) and B["tol"] == (1e-15, 0.1) and B["batch"] == (1, 100_000)
    for key in ("lr", "steps", "p0", "seed", "beta", "batch", "tol"):  # valid Settings
        name = share._SETTINGS[key][0]
        for end in B[key]:
            assert decode({key: share._text(end)}).settings == Settings().replace(**{name: end})


def test_every_settings_field_has_a_key():
    assert {name for name, _ in share._SETTINGS.values()} == {
        f.name for f in dataclasses.fields(Settings)
    }


def test_encode_examples():
    assert encode(Source(), Settings()) == {}  # the notebook replay is the bare URL
    run = Settings(lr=0.1 + 0.2, p0=None, optimizer="momentum", tol=1e20 / 1e40, steps=250)
    assert encode(Source("generate", 500, 0.3, 42), run, "explore") == {
        "data": "generate",
        "n": "500",
        "true_p": "0.3",
        "data_seed": "42",
        "lr": "0.30000000000000004",
        "steps": "250",
        "p0": "random",
        "opt": "momentum",
        "tol": "1e-20",
        "view": "explore",
    }
    big = encode(Source(), Settings(lr=3e16))
    assert big == {"lr": "3e16"}  # repr without "e+" (decoding then rejects it, out of range)
    assert decode(big).notes == ('Ignored lr="3e16": must be from 1e-12 to 1e+06.',)
    assert encode(Source("upload"), Settings()) == {"data": "upload"}  # no values travel
    assert encode(Source(), Settings(), "sweep", views=("sweep", "run")) == {}


def test_link():
    params = {"lr": "0.01", "view": "explore"}
    assert link("http://h:8501/", params) == "http://h:8501/?lr=0.01&view=explore"
    assert link("https://h/app?old=1#top", params) == "https://h/app?lr=0.01&view=explore#top"
    assert link("http://h/", {}) == "http://h/"
    assert link("http://h/", {"x": "a&b=c d"}) == "http://h/?x=a%26b%3Dc%20d"


SEEDS = "must be a whole number from 0 to 9,007,199,254,740,991"  # 2**53 - 1
INVALID = [
    # (params, the note)
    ({"lr": "abc"}, 'Ignored lr="abc": not a number.'),
    ({"lr": "-1"}, 'Ignored lr="-1": must be from 1e-12 to 1e+06.'),
    ({"lr": "1e9"}, 'Ignored lr="1e9": must be from 1e-12 to 1e+06.'),
    ({"lr": "1e999"}, 'Ignored lr="1e999": must be from 1e-12 to 1e+06.'),
    ({"lr": "0x10"}, 'Ignored lr="0x10": not a number.'),
    ({"lr": "1_0"}, 'Ignored lr="1_0": not a number.'),
    ({"lr": " 1"}, 'Ignored lr=" 1": not a number.'),
    ({"lr": "١"}, 'Ignored lr="١": not a number.'),  # an Arabic-Indic digit: float() takes it
    ({"lr": ""}, 'Ignored lr="": not a number.'),
    ({"lr": "inf"}, 'Ignored lr="inf": not a finite number.'),
    ({"steps": "0"}, 'Ignored steps="0": must be a whole number from 1 to 100,000.'),
    ({"steps": "1e9"}, 'Ignored steps="1e9": not a whole number.'),
    ({"steps": "100001"}, 'Ignored steps="100001": must be a whole number from 1 to 100,000.'),
    ({"steps": "12.0"}, 'Ignored steps="12.0": not a whole number.'),
    ({"p0": "nan"}, 'Ignored p0="nan": not a finite number.'),
    ({"p0": "-Infinity"}, 'Ignored p0="-Infinity": not a finite number.'),
    ({"p0": "2e6"}, 'Ignored p0="2e6": must be from 0 to 1.'),
    ({"p0": "-0.5"}, 'Ignored p0="-0.5": must be from 0 to 1.'),
    ({"p0": "Random"}, 'Ignored p0="Random": not a number.'),
    ({"opt": "evil"}, 'Ignored opt="evil": must be one of gd, momentum, adam, newton, sgd.'),
    ({"opt": "GD"}, 'Ignored opt="GD": must be one of gd, momentum, adam, newton, sgd.'),
    ({"beta": "1"}, 'Ignored beta="1": must be from 0 to 0.99.'),
    ({"beta": "0.995"}, 'Ignored beta="0.995": must be from 0 to 0.99.'),
    ({"batch": "0"}, 'Ignored batch="0": must be a whole number from 1 to 100,000.'),
    ({"param": "theta"}, 'Ignored param="theta": must be one of p, logit.'),
    ({"loss": "max"}, 'Ignored loss="max": must be one of sum, mean.'),
    ({"dtype": "float16"}, 'Ignored dtype="float16": must be one of float32, float64.'),
    ({"tol": "0"}, 'Ignored tol="0": must be from 1e-15 to 0.1.'),
    ({"tol": "0.5"}, 'Ignored tol="0.5": must be from 1e-15 to 0.1.'),
    (
        {"view": "<script>alert(1)</script>"},
        'Ignored view="\\x3cscript\\x3ealert\\x281\\x29\\x3c\\x2fscript\\x3e": '
        "must be one of run, explore, challenges, class.",
    ),
    ({"seed": "-1"}, f'Ignored seed="-1": {SEEDS}.'),
    ({"seed": str(2**63)}, f'Ignored seed="{2**63}": {SEEDS}.'),
    ({"seed": str(2**53)}, f'Ignored seed="{2**53}": {SEEDS}.'),
    ({"seed": "1.5"}, 'Ignored seed="1.5": not a whole number.'),
    ({"seed": "9" * 5000}, f'Ignored seed="{"9" * 40}…": too long (5,000 characters).'),
    ({"lr": ["0.1", "0.2"]}, 'Ignored lr: given 2 times with different values ("0.1", "0.2").'),
    ({"lr": []}, "Ignored lr: no value."),
    ({"lr": ["abc", "abc"]}, 'Ignored lr="abc": not a number.'),
    ({"lr": 0.1}, "Ignored lr: not text."),
    ({"foo": "bar"}, 'Ignored unknown parameter "foo".'),
    ({"LR": "0.1"}, 'Ignored unknown parameter "LR".'),
    ({"<img src=x>": "1"}, 'Ignored unknown parameter "\\x3cimg src\\x3dx\\x3e".'),
    ({"data": "s3"}, 'Ignored data="s3": must be one of notebook, generate, upload, text.'),
    ({"n": "200"}, 'Ignored n="200": only used with data=generate.'),
    (
        {"data": "generate", "n": "-5", "true_p": "0.5", "data_seed": "1"},
        'Ignored n="-5": must be a whole number from 1 to 20,000,000.',
    ),
    (
        {"data": "generate", "n": "5", "true_p": "2", "data_seed": "1"},
        'Ignored true_p="2": must be from 0 to 1.',
    ),
    (
        {"data": "generate", "n": "5", "true_p": "0.5", "data_seed": "-3"},
        f'Ignored data_seed="-3": {SEEDS}.',
    ),
]


@pytest.mark.parametrize(("params", "note"), INVALID, ids=[str(i) for i in range(len(INVALID))])
def test_invalid_parameter_is_ignored_with_a_note(params, note):
    got = decode(params)
    assert got.notes == (note,)
    assert got.settings == DEFAULT and got.view == "run"
    if params.get("data") == "generate":
        assert got.source == Source(
            "generate",
            **{
                "n": 5 if params["n"] == "5" else share.GENERATE_DEFAULTS["n"],
                "true_p": 0.5 if params["true_p"] == "0.5" else share.GENERATE_DEFAULTS["true_p"],
                "seed": 1 if params["data_seed"] == "1" else share.GENERATE_DEFAULTS["seed"],
            },
        )
    else:
        assert got.source == Source()


def test_good_parameters_survive_bad_neighbours():
    got = decode({"lr": "0.01", "steps": "0", "opt": "adam", "beta": "2", "view": "explore"})
    assert got.settings == Settings(lr=0.01, optimizer="adam")
    assert got.view == "explore"
    assert [note.split("=")[0] for note in got.notes] == ["Ignored steps", "Ignored beta"]


def test_repeated_equal_values_count_once():
    assert decode({"lr": ["0.5", "0.5"], "view": ["explore"]}) == share.Decoded(
        Source(), Settings(lr=0.5), "explore", ()
    )


def test_many_unknown_parameters_are_counted_not_listed():
    notes = decode({f"x{i}": "1" for i in range(100)}).notes
    assert len(notes) == 13 and notes[-1] == "Ignored 88 more unknown parameters."


def test_upload_and_missing_generate_numbers():
    got = decode({"data": "upload", "lr": "0.1"})
    assert got.source == Source("upload") and got.settings.lr == 0.1
    assert got.notes == (share.UPLOAD_NOTE,)
    got = decode({"data": "generate", "true_p": "0.25"})
    assert got.source == Source("generate", 200, 0.25, 0)
    assert got.notes == (
        "No n for data=generate: using n=200.",
        "No data_seed for data=generate: using data_seed=0.",
    )


def test_views_can_be_given():
    assert decode({"view": "explore"}, views={"run": "Watch", "explore": "Explore"}).notes == ()
    assert encode(Source(), DEFAULT, "run", views={"run": "Watch", "explore": "Explore"}) == {}
    views = ("replay", "sweep")
    assert decode({}, views=views).view == "replay"
    assert decode({"view": "sweep"}, views=views).view == "sweep"
    assert decode({"view": "run"}, views=views).notes == (
        'Ignored view="run": must be one of replay, sweep.',
    )


def test_a_combination_settings_rejects_falls_back(monkeypatch):
    @dataclasses.dataclass(frozen=True)
    class Strict(Settings):
        def __post_init__(self):
            super().__post_init__()
            if self.optimizer == "newton" and self.dtype == "float32":
                raise ValueError("Newton needs float64")

    monkeypatch.setattr(share, "Settings", Strict)
    good = decode({"opt": "newton", "dtype": "float64"})  # valid together, not one at a time
    assert good.settings == Strict(optimizer="newton", dtype="float64") and good.notes == ()
    got = decode({"opt": "newton", "dtype": "float32", "lr": "0.5"})
    assert type(got.settings) is Strict and got.settings == Strict(lr=0.5)
    assert got.notes == ('Ignored opt="newton": Newton needs float64.',)


def test_source_checks_its_numbers():
    for bad in [
        dict(kind="file"),
        dict(kind="notebook", n=5),
        dict(kind="generate"),
        dict(kind="generate", n=0, true_p=0.5, seed=0),
        dict(kind="generate", n=5, true_p=float("nan"), seed=0),
        dict(kind="generate", n=5, true_p=True, seed=0),
        dict(kind="generate", n=5, true_p=0.5, seed=-1),
        dict(kind="generate", n=5.0, true_p=0.5, seed=0),
    ]:
        with pytest.raises(ValueError):
            Source(**bad)


def test_shown_escapes_and_truncates():
    assert share.shown("0.5 abc-DEF_é") == "0.5 abc-DEF_é"
    assert share.shown('<a href="x">') == "\\x3ca href\\x3d\\x22x\\x22\\x3e"
    assert share.shown("a\nb\u202e\U0001f600") == "a\\x0ab\\u202e\\U0001f600"
    assert share.shown("[x](javascript:1) *$`") == (
        "\\x5bx\\x5d\\x28javascript\\x3a1\\x29 \\x2a\\x24\\x60"
    )
    assert share.shown("x" * 41) == "x" * 40 + "…"


text_values = st.text(max_size=80) | st.lists(st.text(max_size=20), max_size=4)
keys = st.sampled_from(["data", "view", *share._SETTINGS, *share._DATA]) | st.text(max_size=20)


@settings(max_examples=500)
@given(st.dictionaries(keys, text_values, max_size=12))
def test_decode_never_raises_and_notes_hold_no_markup(params):
    got = decode(params)
    assert isinstance(got.settings, Settings) and isinstance(got.source, Source)
    assert got.view in schema.VIEWS
    for note in got.notes:
        assert not set(note) & set("<>&[]*$`'"), note  # no HTML or markdown of the input
        assert note.isprintable() and len(note) < 400
    # what was accepted is exactly what a clean link of the result would say
    again = decode(encode(got.source, got.settings, got.view))
    assert exact(again.settings) == exact(got.settings) and again.source == got.source


odd = st.integers() | st.floats() | st.none() | st.lists(st.none() | st.integers(), min_size=1)


@given(st.dictionaries(keys, odd, max_size=12))
def test_values_that_are_not_text_are_ignored(params):
    got = decode(params)
    assert (got.source, got.settings, got.view) == (Source(), DEFAULT, "run")
    assert len(got.notes) == len(params)  # one note for each
