"""Security and session isolation, read from the code and the library.

Nothing a user sends is evaluated, unpickled or rendered as HTML; Streamlit's XSRF protection
is on; link parameters are validated with bounds; and nothing mutable is shared between
sessions: no module-level state that code changes, and every ``st.cache_resource`` value (one
object for every session) is either immutable or never modified. The same checks on the page
(AppTest) are in tests/page/test_security.py, against a live server in
tests/load/test_security.py.
"""

from __future__ import annotations

import ast
import math
import re
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bernoulli.data import samples
from bernoulli.engine.optimize import MAX_STEPS, Settings
from bernoulli.io import export, share
from tests.helpers import ROOT

APP = ROOT / "app.py"
UI = sorted((ROOT / "ui").rglob("*.py"))  # the page's parts: state, sidebar, views, explorer
RUN_VIEW = ROOT / "ui" / "run_view.py"  # where the animated figure is cached and drawn
# Everything that runs inside the server: the page, its parts and the library.
SERVED = [APP, *UI, *sorted((ROOT / "bernoulli").rglob("*.py"))]
# Imported once per server process, so their module globals are shared by every session
# (app.py itself is executed afresh, in a new module, at each run of each session).
SHARED_MODULES = SERVED[1:]
PAGES = [APP, *UI]


def parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


# --- 1. nothing a user sends is evaluated or unpickled ------------------------------------

FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "breakpoint"}
FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "dill",
    "cloudpickle",
    "joblib",
    "marshal",
    "shelve",
    "jsonpickle",
    "yaml",
    "subprocess",
    "ctypes",
    "code",
    "codeop",
}
FORBIDDEN_ATTRIBUTES = {  # (object name, attribute): each deserializes or runs arbitrary code
    ("torch", "load"),
    ("np", "load"),
    ("numpy", "load"),
    ("pd", "read_pickle"),
    ("pandas", "read_pickle"),
    ("os", "system"),
    ("os", "popen"),
    ("os", "exec"),
    ("importlib", "import_module"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
}

SQL_CALLS = {"execute", "executescript"}  # sqlite3 and a redis pipeline's MULTI/EXEC: not code


def unsafe_code(tree: ast.AST) -> list[str]:
    """Each use of eval/exec/pickle-like deserializers or shell access in a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [a.name for a in node.names]
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            for name in names:
                if name.split(".")[0] in FORBIDDEN_MODULES:
                    found.append(f"line {node.lineno}: import {name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id in FORBIDDEN_CALLS:
                found.append(f"line {node.lineno}: {node.func.id}()")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            pair = (node.value.id, node.attr)
            sql = node.attr in SQL_CALLS  # the class store's parameterized SQL (test_store)
            if pair in FORBIDDEN_ATTRIBUTES or (node.attr.startswith("exec") and not sql):
                found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_the_scanner_finds_what_it_looks_for():
    bad = (
        "import pickle\nfrom yaml import load\nimport numpy as np\n"
        "eval(x)\nexec(y)\nnp.load(f)\nos.system(cmd)\ntorch.load(path)\n"
    )
    assert len(unsafe_code(ast.parse(bad))) == 7
    assert unsafe_code(ast.parse("import re\nre.compile('x')\nnp.loadtxt(f)\n")) == []


@pytest.mark.parametrize("path", SERVED, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_eval_pickle_or_shell(path):
    assert unsafe_code(parse(path)) == []


def module_strings(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound once to a constant string."""
    out: dict[str, str] = {}
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = value.value
    return out


def html_calls(tree: ast.Module) -> list[tuple[int, str | None]]:
    """Every call that renders raw HTML (st.html, components.html, unsafe_allow_html=True),
    with its HTML when that is a constant string (or one of the page's own files in
    ui/static, named by a constant: ``asset("keyboard.js")``), else None."""
    from ui.assets import asset

    constants = module_strings(tree)

    def constant(node) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return constants.get(node.id)
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "asset" and not node.keywords:
            (name,) = node.args
            return constant(name) and asset(constant(name))
        return None

    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else None
        unsafe = [
            kw
            for kw in node.keywords
            if kw.arg == "unsafe_allow_html"
            and not (isinstance(kw.value, ast.Constant) and kw.value.value is False)
        ]
        if name in ("html", "iframe") or unsafe:
            arg = node.args[0] if node.args else None
            found.append((node.lineno, constant(arg) if arg is not None else None))
    return found


def test_the_html_finder_tells_constants_from_user_text():
    tree = ast.parse(
        'CSS = "<style>a{}</style>"\nst.html(CSS)\nst.html(f"<b>{name}</b>")\n'
        "st.markdown(text, unsafe_allow_html=True)\nst.markdown(text, unsafe_allow_html=False)\n"
    )
    assert html_calls(tree) == [(2, "<style>a{}</style>"), (3, None), (4, None)]


@pytest.mark.parametrize("path", SERVED, ids=lambda p: str(p.relative_to(ROOT)))
def test_raw_html_is_only_ever_a_constant(path):
    for line, html in html_calls(parse(path)):
        assert html is not None, f"{path.name} line {line}: HTML built from variables"


def test_exports_escape_and_embed_no_user_text():
    import plotly.graph_objects as go

    page = export.animation_html(go.Figure(), title='</title><script>alert("x")</script>')
    assert "<script>alert" not in page and "&lt;/title&gt;&lt;script&gt;" in page
    # An upload's file name never reaches the runnable script: only numbers do.
    script = export.torch_script(samples.Sample(4, 1, None, "upload.csv"), Settings())
    assert "an uploaded sample of n = 4 values, k = 1 ones" in script
    compile(script, "bernoulli_run.py", "exec")  # valid Python: parsed here, never run


# --- 2. sessions share nothing mutable ------------------------------------------------------

MUTATING_METHODS = {
    "append",
    "extend",
    "insert",
    "update",
    "setdefault",
    "pop",
    "popitem",
    "clear",
    "add",
    "discard",
    "remove",
    "sort",
    "reverse",
    "__setitem__",
    "__delitem__",
    "appendleft",
}
MUTABLE_FACTORIES = {"dict", "list", "set", "defaultdict", "deque", "OrderedDict", "Counter"}
PROCESS_WIDE = {  # calls that change state every session would see
    ("torch", "manual_seed"),
    ("torch", "set_default_dtype"),
    ("torch", "set_num_threads"),
    ("torch", "set_default_device"),
    ("torch", "use_deterministic_algorithms"),
    ("np", "seterr"),
    ("numpy", "seterr"),
    ("random", "seed"),
    ("os", "chdir"),
    ("sys", "setrecursionlimit"),
    ("csv", "field_size_limit"),
}


def shared_state_problems(tree: ast.Module) -> list[str]:
    """Module state a session could change for every other session: `global` rebinding, a
    module-level dict/list/set that code mutates, functools caches, process-wide settings."""
    mutable = set()
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign) and node.value is not None:
            targets = [node.target]
        value = getattr(node, "value", None)
        is_mutable = isinstance(
            value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp
        ) or (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id in MUTABLE_FACTORIES
        )
        if is_mutable:
            mutable |= {t.id for t in targets if isinstance(t, ast.Name)}
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", "?")
        if isinstance(node, ast.Global):
            found.append(f"line {line}: global {', '.join(node.names)}")
        elif isinstance(node, ast.Subscript | ast.Attribute) and isinstance(
            node.ctx, ast.Store | ast.Del
        ):
            base = node.value
            if isinstance(base, ast.Name) and base.id in mutable:
                found.append(f"line {line}: {base.id}[...] changed")
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            if node.target.id in mutable:
                found.append(f"line {line}: {node.target.id} changed in place")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name):
                if owner.id in mutable and node.func.attr in MUTATING_METHODS:
                    found.append(f"line {line}: {owner.id}.{node.func.attr}()")
                if (owner.id, node.func.attr) in PROCESS_WIDE:
                    found.append(f"line {line}: process-wide {owner.id}.{node.func.attr}()")
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                text = ast.unparse(deco)
                if re.search(r"\b(lru_cache|functools\.cache|cache)\b", text) and "st." not in text:
                    found.append(f"line {line}: process-wide cache @{text} on {node.name}")
    return found


