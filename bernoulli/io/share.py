"""A run as URL query parameters, so a teacher can send a link that opens exactly this run.

`encode` turns (sample source, optimizer settings, open view) into short readable parameters
and `decode` turns them back, checking every value against bounds. The app maps
``st.query_params`` to and from these plain dicts; this module never imports streamlit.

Keys (a value equal to its default is left out, so a link shows only what was changed)::

    data=generate  n=200  true_p=0.7  data_seed=0     the sample (left out: the notebook's)
    data=text  text=HHTHT...  one=T                     typed values (up to 2,000), the 1
    resample=parametric|bootstrap  resample_seed=3      a resample of the sample
    lr=0.01  steps=1000  p0=0.3|random  seed=0
    opt=gd|momentum|adam|newton|sgd  beta=0.9  batch=20
    param=p|logit  loss=sum|mean  dtype=float32|float64  tol=1e-06
    view=run|explore|challenges|class

Floats are written with ``repr`` (without the "+" of a positive exponent), which reads back to
the same float. ``data=upload`` says the run used an uploaded file: its values cannot travel in
a link, so decoding it returns an upload source and a note asking for the file; so does
``data=text`` without ``text`` (typed values too many for a link).

`decode` never raises: a malformed, out-of-range, repeated-with-different-values or unknown
parameter is ignored, keeping the default, with a note such as
``Ignored lr="abc": not a number.`` The user's text in a note is cut to 40 characters and
every character other than letters, digits and `` .,+-_`` is written as a ``\\xNN`` escape,
so a note holds no HTML, markdown or control characters of the input.
"""

from __future__ import annotations

import dataclasses
import math
import re
import urllib.parse
from collections.abc import Mapping

from bernoulli import settings as schema
from bernoulli.data.samples import Source as Source  # re-exported: links name the sample by it
from bernoulli.settings import Settings

GENERATE_DEFAULTS = schema.GENERATE_DEFAULTS  # for data=generate without them
UPLOAD_NOTE = (
    "This link was made with an uploaded sample, which a link cannot carry: "
    "upload the same file to repeat the run."
)
TEXT_NOTE = (
    "This link was made with typed values, too many to carry in a link: "
    "paste them again to repeat the run."
)
_MAX_TEXT = 64  # longer than any valid value; longer text is not even parsed
_LONG = {row.key: row.high for row in schema.SAMPLE_LINK if row.kind == "text"}  # may be longer
_MAX_NOTES = 12  # then one line counting the rest


@dataclasses.dataclass(frozen=True)
class Decoded:
    """What a link asks for, and what in it was ignored or needs the user."""

    source: Source  # the sample to use
    settings: Settings  # the optimizer settings
    view: str  # the open page or tab
    notes: tuple[str, ...]  # one plain-text sentence per ignored parameter; () for a clean link


# --- value parsers: each returns the value or raises _Bad with the reason --------------


class _Bad(Exception):
    """Why a parameter's text was not accepted (a short phrase)."""


_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)


def _number(text: str, low: float, high: float) -> float:
    if not _FLOAT.fullmatch(text):
        try:
            finite = math.isfinite(float(text))
        except ValueError:
            finite = True
        raise _Bad("not a number" if finite else "not a finite number")
    x = float(text)  # may be inf ("1e999"): out of range below
    if not low <= x <= high:
        raise _Bad(f"must be from {low:g} to {high:g}")
    return x


def _whole(text: str, low: int, high: int) -> int:
    if not _INT.fullmatch(text):
        raise _Bad("not a whole number")
    x = int(text)
    if not low <= x <= high:
        raise _Bad(f"must be a whole number from {low:,} to {high:,}")
    return x


def _choice(text: str, allowed: tuple[str, ...]) -> str:
    if text not in allowed:
        raise _Bad(f"must be one of {', '.join(allowed)}")
    return text


# The accepted range of each number, both ends included: exactly what the app's widgets
# accept, so every value a link carries can be shown (and a value outside gets a note).
# (A p0 of 0 or 1 is accepted: the run stops at step 0 and says why.)
BOUNDS = {f.key: (f.low, f.high) for f in (*schema.RUN, *schema.GENERATE) if f.kind != "choice"}


def _parser(f: schema.Field):
    """The parser of a field's link text: its choices, or numbers within BOUNDS[f.key]
    (whole numbers for an int field), or its `none` text for None."""
    if f.kind == "choice":
        return lambda t: _choice(t, tuple(f.choices))
    low, high = BOUNDS[f.key]
    parse = (lambda t: _whole(t, low, high)) if f.kind == "int" else lambda t: _number(t, low, high)
    if f.none:
        return lambda t: None if t == f.none else parse(t)
    return parse


