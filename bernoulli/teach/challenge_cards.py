"""The words of the challenge cards (``bernoulli.teach.challenges`` checks them).

``start`` is what a card loads, by link key (``share``): a place near the goal but not at it,
on the notebook's sample. ``needs`` are the Settings a card is about (its check says so when
they differ).
"""

from __future__ import annotations

_GD_P = {"optimizer": "gd", "param": "p"}

CARDS = (
    {
        "number": 1,
        "title": "Zig-zag, but arrive",
        "goal": "Find a learning rate where gradient descent in p overshoots p̂, zig-zags around "
        "it, and still settles there.",
        "hint": "The sidebar shows 1/H and 2/H beside the learning rate. Below 1/H p walks "
        "straight in; try a rate between the two.",
        "explanation": "Near p̂ each step multiplies the error p − p̂ by 1 − lr·H. Between 1/H and "
        "2/H that factor is between −1 and 0: the sign flips every step (the zig-zag) while the "
        "size still shrinks (it arrives).",
        "start": {"opt": "gd", "param": "p", "loss": "sum", "lr": "0.0005", "p0": "0.7"}
        | {"steps": "300"},
        "needs": _GD_P,
    },
    {
        "number": 2,
        "title": "The edge of convergence",
        "goal": "From p0 = 0.5, find the largest learning rate for which gradient descent in p "
        "still converges to p̂ (within 5% below the true edge counts).",
        "hint": "Start near 2/H and bisect: if it converges, go higher; if not, go lower.",
        "explanation": "The edge sits just below 2/H: at 2/H the factor 1 − lr·H is −1 and the "
        "error stops shrinking, so with a finite number of steps the last rates below it do not "
        "arrive in time. Far from p̂ the first steps follow the curve's real shape, not H, which "
        "is why the edge is found by running, not by formula.",
        "start": {"opt": "gd", "param": "p", "loss": "sum", "lr": "0.001", "p0": "0.5"}
        | {"steps": "1000"},
        "needs": _GD_P | {"p0": 0.5},
    },
    {
        "number": 3,
        "title": "Out in exactly three",
        "goal": "Make p leave (0, 1) at exactly step 3: not 2, not 4.",
        "hint": "Raise the learning rate: the larger it is, the sooner p escapes. Step 3 is a "
        "narrow band of rates.",
        "explanation": "Above 2/H each step overshoots p̂ by more than the last, so the error "
        "grows by a factor of about |1 − lr·H| per step, faster and faster as p nears 0 or 1 "
        "where the curve steepens. A larger lr means fewer steps to the edge.",
        "start": {"opt": "gd", "param": "p", "loss": "sum", "lr": "0.0025", "p0": "0.7"}
        | {"steps": "100"},
        "needs": {},
    },
    {
        "number": 4,
        "title": "Escape below 2/H",
        "goal": "Keep the learning rate below 2/H and still make gradient descent in p leave "
        "(0, 1).",
        "hint": "2/H is about the curvature at p̂. Where is the NLL curved much more, and what "
        "happens if the run starts there?",
        "explanation": "2/H is a local limit: it holds near p̂. Near 0 or 1 the gradient −k/p + "
        "(n − k)/(1 − p) is huge, so from a start far from p̂ the very first step −lr·g can jump "
        "past the other edge, whatever 2/H says.",
        "start": {"opt": "gd", "param": "p", "loss": "sum", "lr": "0.0015", "p0": "0.7"}
        | {"steps": "300"},
        "needs": _GD_P,
    },
    {
        "number": 5,
        "title": "Momentum overshoots",
        "goal": "With momentum (β = 0.9), find a learning rate below 1/H (where plain gradient "
        "descent walks straight in) at which p still zig-zags into p̂.",
        "hint": "Try a rate well below 1/H, and keep enough steps for p to settle.",
        "explanation": "Momentum adds β times the last step to each step. That velocity carries p "
        "past p̂ whenever lr·H > (1 − √β)², which for β = 0.9 is 0.0026: almost any rate. It "
        "settles as long as lr·H < 2(1 + β).",
        "start": {"opt": "momentum", "beta": "0.9", "param": "p", "loss": "sum", "lr": "0.0015"}
        | {"p0": "0.7", "steps": "1000"},
        "needs": {"optimizer": "momentum"},
    },
    {
        "number": 6,
        "title": "Chaos in logit",
        "goal": "Make gradient descent in logit θ go chaotic: p never settles, never repeats, and "
        "never leaves (0, 1).",
        "hint": "Raise lr past 2/H: the 2-cycle splits into 4, 8, … and then chaos (the "
        "explorer's bifurcation diagram in logit shows where). Keep 1000 steps.",
        "explanation": "In θ a step is at most lr·n, so θ can never run off to infinity and p "
        "stays inside (0, 1). Above 2/H p̂ repels, and the update map folds the line back on "
        "itself like the logistic map: period doubling, then chaos, where two paths that start "
        "side by side fly apart.",
        "start": {"opt": "gd", "param": "logit", "loss": "sum", "lr": "0.06", "p0": "0.7"}
        | {"steps": "1000"},
        "needs": {"optimizer": "gd", "param": "logit"},
    },
    {
        "number": 7,
        "title": "Make Adam fail",
        "goal": "Make Adam throw p out of (0, 1).",
        "hint": "Adam moves p by about lr each step, whatever the gradient. How far is the "
        "nearest edge from the start?",
        "explanation": "Adam divides the step by the gradient's running size, so its first step "
        "is almost exactly lr, in the direction downhill. 1/H and 2/H do not limit it: a lr "
        "larger than the distance to the edge leaves (0, 1).",
        "start": {"opt": "adam", "param": "p", "loss": "sum", "lr": "0.01", "p0": "0.7"}
        | {"steps": "300"},
        "needs": {"optimizer": "adam"},
    },
    {
        "number": 8,
        "title": "Sum or mean",
        "goal": "With the mean NLL instead of the sum, make gradient descent zig-zag into p̂.",
        "hint": "The mean is the sum divided by n: so is its curvature H. What happens to 1/H "
        "and 2/H?",
        "explanation": "Dividing the loss by n divides the gradient and H by n, so every "
        "threshold is n times larger: the same run needs an n times larger lr. Libraries "
        "average losses, which is why their learning rates look so much larger.",
        "start": {"opt": "gd", "param": "p", "loss": "mean", "lr": "0.0015", "p0": "0.7"}
        | {"steps": "300"},
        "needs": {"optimizer": "gd", "loss": "mean"},
    },
)
