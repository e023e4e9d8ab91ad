"""Data in: 0/1 samples from an upload, typed text, a file, a seeded generator, the
notebook, or a resample of any of them.

Every way in returns a `Sample` (n, k, the raw values, where they came from and a key that
names them) or raises `DataError`, whose message is one line naming the file, the line and
the offending value, e.g.

    samples.csv line 7: "2" is not a 0/1 value

How a file's bytes become text is `bernoulli.data.decoding`; the file format and its parser
are in `bernoulli.data.parse`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.resources
import numbers
import operator
import os
from dataclasses import dataclass, field

import numpy as np

from bernoulli.data import parse
from bernoulli.data.decoding import MAX_BYTES, too_big
from bernoulli.data.decoding import decode as _decode
from bernoulli.data.layouts import Reading
from bernoulli.data.parse import DataError as DataError  # re-exported: data in raises it
from bernoulli.data.parse import shown as _shown
from bernoulli.settings import GENERATE
from bernoulli.settings import MAX_LINK_TEXT as MAX_LINK_TEXT
from bernoulli.settings import MAX_ONE as MAX_ONE
from bernoulli.settings import MAX_VALUES as MAX_VALUES
from bernoulli.settings import RESAMPLES as RESAMPLES
from bernoulli.settings import SOURCES as SOURCES

TEXT_NAME = "typed values"  # typed or pasted text, in messages and sources
MAX_LINK_VALUES = 2_000  # typed values a link carries, at most


@dataclass(frozen=True)
class Source:
    """Where a sample comes from, with what it takes to rebuild it (for a link, a script).

    A generated sample needs its numbers; typed text its text (None when too long for a
    link); a parsed sample (upload, text) the symbol counted as 1 if not the default; any
    sample may be resampled (`resample`), by a method and a seed.
    """

    kind: str = "notebook"  # one of SOURCES
    n: int | None = None  # number of values (generate only)
    true_p: float | None = None  # probability of a one (generate only)
    seed: int | None = None  # numpy seed of `generate` (generate only)
    text: str | None = None  # the typed text (text only; None if too long to carry)
    one: str | None = None  # the symbol counted as 1 (upload, text), None for the default
    resample: str | None = None  # one of RESAMPLES, or None for the sample itself
    resample_seed: int | None = None  # the resample's numpy seed (with resample only)

    def __post_init__(self):
        if self.kind not in SOURCES:
            raise ValueError(f"source kind must be one of {', '.join(SOURCES)}, not {self.kind!r}")
        problems = _source_problems(self)
        if problems:
            raise ValueError("; ".join(problems))


def _source_problems(source: Source) -> list[str]:
    numbers = (source.n, source.true_p, source.seed)
    problems = []
    if source.kind != "generate":
        if numbers != (None, None, None):
            problems.append(f"a {source.kind} source takes no n, true_p or seed")
    else:
        problems += [f.problem(getattr(source, f.name)) for f in GENERATE]
    if source.text is not None and (source.kind != "text" or not isinstance(source.text, str)):
        problems.append("only a text source takes a text")
    if source.one is not None and (
        source.kind not in ("upload", "text")
        or not isinstance(source.one, str)
        or not 0 < len(source.one) <= MAX_ONE
    ):
        problems.append(f"one must be a symbol of 1 to {MAX_ONE} characters of a parsed sample")
    if (source.resample is None) != (source.resample_seed is None):
        problems.append("resample and resample_seed go together")
    if source.resample is not None:
        if source.resample not in RESAMPLES:
            problems.append(f"resample must be one of {', '.join(RESAMPLES)}")
        seed = source.resample_seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            problems.append(f"resample_seed must be a whole number >= 0, not {seed!r}")
    return [p for p in problems if p]


UPLOAD = Source("upload")


@dataclass(frozen=True)
class Sample:
    """n Bernoulli observations with k ones, and where they came from.

    Two samples are equal when n, k and `source` are; `key` names the values themselves
    (a page caches on it), `origin` says how to rebuild them (a link, a script).
    """

    n: int  # number of values, at least 1
    k: int  # number of ones, 0 <= k <= n
    values: np.ndarray | None = field(compare=False, repr=False)  # read-only 0/1 uint8, or None
    source: str  # plain-words origin, e.g. 'samples.csv, column "y"'
    origin: Source = field(default=UPLOAD, compare=False, repr=False)  # how to rebuild it
    # "notebook", "generate:{n}:{true_p!r}:{seed}" or "upload:{sha256}:{column}"; by default
    # the sha256 of the values, or "counts:{n}:{k}" without values
    key: str = field(default="", compare=False, repr=False)
    reading: Reading | None = field(default=None, compare=False, repr=False)  # how it was read

    def __post_init__(self):
        if not 0 <= self.k <= self.n or self.n < 1:
            raise ValueError(f"need n >= 1 and 0 <= k <= n, got n={self.n}, k={self.k}")
        if self.values is None:
            if not self.key:
                object.__setattr__(self, "key", f"counts:{self.n}:{self.k}")
            return
        values = np.asarray(self.values)
        if values.dtype == np.bool_:
            values = values.astype(np.uint8)
        if values.dtype != np.uint8 or values.shape != (self.n,):
            raise ValueError(
                f"values must be {self.n} uint8 values, got {values.dtype} {values.shape}"
            )
        if np.count_nonzero(values) != self.k or np.any(values > 1):
            raise ValueError(f"values must be 0/1 with exactly k={self.k} ones")
        if values.flags.writeable:
            values = values.view()  # a read-only view; the caller's array keeps its flags
            values.flags.writeable = False
        object.__setattr__(self, "values", values)
        if not self.key:
            digest = hashlib.sha256(values.tobytes()).hexdigest()
            object.__setattr__(self, "key", f"values:{digest}")

    @property
    def mean(self) -> float:
        """The fraction of ones, k / n: the maximum-likelihood estimate of p."""
        return self.k / self.n


def parse_samples(
    content: bytes | str,
    filename: str = "upload",
    column: str | int | None = None,
    one: str | None = None,
) -> Sample:
    """Read 0/1 values from the text of a file (see `bernoulli.data.parse` for the layouts).

    Parameters
    ----------
    content : bytes or str
        The file's content: UTF-8 (with or without BOM) or UTF-16/32 with a BOM.
    filename : str
        Named in messages and in the sample's source.
    column : str, int or None
        Which column of a several-column file: a header name (any case) or a 1-based
        number (int or digit string). A one-column file needs none; without a header and
        a column, all values of all columns are the sample, row by row.
    one : str or None
        The symbol counted as 1 ("T", "0", "tails"); None for the pair's first (1, H, W).

    Returns
    -------
    Sample
        Its `reading` says in one line how the text was read (layout, which symbol is 1).

    Raises
    ------
    DataError
        With one line naming the file, line and value; `.columns` is set when the file has
        several columns and a choice is needed.
    """
    name = _shown(filename or "upload", limit=80, quoted=False)
    return _parsed(content, name, column, one)


def from_text(text: str, column: str | int | None = None, one: str | None = None) -> Sample:
    """The sample in typed or pasted text, named "typed values" in messages; its origin
    carries the text when a link can (at most MAX_LINK_VALUES values)."""
    sample = _parsed(text, TEXT_NAME, column, one)
    short = sample.n <= MAX_LINK_VALUES and len(text) <= MAX_LINK_TEXT
    origin = Source("text", text=text if short else None, one=one)
    return dataclasses.replace(sample, origin=origin, key="text" + sample.key[len("upload") :])


def generate(n: int, true_p: float, seed: int) -> Sample:
    """Draw n Bernoulli(true_p) values, reproducibly.

    Value i is 1 when the i-th draw of numpy's Generator(PCG64(seed)).random() is below
    true_p, so the same (n, p, seed) always gives the same values, and raising p with the
    same seed only turns zeros into ones.

    Parameters
    ----------
    n : int
        How many values, 1 <= n <= MAX_VALUES.
    true_p : float
        Probability of a one, in [0, 1].
    seed : int
        Non-negative seed.
    """
    n = _whole(n, "n")
    seed = _whole(seed, "seed")
    if n < 1:
        raise DataError(f"n must be at least 1 (got {n})")
    if n > MAX_VALUES:
        raise DataError(f"n must be at most {MAX_VALUES:,} (got {n:,})")
    if seed < 0:
        raise DataError(f"seed must not be negative (got {seed})")
    if isinstance(true_p, bool) or not isinstance(true_p, numbers.Real):
        raise DataError(f"p must be a number between 0 and 1 (got {_shown(repr(true_p))})")
    p = float(true_p)
    if not 0.0 <= p <= 1.0:  # also rejects NaN
        raise DataError(f"p must be between 0 and 1 (got {p!r})")
    values = _draws(n, p, seed)
    origin = Source("generate", n, p, seed)
    return Sample(
        n,
        int(np.count_nonzero(values)),
        values,
        f"generated (n={n}, p={p!r}, seed={seed})",
        origin,
        f"generate:{n}:{p!r}:{seed}",
    )


def _draws(n: int, p: float, seed: int) -> np.ndarray:
    """Value i is 1 when draw i of Generator(PCG64(seed)).random() is below p (read-only)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    values = np.empty(n, dtype=np.uint8)
    step = 1 << 20  # in slices, so 2e7 values never need 160 MB of floats at once
    for start in range(0, n, step):
        stop = min(start + step, n)
        values[start:stop] = rng.random(stop - start) < p
    values.flags.writeable = False
    return values


