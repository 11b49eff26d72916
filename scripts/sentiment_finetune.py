"""Fine-tune the MiniLM-L6 encoder for tweet sentiment with low-rank adapters (LoRA).

Used by `scripts/build_sentiment_model.py --head`; needs torch (`pip install torch==2.13.0`,
CPU build; a training dependency only: the product runs the result in numpy, embedding.py).

The encoder's own weights stay frozen. Each of its six layers' linear maps (query, key,
value, attention output, feed-forward up and down) learns a rank-RANK update W + s * B A, and
the layer norms and a softmax layer over the mean-pooled, L2-normalised embedding are trained
with them, by AdamW on class-balanced cross-entropy. The adapter (A, B with the scale folded
in, and the layer norms: 1.4 MB) is written as safetensors; the softmax layer becomes the
head file. Deterministic for a given torch build and thread count (both recorded in the card).
"""

from __future__ import annotations

import json
import math
import time

import numpy as np

RANK = 8
ALPHA = 16.0  # LoRA scale s = ALPHA / RANK
EPOCHS = 2
BATCH = 32
LEARNING_RATE = 1e-3
WEIGHT_DECAY = 0.01
WARMUP = 0.06  # share of the steps with a rising learning rate; then linear decay to 0
MAX_TOKENS = 128
THREADS = 2
# The pooled embedding is L2-normalised, so its logits are scaled up before the softmax
# layer (as a cosine classifier); the head file folds the scale into its weights.
LOGIT_SCALE = 10.0
LINEAR_KEYS = (
    ("query", "attention.self.query"),
    ("key", "attention.self.key"),
    ("value", "attention.self.value"),
    ("out", "attention.output.dense"),
    ("up", "intermediate.dense"),
    ("down", "output.dense"),
)
NORM_KEYS = ("attention.output.LayerNorm", "output.LayerNorm")


def parameters() -> dict[str, object]:
    """Return the training parameters, as recorded in the card."""
    return {
        "method": "LoRA on every linear map of the six layers, layer norms and a softmax "
        "layer trained with them; AdamW, class-balanced cross-entropy",
        "rank": RANK,
        "alpha": ALPHA,
        "epochs": EPOCHS,
        "batch": BATCH,
        "learning_rate": LEARNING_RATE,
        "weight_decay": WEIGHT_DECAY,
        "warmup": WARMUP,
        "max_tokens": MAX_TOKENS,
        "logit_scale": LOGIT_SCALE,
        "threads": THREADS,
    }


