"""skintern: distil CoT reasoning and symbolic knowledge into small language models (SKIntern)."""

__version__ = "0.1.0"