# key -> (Settings field, parser)
_SETTINGS = {f.key: (f.name, _parser(f)) for f in schema.RUN}
# key -> (Source field, parser)
_DATA = {f.key: (f.name, _parser(f)) for f in schema.GENERATE}


def _link_parser(row: schema.LinkKey):
    """The parser of a sample key's link text (a row of settings.SAMPLE_LINK)."""
    if row.kind == "choice":
        return lambda t: _choice(t, row.choices)
    if row.kind == "int":
        return lambda t: _whole(t, 0, row.high)
    if row.kind == "symbol":
        return lambda t: _symbol(t, row.high)
    return lambda t: t  # text: its length is checked as it is read (_LONG)


def _symbol(text: str, high: int) -> str:
    if not 0 < len(text) <= high or not text.strip():
        raise _Bad(f"must be a symbol of 1 to {high} characters")
    return text


# key -> (what it fills, parser): the sample's kind, its typed text, its 1, a resample, the view
_LINK = {row.key: (row.name, _link_parser(row)) for row in schema.SAMPLE_LINK}
_SAMPLE = {key: parse for key, parse in _LINK.items() if key not in ("data", "view")}  # Source's
_PARSERS = {**_SETTINGS, **_DATA, **_LINK}  # every key a link may have
_KEYS = frozenset(_PARSERS)


# --- encode --------------------------------------------------------------------------------


def _text(x) -> str:
    """A value as link text: ints in digits, floats by repr (exact), p0 None as "random"."""
    if x is None:
        return schema.FIELDS["p0"].none
    if isinstance(x, float):
        return repr(x).replace("e+", "e")
    return str(x)


def encode(
    source: Source, settings: Settings, view: str = "run", views=schema.VIEWS
) -> dict[str, str]:
    """The query parameters of a run; values equal to their defaults are left out.

    Parameters
    ----------
    source : Source
        The sample. A generated one writes data=generate, n, true_p and data_seed; an upload
        writes only data=upload (its values cannot travel); the notebook's writes nothing.
    settings : Settings
        The optimizer settings; each field that differs from ``Settings()`` is written.
    view : str
        The open page or tab, written unless it is ``views[0]``.
    views : iterable of str
        The app's views (a dict's keys will do), the first being the default (the page's:
        ``settings.VIEWS``).

    Returns
    -------
    dict of str to str
        Short keys to values, in a stable order; values outside the bounds `decode` accepts
        are written as they are (decoding will then note and ignore them).
    """
    params: dict[str, str] = {}
    if source.kind != "notebook":
        params["data"] = source.kind
    if source.kind == "generate":
        for key, (name, _) in _DATA.items():
            params[key] = _text(getattr(source, name))
    for key, (name, _) in _SAMPLE.items():
        if getattr(source, name) is not None:
            params[key] = _text(getattr(source, name))
    default = Settings()
    for key, (name, _) in _SETTINGS.items():
        value = getattr(settings, name)
        if value != getattr(default, name):
            params[key] = _text(value)
    if view != next(iter(views)):
        params["view"] = view
    return params


def link(base_url: str, params: Mapping[str, str]) -> str:
    """`base_url` with its query replaced by `params` (percent-encoded); its fragment is kept."""
    parts = urllib.parse.urlsplit(base_url)
    query = urllib.parse.urlencode(params, doseq=True, quote_via=urllib.parse.quote)
    return urllib.parse.urlunsplit(parts._replace(query=query))


# --- decode --------------------------------------------------------------------------------


def shown(text: str, limit: int = 40) -> str:
    """User text made safe for a note, cut to `limit` characters.

    Every character but letters, digits and `` .,+-_`` becomes an escape (``\\x3c`` for "<"),
    so the result holds no HTML, markdown, quote, backslash or control character.
    """
    out = []
    for ch in text[:limit]:
        if (ch.isalnum() and ch.isprintable()) or ch in " .,+-_":
            out.append(ch)
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    return "".join(out) + ("…" if len(text) > limit else "")


def _single(raw, limit: int = _MAX_TEXT) -> str:
    """The one text value of a parameter (a list of equal values counts as one)."""
    if isinstance(raw, list | tuple):
        if not all(isinstance(v, str) for v in raw):
            raise _Bad("not text")
        distinct = list(dict.fromkeys(raw))
        if not distinct:
            raise _Bad("no value")
        if len(distinct) > 1:
            given = ", ".join(f'"{shown(v)}"' for v in distinct[:3])
            more = ", …" if len(distinct) > 3 else ""
            raise _Bad(f"given {len(raw)} times with different values ({given}{more})")
        raw = distinct[0]
    if not isinstance(raw, str):
        raise _Bad("not text")
    if len(raw) > limit:
        raise _Bad(f"too long ({len(raw):,} characters)")
    return raw