def finetune(
    texts: list[str], labels: np.ndarray, seed: int, log=print
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Train on (texts, class indices); return (adapter tensors, head weights (384, 3), bias)."""
    import torch
    import torch.nn.functional as F
    from brandpulse.analysis.embedding import model_dir, read_safetensors
    from tokenizers import Tokenizer

    torch.set_num_threads(THREADS)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    folder = model_dir()
    config = json.loads((folder / "config.json").read_text())
    base = read_safetensors(folder / "model.safetensors")
    heads = int(config["num_attention_heads"])
    eps = float(config["layer_norm_eps"])

    def frozen(name: str) -> torch.Tensor:
        return torch.tensor(np.array(base[name], dtype=np.float32))

    word = frozen("embeddings.word_embeddings.weight")
    position = (
        frozen("embeddings.position_embeddings.weight")
        + frozen("embeddings.token_type_embeddings.weight")[0]
    )
    emb_norm = (frozen("embeddings.LayerNorm.weight"), frozen("embeddings.LayerNorm.bias"))
    scale = ALPHA / RANK
    trained: dict[str, torch.nn.Parameter] = {}
    layers = []
    for i in range(int(config["num_hidden_layers"])):
        prefix = f"encoder.layer.{i}."
        layer = {}
        for short, key in LINEAR_KEYS:
            w, b = frozen(prefix + key + ".weight"), frozen(prefix + key + ".bias")
            out_dim, in_dim = w.shape
            a = torch.nn.Parameter(torch.randn(RANK, in_dim) / math.sqrt(in_dim))
            up = torch.nn.Parameter(torch.zeros(out_dim, RANK))
            trained[prefix + key + ".lora_a"] = a
            trained[prefix + key + ".lora_b"] = up
            layer[short] = (w, b, a, up)
        for key in NORM_KEYS:
            for part in ("weight", "bias"):
                name = f"{prefix}{key}.{part}"
                trained[name] = torch.nn.Parameter(frozen(name))
            layer[key] = (trained[f"{prefix}{key}.weight"], trained[f"{prefix}{key}.bias"])
        layers.append(layer)
    head = torch.nn.Linear(word.shape[1], 3)
    torch.nn.init.zeros_(head.weight)
    torch.nn.init.zeros_(head.bias)

    def linear(x: torch.Tensor, part: tuple) -> torch.Tensor:  # type: ignore[type-arg]
        w, b, a, up = part
        return F.linear(x, w, b) + (x @ a.T) @ up.T * scale

    def forward(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        n, length = ids.shape
        x = F.layer_norm(word[ids] + position[:length], (x_dim,), *emb_norm, eps)
        bias = torch.where(mask, 0.0, -1e9)[:, None, None, :]
        for layer in layers:
            q, k, v = (
                linear(x, layer[s]).view(n, length, heads, -1).transpose(1, 2)
                for s in ("query", "key", "value")
            )
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias, dim=-1)
            ctx = (att @ v).transpose(1, 2).reshape(n, length, -1)
            x = F.layer_norm(x + linear(ctx, layer["out"]), (x_dim,), *layer[NORM_KEYS[0]], eps)
            up = F.gelu(linear(x, layer["up"]), approximate="tanh")
            x = F.layer_norm(x + linear(up, layer["down"]), (x_dim,), *layer[NORM_KEYS[1]], eps)
        m = mask.float()[:, :, None]
        pooled = (x * m).sum(1) / m.sum(1).clamp(min=1e-9)
        pooled = pooled / pooled.norm(dim=1, keepdim=True).clamp(min=1e-12)
        return head(pooled * LOGIT_SCALE)

    x_dim = word.shape[1]
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    encoded = [e.ids for e in tokenizer.encode_batch(list(texts))]
    y = torch.tensor(labels, dtype=torch.long)
    counts = np.bincount(labels, minlength=3)
    weight = torch.tensor(len(labels) / (3 * counts), dtype=torch.float32)
    params = list(trained.values()) + list(head.parameters())
    optimiser = torch.optim.AdamW(params, lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    per_epoch = math.ceil(len(texts) / BATCH)
    total = per_epoch * EPOCHS
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min(1.0, s / (WARMUP * total)) * max(0.0, (total - s) / total)
    )
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    step = 0
    for epoch in range(EPOCHS):
        for chunk in _batches_by_length(encoded, rng):
            length = max(len(encoded[i]) for i in chunk)
            ids = torch.zeros((len(chunk), length), dtype=torch.long)
            mask = torch.zeros((len(chunk), length), dtype=torch.bool)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = torch.tensor(encoded[i])
                mask[row, : len(encoded[i])] = True
            loss = F.cross_entropy(forward(ids, mask), y[chunk], weight=weight)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 200 == 0:
                log(
                    f"  epoch {epoch + 1}/{EPOCHS}, step {step:,}/{total:,}, loss "
                    f"{loss.item():.3f}, {time.perf_counter() - start:.0f} s"
                )
    # The scale is folded into B, so the product adds B @ A and needs no other number.
    adapter = {
        name: p.detach().numpy() * np.float32(scale if name.endswith(".lora_b") else 1.0)
        for name, p in trained.items()
    }
    weights = (head.weight.detach().numpy().T * LOGIT_SCALE).astype(np.float32)
    return adapter, weights, head.bias.detach().numpy().astype(np.float32)


def _batches_by_length(encoded: list[list[int]], rng: np.random.Generator) -> list[list[int]]:
    """Return one epoch's batches: shuffled, then sorted by length within blocks of 50
    batches (little padding), and the batches shuffled."""
    order = rng.permutation(len(encoded))
    batches: list[list[int]] = []
    block = BATCH * 50
    for start in range(0, len(order), block):
        part = sorted(order[start : start + block].tolist(), key=lambda i: len(encoded[i]))
        batches += [part[j : j + BATCH] for j in range(0, len(part), BATCH)]
    return [batches[i] for i in rng.permutation(len(batches))]
