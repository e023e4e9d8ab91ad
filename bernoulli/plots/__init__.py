"""Plotly figures of runs and sweeps, one module per figure (import from the module)."""