def test_the_shared_state_finder_finds_it():
    bad = (
        "SEEN = {}\nLOG = []\nN = 0\n"
        "def f(x):\n    global N\n    SEEN[x] = 1\n    LOG.append(x)\n    torch.manual_seed(1)\n"
        "@functools.lru_cache\ndef g(): return []\n"
    )
    assert len(shared_state_problems(ast.parse(bad))) == 5
    assert shared_state_problems(ast.parse("A = {'x': 1}\ndef f(): return A['x']\n")) == []


@pytest.mark.parametrize("path", SHARED_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_shared_mutable_module_state(path):
    assert shared_state_problems(parse(path)) == []


def test_app_changes_no_process_wide_state():
    # app.py's own globals are new at each run, but a process-wide setting reaches everyone.
    assert [p for p in shared_state_problems(parse(APP)) if "process-wide" in p] == []


def cache_resource_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            for deco in node.decorator_list:
                if "cache_resource" in ast.unparse(deco):
                    found[node.name] = node
    return found


# What each st.cache_resource function returns, and why sharing it is safe.
SHARED_RESOURCES = {
    "sidebar.py:notebook_sample": "a frozen Sample with read-only values",
    "sidebar.py:generated_sample": "a frozen Sample with read-only values",
    "run_view.py:figure_cached": "a plotly Figure: mutable, so only ever handed to st.plotly_chart",
    "class_common.py:_store": "the classes' Store (a SQLite path, or a thread-safe Redis client)",
    "class_common.py:question_run": "a frozen Sample with read-only values and frozen Settings",
    "scrub.py:_component": "the preview's component: its page code, registered once, no state",
    **{
        f"cache.py:{name}_cached": "explorer Figure(s), only handed to st.plotly_chart"
        for name in [
            "sweep_figure",
            "map_figures",
            "bifurcation_figure",
            "cobweb_figure",
            "race_figure",
            "sum_mean_figure",
        ]
    },
}


def test_every_cache_resource_is_accounted_for():
    found = {
        f"{path.name}:{name}" for path in PAGES for name in cache_resource_functions(parse(path))
    }
    assert found == set(SHARED_RESOURCES)


# Where a shared Figure may go: each only reads it (to_dict / to_html copy or only read it; checked
# in test_sessions_sharing_the_cached_figure_leave_it_unchanged).
FIGURE_READERS = ("plotly_chart", "animation_html")


def imported_functions(tree: ast.Module) -> dict[str, ast.FunctionDef]:
    """The page's own functions a module imports, from their files: ``from ui.x import f`` as
    ``f`` and ``from ui import x`` as ``x.f``."""
    found = {}
    for node in tree.body:
        if not isinstance(node, ast.ImportFrom):
            continue
        if (node.module or "").startswith("ui."):
            source = parse(ROOT / f"{node.module.replace('.', '/')}.py")
            defs = {n.name: n for n in source.body if isinstance(n, ast.FunctionDef)}
            found |= {a.asname or a.name: defs[a.name] for a in node.names if a.name in defs}
        elif node.module == "ui":
            for alias in node.names:
                path = ROOT / "ui" / f"{alias.name}.py"
                if path.exists():
                    defs = (n for n in parse(path).body if isinstance(n, ast.FunctionDef))
                    found |= {f"{alias.asname or alias.name}.{n.name}": n for n in defs}
    return found


def uses_of(tree: ast.Module, function: str) -> list[str]:
    """Where the values `function` returns go: the reader's name for each use that is the
    first argument of a FIGURE_READERS call (directly, or through the parameters of the page's
    own functions, in the module or imported from ui/), else the offending line."""
    local = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    local |= imported_functions(tree)
    parents = {
        child: node
        for root in (tree, *local.values())
        for node in ast.walk(root)
        for child in ast.iter_child_nodes(node)
    }

    def scope_of(node):
        while not isinstance(node, ast.FunctionDef | ast.Module):
            node = parents[node]
        return node

    def follow(value: ast.expr, seen: frozenset) -> list[str]:
        holder = parents[value]
        if isinstance(holder, ast.Call) and value in holder.args:
            full = ast.unparse(holder.func)
            callee = full if full in local else full.split(".")[-1]
            index = holder.args.index(value)
            if callee in FIGURE_READERS and index == 0:
                return [callee]
            if callee in local and callee not in seen:
                name = local[callee].args.args[index].arg
                return names_in(local[callee], name, seen | {callee})
        if isinstance(holder, ast.Assign) and [type(t) for t in holder.targets] == [ast.Name]:
            return names_in(scope_of(holder), holder.targets[0].id, seen)
        return [f"line {value.lineno}: {ast.unparse(holder)[:70]}"]

    def names_in(scope, name: str, seen: frozenset) -> list[str]:
        return [
            use
            for node in ast.walk(scope)
            if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load)
            for use in follow(node, seen)
        ]

    calls = [
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func) == function
    ]
    return [use for call in calls for use in follow(call, frozenset())]


