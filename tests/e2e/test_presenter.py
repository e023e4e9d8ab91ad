"""Presenter mode on a projector: the explorer's words (tab names, widget labels, sentences)
are drawn larger than on the plain page, at least as large as the run view's body text."""

from __future__ import annotations

from .conftest import shot, wait_for_script

# Computed font sizes (CSS px) of the explorer's words and of the page's body text.
SIZES = """() => {
    const size = (selector) => {
        const element = document.querySelector(selector);
        return element ? parseFloat(getComputedStyle(element).fontSize) : null;
    };
    const panel = '[data-testid=stMain] [role=tabpanel]';
    return {
        root: parseFloat(getComputedStyle(document.documentElement).fontSize),
        tab: size('[data-testid=stMain] [data-testid=stTab] p'),
        label: size(panel + ' [data-testid=stWidgetLabel] p'),
        sentence: size(panel + ' [data-testid=stMarkdown] p'),
    };
}"""


def explorer_sizes(pg, url: str) -> dict:
    pg.goto(url)
    pg.wait_for_selector("[data-testid=stMain] [role=tabpanel] .js-plotly-plot", timeout=120_000)
    wait_for_script(pg, timeout=120_000)
    return pg.evaluate(SIZES)


def test_explorer_words_are_large_in_presenter_mode(page, app_url):
    plain = explorer_sizes(page, app_url + "/?view=explore")
    shot(page, "explorer-plain")
    big = explorer_sizes(page, app_url + "/?view=explore&present=1")
    shot(page, "explorer-presenter")
    assert all(value is not None for value in (*plain.values(), *big.values())), (plain, big)
    for word in ("tab", "label", "sentence"):
        assert big[word] > plain[word] * 1.2, (word, plain, big)
        # no explorer word smaller than body text on the projector (Streamlit: 0.875rem)
        assert big[word] >= big["root"], (word, big)
    assert big["sentence"] > big["root"]
