"""Samples in: decoding and parsing files, their layouts and symbols, and the shipped datasets."""