def resample(sample: Sample, method: str, seed: int) -> Sample:
    """A new sample of the same n, drawn from this one, reproducibly.

    Parameters
    ----------
    sample : Sample
        The data (not itself a resample: resample the data again with another seed).
    method : str
        "parametric": n Bernoulli(p̂ = k/n) draws, value i being 1 when draw i of
        Generator(PCG64(seed)).random() is below p̂ (as `generate`); "bootstrap": n values
        of the data drawn with replacement, at the indices Generator(PCG64(seed)).integers(0,
        n, n) (needs the values).
    seed : int
        Non-negative seed.

    Returns
    -------
    Sample
        Its origin is the sample's with `resample` and `resample_seed` set, so a link can
        rebuild it; its source says how it was drawn.
    """
    seed = _whole(seed, "seed")
    if seed < 0:
        raise DataError(f"seed must not be negative (got {seed})")
    if method not in RESAMPLES:
        raise DataError(f"resample by {', '.join(RESAMPLES)}, not {_shown(repr(method))}")
    if sample.origin.resample is not None:
        raise ValueError("this sample is a resample already: resample the data it came from")
    n = sample.n
    if method == "parametric":
        values = _draws(n, sample.mean, seed)
    else:
        if sample.values is None:
            raise DataError("a bootstrap needs the values, and this sample has only n and k")
        rng = np.random.Generator(np.random.PCG64(seed))
        values = np.empty(n, dtype=np.uint8)
        step = 1 << 20
        for start in range(0, n, step):
            stop = min(start + step, n)
            values[start:stop] = sample.values[rng.integers(0, n, stop - start)]
        values.flags.writeable = False
    origin = dataclasses.replace(sample.origin, resample=method, resample_seed=seed)
    source = f"{sample.source}, resampled ({RESAMPLES[method]}, seed {seed})"
    key = f"{sample.key}|resample:{method}:{seed}"
    count = int(np.count_nonzero(values))
    return Sample(n, count, values, source, origin, key, sample.reading)


