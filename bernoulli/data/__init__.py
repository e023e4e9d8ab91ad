"""Samples in: parsing files, their layouts and symbols, and the shipped datasets."""
