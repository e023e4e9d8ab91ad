"""A class: its codes, and the stores (SQLite, Redis) its votes and points live in."""