def notebook_sample() -> Sample:
    """The 200 samples of the notebook this project grew from (n=200, k=145)."""
    resource = importlib.resources.files("bernoulli.data") / "datasets" / "notebook_sample.csv"
    sample = parse_samples(resource.read_bytes(), "notebook_sample.csv")
    return Sample(sample.n, sample.k, sample.values, "notebook sample", Source(), "notebook")


def load_path(
    path: str | os.PathLike, column: str | int | None = None, one: str | None = None
) -> Sample:
    """Read a sample from a file on disk; see `parse_samples` for the format."""
    name = _shown(os.fsdecode(path), limit=200, quoted=False)
    try:
        size = os.stat(path).st_size
        if size > MAX_BYTES:
            raise DataError(too_big(name, size))
        with open(path, "rb") as f:
            content = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise DataError(f"{name} does not exist") from None
    except IsADirectoryError:
        raise DataError(f"{name} is a directory, not a file") from None
    except PermissionError:
        raise DataError(f"{name} cannot be read (permission denied)") from None
    except OSError as e:
        raise DataError(f"{name} cannot be read ({_shown(e.strerror or str(e))})") from None
    return _parsed(content, name, column, one)


def _parsed(content: bytes | str, name: str, column, one: str | None) -> Sample:
    """The sample in a file's content, keyed by the content's sha256, the column and `one`."""
    if one is not None and (not isinstance(one, str) or not 0 < len(one.strip()) <= MAX_ONE):
        raise DataError(f"the symbol counted as 1 must be 1 to {MAX_ONE} characters")
    values, label, reading = parse.read(_decode(content, name), name, column, one)
    raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
    key = f"upload:{hashlib.sha256(raw).hexdigest()}:{column}"
    if one is not None:
        key += f":one={one}"
    origin = UPLOAD if one is None else Source("upload", one=one)
    count = int(np.count_nonzero(values))
    return Sample(len(values), count, values, label, origin, key, reading)


def _whole(x, what: str) -> int:
    if isinstance(x, bool):
        raise DataError(f"{what} must be a whole number (got {x!r})")
    try:
        return operator.index(x)
    except TypeError:
        if isinstance(x, float) and x.is_integer():
            return int(x)
        raise DataError(f"{what} must be a whole number (got {_shown(repr(x))})") from None
