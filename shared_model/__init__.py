"""Encore's recommendation model: pure Python (standard library only), the same code on the
server (CPython 3.11+) and in the browser (Pyodide). Plain data in, plain data out."""

from .features import FEATURE_NAMES, FEATURE_SCHEMA_VERSION, N_FEATURES, vectorize
from .labels import DEFAULT_SETTINGS, label
from .model import SNAPSHOT_VERSION, UserModel, decode, encode, sort_key, training_examples
from .ranking import rank, rank_ids
from .taste import KINDS as CORRECTION_KINDS
from .taste import Taste

__all__ = [
    "CORRECTION_KINDS",
    "DEFAULT_SETTINGS",
    "FEATURE_NAMES",
    "FEATURE_SCHEMA_VERSION",
    "N_FEATURES",
    "SNAPSHOT_VERSION",
    "Taste",
    "UserModel",
    "decode",
    "encode",
    "label",
    "rank",
    "rank_ids",
    "sort_key",
    "training_examples",
    "vectorize",
]
