"""One table of a run's settings: the only place a default, a bound or a choice is written.

`Settings` (its defaults and validation), the link's encode/decode (``share``), the page's
widgets (their min, max, default, label and help) and the command line's options (``cli``) are
all generated from the rows below. Adding a setting means adding one row and its field.
The link's other keys (the sample's, the view's and the page's own) are rows too (`LinkKey`).

No torch here: the page and the link read this table without importing the engine.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

NOTEBOOK_P0 = 0.08385391  # the notebook's torch.rand(1) draw: reproduces every row it printed
MAX_STEPS = 100_000
MAX_WIDGET_INT = 2**53 - 1  # the largest whole number a browser's number input holds exactly
MAX_VALUES = 20_000_000  # most values a sample may have (uploaded or generated)
MAX_LINK_TEXT = 16_000  # characters of typed text a link carries, at most
MAX_ONE = 20  # characters of the symbol named as 1
MAX_CODE_TEXT = 40  # characters of a class code kept from a link (the classroom checks it)

OPTIMIZER_NAMES = {
    "gd": "gradient descent",
    "momentum": "momentum",
    "adam": "Adam",
    "newton": "Newton",
    "sgd": "minibatch SGD",
}
PARAM_NAMES = {"p": "p", "logit": "logit θ (p = σ(θ))"}
LOSS_NAMES = {"sum": "sum (notebook)", "mean": "mean"}
DTYPE_NAMES = {"float32": "float32", "float64": "float64"}
VIEWS = {  # the page's views (a link's view=), the first the default, and their words
    "run": "Watch gradient descent",
    "explore": "Divergence explorer",
    "challenges": "Challenges",
    "class": "Class",
}
SOURCES = ("notebook", "generate", "upload", "text")  # where a sample comes from
RESAMPLES = {  # method -> words
    "parametric": "drawn from p̂",
    "bootstrap": "bootstrap of the data",
}
OPTIMIZERS = tuple(OPTIMIZER_NAMES)
PARAMS = tuple(PARAM_NAMES)
LOSSES = tuple(LOSS_NAMES)
DTYPES = tuple(DTYPE_NAMES)  # optimize maps them to torch dtypes


@dataclass(frozen=True)
class Field:
    """One setting: its name, link key, default, what values it takes, and its words.

    A number's range is ``[low, high]``, both ends included: what the widgets and the link
    accept. ``library`` widens it for :class:`Settings` (and the command line, which passes
    its numbers to Settings) where the engine takes more than a person is offered (a p0 outside
    (0, 1) is a run that stops at step 0 and says why; a seed up to 2**64 - 1 is what torch's
    generator takes); ``open`` says which of the library's ends are excluded ("low", "high").
    """

    name: str  # the attribute of Settings (or of the generated sample's origin)
    key: str  # the link's query key
    default: object
    label: str  # the widget's label
    help: str  # one sentence, for the widget's tooltip and the CLI's --help
    kind: str  # "float", "int" or "choice"
    low: float | int | None = None
    high: float | int | None = None
    choices: dict[str, str] = field(default_factory=dict)  # value -> words shown for it
    library: tuple[float | int | None, float | int | None] | None = None  # (low, high) for Settings
    cli: str = ""  # the command line's flag, e.g. "--lr"; "" where the CLI has its own
    none: str = ""  # the text that stands for None (p0: "random"), "" if None is not allowed
    noun: str = ""  # the setting in error messages, when not its name ("learning rate")
    open: tuple[str, ...] = ()  # the library bounds excluded: "low", "high" or both

    @property
    def bounds(self) -> tuple[float | int | None, float | int | None]:
        """The range Settings accepts (the library's, where it is wider)."""
        return self.library if self.library is not None else (self.low, self.high)

    def problem(self, value) -> str | None:
        """Why `value` is not a valid value of this setting (within `bounds`), or None."""
        if value is None and self.none:
            return None
        if self.kind == "choice":
            if isinstance(value, str) and value in self.choices:
                return None
            return f"{self.noun or self.name} must be {_either(tuple(self.choices))}, not {value!r}"
        low, high = self.bounds
        whole = self.kind == "int"
        if whole:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
            ok = ok and math.isfinite(value)
        if ok and low is not None:
            ok = value > low if "low" in self.open else value >= low
        if ok and high is not None:
            ok = value < high if "high" in self.open else value <= high
        if ok:
            return None
        shown = value if isinstance(value, numbers.Real) else repr(value)
        return f"{self.noun or self.name} must be {self._range_words()}, not {shown}"

    def _range_words(self) -> str:
        """The accepted values in words: 'a whole number from 1 to 100,000', 'in [0, 1)'."""
        low, high = self.bounds
        if self.kind == "int":
            if high is None:
                return f"a whole number >= {low:,}"
            return f"a whole number from {low:,} to {high:,}"
        if low is None and high is None:
            return "a finite number"
        if high is None:
            return (
                "a positive number" if low == 0 and "low" in self.open else f"a number >= {low:g}"
            )
        left = "(" if "low" in self.open else "["
        right = ")" if "high" in self.open else "]"
        return f"in {left}{low:g}, {high:g}{right}"


def _either(choices: tuple[str, ...]) -> str:
    """'"p" or "logit"' for two choices, 'one of gd, momentum, adam' for more."""
    if len(choices) == 2:
        return f'"{choices[0]}" or "{choices[1]}"'
    return f"one of {', '.join(choices)}"


# The run: every field of Settings, in the order the page shows them.
RUN = (
    Field(
        "lr",
        "lr",
        2e-5,
        "Exact learning rate",
        "The step size: each step moves by lr × gradient.",
        "float",
        1e-12,
        1e6,
        library=(0.0, None),
        cli="--lr",
        noun="learning rate",
        open=("low",),
    ),
    Field(
        "steps",
        "steps",
        1000,
        "Steps",
        "Optimizer steps T; the trajectory has T + 1 points.",
        "int",
        1,
        MAX_STEPS,
        cli="--steps",
    ),
    Field(
        "p0",
        "p0",
        NOTEBOOK_P0,
        "p0",
        "The starting p; 'random' draws it from U(0, 1) with the seed, like torch.rand.",
        "float",
        0.0,
        1.0,
        library=(None, None),
        cli="--p0",
        none="random",
    ),
    Field(
        "seed",
        "seed",
        0,
        "seed",
        "Seeds the random p0 (torch.rand) and the minibatch draws.",
        "int",
        0,
        MAX_WIDGET_INT,
        library=(0, 2**64 - 1),
        cli="--seed",
    ),
    Field(
        "optimizer",
        "opt",
        "gd",
        "Optimizer",
        "The torch optimizer that takes the steps.",
        "choice",
        choices=OPTIMIZER_NAMES,
        cli="--optimizer",
    ),
    Field(
        "beta",
        "beta",
        0.9,
        "β (momentum; Adam's β₁)",
        "Momentum's β, and Adam's β₁.",
        "float",
        0.0,
        0.99,
        library=(0.0, 1.0),
        cli="--beta",
        open=("high",),
    ),
    Field(
        "batch_size",
        "batch",
        20,
        "Batch size (drawn with replacement)",
        "Samples per minibatch (minibatch SGD only), drawn with replacement.",
        "int",
        1,
        100_000,
        library=(1, None),
        cli="--batch-size",
        noun="batch size",
    ),
    Field(
        "param",
        "param",
        "p",
        "Parameter",
        "The parameter optimized: p itself, or θ = logit p with p = σ(θ).",
        "choice",
        choices=PARAM_NAMES,
        cli="--param",
    ),
    Field(
        "loss",
        "loss",
        "sum",
        "Loss",
        "The summed NLL over the samples (the notebook) or their mean.",
        "choice",
        choices=LOSS_NAMES,
        cli="--loss",
    ),
    Field(
        "dtype",
        "dtype",
        "float32",
        "dtype",
        "The torch dtype of the parameter and the loss.",
        "choice",
        choices=DTYPE_NAMES,
        cli="--dtype",
    ),
    Field(
        "tol",
        "tol",
        1e-6,
        "converged once |p − p̂| ≤",
        "Converged once |p_t − p̂| stays within this for the rest of the run.",
        "float",
        1e-15,
        0.1,
        library=(0.0, None),
        cli="--tol",
        open=("low",),
    ),
)

# A generated sample: n values drawn with probability true_p, seeded.
GENERATE = (
    Field("n", "n", 200, "n", "How many values to draw.", "int", 1, MAX_VALUES, cli="--generate"),
    Field(
        "true_p",
        "true_p",
        0.7,
        "true p",
        "The probability of a one.",
        "float",
        0.0,
        1.0,
        cli="--true-p",
    ),
    Field(
        "seed",
        "data_seed",
        0,
        "data seed",
        "Seeds the draw (numpy).",
        "int",
        0,
        MAX_WIDGET_INT,
        library=(0, None),  # numpy takes any seed >= 0
    ),
)

FIELDS = {f.name: f for f in RUN}  # the run's fields by Settings attribute
DEFAULTS = {f.name: f.default for f in RUN}  # what Settings() holds
GENERATE_FIELDS = {f.name: f for f in GENERATE}  # a generated sample's fields by Source attribute
GENERATE_DEFAULTS = {f.name: f.default for f in GENERATE}


@dataclass(frozen=True)
class LinkKey:
    """One key of the link besides the run's and the generated sample's fields.

    ``kind`` says how its text reads: "choice" (one of ``choices``), "int" (a whole number
    from 0 to ``high``), "text" (up to ``high`` characters), "symbol" (1 to ``high``
    characters, not all blank), "flag" (1 or 0, ``words`` saying what 1 turns on), "card"
    (a challenge's number, from 1 to the number of cards), "cards" (such numbers,
    comma-separated) or "code" (its first value, cut to ``high`` characters).
    """

    key: str  # the link's query key, and the session value it sets on the page
    name: str  # what it fills: a Source field, "kind" (the sample's), "view", or the key
    default: object
    kind: str
    high: int | None = None
    choices: tuple[str, ...] = ()
    words: str = ""


# The sample's and the view's keys (read by bernoulli.io.share).
SAMPLE_LINK = (
    LinkKey("data", "kind", "notebook", "choice", choices=SOURCES),
    LinkKey("text", "text", None, "text", MAX_LINK_TEXT),
    LinkKey("one", "one", None, "symbol", MAX_ONE),
    LinkKey("resample", "resample", None, "choice", choices=tuple(RESAMPLES)),
    LinkKey("resample_seed", "resample_seed", None, "int", MAX_WIDGET_INT),
    LinkKey("view", "view", next(iter(VIEWS)), "choice", choices=tuple(VIEWS)),
)
# The page's own keys (page_link reads them for ui.state): presenter mode, the lesson.
PAGE_LINK = (
    LinkKey("present", "present", False, "flag", words="presenter mode"),
    # Off on a fresh page, so that nothing stands between a newcomer and Play; a teacher's
    # link turns it on (predict=1), "Just show me" or the bar's toggle turns it off again.
    LinkKey("predict", "predict", False, "flag", words="predict first"),  # a prediction first
    LinkKey("card", "card", 1, "card"),  # the open challenge
    LinkKey("solved", "solved", (), "cards"),  # the challenges solved
    LinkKey("class", "class", "", "code", MAX_CODE_TEXT),  # a student's class
    LinkKey("teach", "teach", "", "code", MAX_CODE_TEXT),  # the teacher's class, kept on reload
)
LINK = {row.key: row for row in (*SAMPLE_LINK, *PAGE_LINK)}


def _default(name: str) -> Any:
    """The table's default of the run's field `name`."""
    return FIELDS[name].default


@dataclass(frozen=True)
class Settings:
    """Everything that decides a run; two equal Settings on the same (n, k) give the same run.

    One field per row of `RUN`, in its order, with its default; each value is checked against
    its row (`Field.problem`) and all problems are raised in one ValueError. p0 None draws the
    start uniformly from (0, 1) with `seed`.
    """

    lr: float = _default("lr")
    steps: int = _default("steps")
    p0: float | None = _default("p0")
    seed: int = _default("seed")
    optimizer: str = _default("optimizer")
    beta: float = _default("beta")
    batch_size: int = _default("batch_size")
    param: str = _default("param")
    loss: str = _default("loss")
    dtype: str = _default("dtype")
    tol: float = _default("tol")

    def __post_init__(self) -> None:
        problems = [f.problem(getattr(self, f.name)) for f in RUN]
        problems = [p for p in problems if p] or [lr_overflow(self)]
        problems = [p for p in problems if p]
        if problems:
            raise ValueError("; ".join(problems))

    def replace(self, **changes: Any) -> Settings:
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)


DTYPE_MAX = {"float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308}


def lr_overflow(s: Settings) -> str | None:
    """Why torch cannot step with this lr in this dtype (it would raise), or None.

    Adam's first step divides lr by 1 − β (its bias correction): that too must be a number.
    """
    most = DTYPE_MAX[s.dtype]
    if s.optimizer == "adam" and s.lr / (1 - s.beta) > most:
        return (
            f"learning rate must be at most {most * (1 - s.beta):.6g} for Adam with "
            f"β = {s.beta:g} in {s.dtype} (lr/(1 − β) must be a {s.dtype} number), "
            f"not {s.lr:g}"
        )
    if s.lr > most:
        return f"learning rate must be at most {most:.6g} in {s.dtype}, not {s.lr:g}"
    return None