def _ignored(key: str, text: str | None, reason: str) -> str:
    """'Ignored key="text": reason.' (without ="text" when there is no single text)."""
    value = "" if text is None else f'="{shown(text)}"'
    return f"Ignored {shown(key)}{value}: {reason}."


def decode(params: Mapping, views=schema.VIEWS) -> Decoded:
    """Read a run from query parameters, keeping the default for anything invalid.

    Parameters
    ----------
    params : mapping of str to str or list of str
        The query parameters, e.g. ``st.query_params.to_dict()``, or every value of each key
        (``{k: st.query_params.get_all(k) for k in st.query_params}``): a key given several
        times with different values is ignored.
    views : iterable of str
        The app's views (a dict's keys will do), the first being the default (the page's:
        ``settings.VIEWS``).

    Returns
    -------
    Decoded
        The source, settings and view, and a note for each ignored parameter
        (e.g. ``Ignored lr="abc": not a number.``). Never raises.
    """
    views = tuple(views)
    notes: list[str] = []
    values: dict[str, object] = {}
    unknown = []
    for key, raw in params.items():
        if not isinstance(key, str) or key not in _KEYS:
            unknown.append(key if isinstance(key, str) else "?")
            continue
        text = raw if isinstance(raw, str) else None  # shown in the note, if any
        try:
            text = _single(raw, _LONG.get(key, _MAX_TEXT))
            if key == "view":
                values[key] = _choice(text, views)
            else:
                values[key] = _PARSERS[key][1](text)
        except _Bad as bad:
            notes.append(_ignored(key, text, str(bad)))

    source = _source(values, set(params), notes)
    settings = _settings(values, notes)
    for key in unknown[:_MAX_NOTES]:
        notes.append(f'Ignored unknown parameter "{shown(key)}".')
    if len(unknown) > _MAX_NOTES:
        notes.append(f"Ignored {len(unknown) - _MAX_NOTES:,} more unknown parameters.")
    view = values.get("view", views[0])
    return Decoded(source, settings, view, tuple(notes))


def _settings(values: dict, notes: list[str]) -> Settings:
    """Settings from the accepted values; if Settings rejects their combination, each value
    is tried in turn and the ones it rejects are noted and left at their defaults."""
    changes = {name: values[key] for key, (name, _) in _SETTINGS.items() if key in values}
    try:
        return dataclasses.replace(Settings(), **changes)
    except ValueError:
        pass
    settings = Settings()
    for key, (name, _) in _SETTINGS.items():
        if key in values:
            try:
                settings = dataclasses.replace(settings, **{name: values[key]})
            except ValueError as e:
                notes.append(_ignored(key, _text(values[key]), str(e)))
    return settings


def _source(values: dict, keys: set, notes: list[str]) -> Source:
    kind = values.get("data", schema.LINK["data"].default)
    extra = _extras(kind, values, notes)
    given = [key for key in _DATA if key in values]
    if kind != "generate":
        for key in given:
            notes.append(_ignored(key, _text(values[key]), "only used with data=generate"))
        if kind == "upload":
            notes.append(UPLOAD_NOTE)
        if kind == "text" and "text" not in extra:
            notes.append(TEXT_NOTE)
        return Source(kind, **extra)
    numbers = {}
    for key, (name, _) in _DATA.items():
        numbers[name] = values.get(key, GENERATE_DEFAULTS[name])
        if key not in keys:  # (an invalid one was noted already)
            notes.append(f"No {key} for data=generate: using {key}={numbers[name]}.")
    return Source("generate", **numbers, **extra)


def _extras(kind: str, values: dict, notes: list[str]) -> dict:
    """The Source fields of text, one and a resample that apply to this kind of sample."""
    extra = {}
    for key, where in (("text", ("text",)), ("one", ("text", "upload"))):
        if key in values:
            if kind in where:
                extra[key] = values[key]
            else:
                data = " or ".join(f"data={w}" for w in where)
                notes.append(_ignored(key, values[key], f"only used with {data}"))
    method, seed = values.get("resample"), values.get("resample_seed")
    if (method is None) != (seed is None):
        key, value = ("resample", method) if seed is None else ("resample_seed", seed)
        other = "resample_seed" if seed is None else "resample"
        notes.append(_ignored(key, _text(value), f"needs {other} too"))
    elif method is not None:
        extra.update(resample=method, resample_seed=seed)
    return extra
