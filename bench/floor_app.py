"""The floor page: the least a Streamlit page that serves one cached Plotly figure of 200 frames
costs.

Benchmarks compare the app against it in the same run (`streamlit run floor_app.py`). This
copy, for bench/bench_class.py, adds a number input (the figure's decay, 0.98 as in the floor
page) to time a rerun after a widget change, and the figure's alt text naming it (to see the
new figure drawn)."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")


@st.cache_resource
def figure(decay=0.98):
    p = np.linspace(0.001, 0.999, 400)
    nll = -(145 * np.log(p) + 55 * np.log(1 - p))
    traj = 0.725 + 0.6 * (decay ** np.arange(200)) * np.cos(np.arange(200))
    fig = go.Figure(
        data=[
            go.Scatter(x=p, y=nll),
            go.Scatter(x=[traj[0]], y=[0], mode="markers"),
            go.Scatter(x=np.arange(200), y=traj),
        ],
        frames=[
            go.Frame(
                data=[
                    go.Scatter(x=[traj[i]], y=[0]),
                    go.Scatter(x=np.arange(i + 1), y=traj[: i + 1]),
                ],
                traces=[1, 2],
                name=str(i),
            )
            for i in range(200)
        ],
    )
    fig.update_layout(
        updatemenus=[
            dict(type="buttons", buttons=[dict(label="Play", method="animate", args=[None])])
        ],
        sliders=[
            dict(
                steps=[
                    dict(method="animate", args=[[str(i)]], label=str(i)) for i in range(0, 200, 2)
                ]
            )
        ],
    )
    return fig


st.title("Reference page")
decay = st.number_input("Decay", 0.5, 0.999, 0.98, step=0.001, format="%.4f")
st.plotly_chart(figure(decay), alt=f"Reference figure, decay {decay:.4f}")
