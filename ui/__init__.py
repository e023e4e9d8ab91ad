"""The page's parts: each draws one section of the page and returns plain values."""