def test_the_cached_figure_only_goes_to_readers():
    uses = uses_of(parse(RUN_VIEW), "figure_cached")
    assert "plotly_chart" in uses and set(uses) <= set(FIGURE_READERS), uses
    bad = ast.parse(
        "def show(f, g):\n    st.plotly_chart(f)\n    g.update_layout(height=3)\n"
        "fig = figure_cached(1)\nst.plotly_chart(fig)\nshow(fig, fig)\n"
    )
    assert uses_of(bad, "figure_cached") == [
        "plotly_chart",
        "plotly_chart",
        "line 3: g.update_layout",
    ]


def test_shared_samples_are_immutable():
    for sample in (samples.notebook_sample(), samples.generate(50, 0.3, 1)):
        with pytest.raises(AttributeError):
            sample.n = 3  # frozen dataclass
        assert not sample.values.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            sample.values[0] = 1


# --- 3. link parameters: bounds, and no markup of the input in what is shown -------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "[x](javascript:alert(1))",
    "**bold** `code` $x$",
    "\u202e\x00\n",
]


@pytest.mark.parametrize("key", sorted(share._KEYS))
@pytest.mark.parametrize("payload", PAYLOADS)
def test_markup_in_any_parameter_is_escaped_in_its_note(key, payload):
    got = share.decode({key: payload, "data": "generate"} if key in share._DATA else {key: payload})
    (note,) = [n for n in got.notes if n.startswith(f"Ignored {key}")]
    assert not set(note) & set("<>[]()*`$\"'\n\x00\u202e") - set('"'), note
    assert note.count('"') == 2 and note.isprintable()


def test_a_huge_query_is_cheap_and_bounded():
    params = {f"k{i}": "x" * 10_000 for i in range(2_000)} | {"lr": "1" * 100_000}
    start = time.perf_counter()
    got = share.decode(params)
    assert time.perf_counter() - start < 1.0
    assert len(got.notes) == 1 + share._MAX_NOTES + 1 and got.settings == Settings()
    assert sum(len(n) for n in got.notes) < 2_000


NUMBER_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["1e-13", "1e-12", "1e6", "1000000.0000001", "100001", "100000", "-0", "0"]),
    st.from_regex(r"[+-]?[0-9]{1,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(share.BOUNDS)), NUMBER_TEXT, max_size=10))
def test_accepted_numbers_are_within_their_bounds(raw):
    got = share.decode({"data": "generate", **raw})
    s, src = got.settings, got.source
    values = {
        "lr": s.lr,
        "steps": s.steps,
        "p0": s.p0,
        "seed": s.seed,
        "beta": s.beta,
        "batch": s.batch_size,
        "tol": s.tol,
        "n": src.n,
        "true_p": src.true_p,
        "data_seed": src.seed,
    }
    for key, value in values.items():
        low, high = share.BOUNDS[key]
        assert value is not None and math.isfinite(value) and low <= value <= high, (key, value)
        if isinstance(low, int):
            assert isinstance(value, int)
    assert s.steps <= MAX_STEPS and s.beta < 1
    for key, text in raw.items():  # each given value was taken exactly, or noted and ignored
        if not any(n.startswith(f"Ignored {key}=") for n in got.notes):
            exact = int(text) if isinstance(share.BOUNDS[key][0], int) else float(text)
            assert values[key] == exact, (key, text)


# --- 5. the server's configuration: XSRF on, upload cap -------------------------------------------


def test_config_turns_on_xsrf_and_sets_the_cap():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    assert server.get("enableCORS", True) is True
    assert server["maxUploadSize"] * 2**20 == samples.MAX_BYTES  # Streamlit's MB are MiB
    assert config["client"]["showErrorDetails"] == "none"
