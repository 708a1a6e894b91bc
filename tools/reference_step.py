"""A PyTorch training step of the MiniMind2 shapes, for a side-by-side with `bench train` on the same GPU.

ENGINEERING.md's anchors were measured on an H200 with the original MiniMind code; a session may be lent an H100
instead, and this gives the PyTorch figure on whatever card is at hand. Written from the architecture as the studio
implements it (Engine/Model), in the original's style: bf16 autocast, fp32 weights, AdamW, clip_grad_norm_ every
step, the loss read back only every 100 steps, MoE experts run one boolean mask at a time. Not the original code,
so its figure sits beside the anchors rather than replacing them.

    python3 tools/reference_step.py --preset small --batch 32 --seq 511 --steps 60
One JSON line: ms per step, tokens/s, peak memory (torch.cuda.max_memory_allocated).
"""
import argparse
import json
import math
import time

import torch
import torch.nn.functional as F
from torch import nn

PRESETS = {  # dim, layers, heads, kv heads, moe
    "tiny": (128, 4, 4, 2, False),
    "small": (512, 8, 8, 2, False),
    "base": (768, 16, 8, 2, False),
    "moe": (640, 8, 8, 2, True),
}
VOCAB, THETA, EPS = 6400, 1e6, 1e-5


def hidden_dim(dim, multiple_of=64):
    h = int(2 * (4 * dim) / 3)
    return multiple_of * ((h + multiple_of - 1) // multiple_of)


class RMSNorm(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        return self.weight * (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + EPS)).type_as(x)


def rotary(head_dim, length, device):
    freqs = 1.0 / (THETA ** (torch.arange(0, head_dim, 2, device=device)[: head_dim // 2].float() / head_dim))
    return torch.polar(torch.ones(length, head_dim // 2, device=device), torch.outer(torch.arange(length, device=device).float(), freqs))


def rotate(x, pos_cis):
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))
    return torch.view_as_real(xc * pos_cis.view(1, xc.shape[1], 1, xc.shape[-1])).flatten(3).type_as(x)


class Attention(nn.Module):
    def __init__(self, dim, heads, kv_heads):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.wq = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.wk = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(heads * self.head_dim, dim, bias=False)

    def forward(self, x, pos_cis):
        b, t, _ = x.shape
        q = rotate(self.wq(x).view(b, t, self.heads, self.head_dim), pos_cis)
        k = rotate(self.wk(x).view(b, t, self.kv_heads, self.head_dim), pos_cis)
        v = self.wv(x).view(b, t, self.kv_heads, self.head_dim)
        rep = self.heads // self.kv_heads
        k = k.repeat_interleave(rep, dim=2)
        v = v.repeat_interleave(rep, dim=2)
        q, k, v = (z.transpose(1, 2) for z in (q, k, v))
        if hasattr(F, "scaled_dot_product_attention"):
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # PyTorch < 2.0 (a dry run on an old CPU build)
            scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
            scores = scores + torch.full((t, t), float("-inf"), device=x.device).triu(1)
            out = scores.softmax(-1).type_as(q) @ v
        return self.wo(out.transpose(1, 2).reshape(b, t, -1))


class FeedForward(nn.Module):
    def __init__(self, dim):
        super().__init__()
        h = hidden_dim(dim)
        self.w1 = nn.Linear(dim, h, bias=False)
        self.w2 = nn.Linear(h, dim, bias=False)
        self.w3 = nn.Linear(dim, h, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class MoE(nn.Module):
    """4 routed experts, top 2 renormalised, one shared expert, seq-aux loss 0.1: experts run one mask at a time."""

    def __init__(self, dim, experts=4, top_k=2):
        super().__init__()
        self.experts = nn.ModuleList(FeedForward(dim) for _ in range(experts))
        self.gate = nn.Linear(dim, experts, bias=False)
        self.shared = FeedForward(dim)
        self.top_k = top_k

    def forward(self, x):
        b, t, d = x.shape
        flat = x.reshape(-1, d)
        scores = self.gate(flat).float().softmax(-1)
        weights, picks = scores.topk(self.top_k, dim=-1)
        weights = weights / (weights.sum(-1, keepdim=True) + 1e-20)
        repeated = flat.repeat_interleave(self.top_k, dim=0)
        chosen = picks.reshape(-1)
        y = torch.empty_like(repeated)
        for i, expert in enumerate(self.experts):
            mask = chosen == i
            y[mask] = expert(repeated[mask]).to(y.dtype)
        y = (y.view(-1, self.top_k, d) * weights.unsqueeze(-1).to(y.dtype)).sum(1).view(b, t, d)
        counts = torch.zeros(b, scores.shape[-1], device=x.device).scatter_add_(
            1, picks.view(b, -1), torch.ones(b, t * self.top_k, device=x.device)) / (t * self.top_k / scores.shape[-1])
        aux = (counts * scores.view(b, t, -1).mean(1)).sum(1).mean() * 0.1
        return y + self.shared(x), aux


class Block(nn.Module):
    def __init__(self, dim, heads, kv_heads, moe):
        super().__init__()
        self.attention_norm, self.ffn_norm = RMSNorm(dim), RMSNorm(dim)
        self.attention = Attention(dim, heads, kv_heads)
        self.feed_forward = MoE(dim) if moe else FeedForward(dim)

    def forward(self, x, pos_cis):
        h = x + self.attention(self.attention_norm(x), pos_cis)
        out = self.feed_forward(self.ffn_norm(h))
        if isinstance(out, tuple):
            return h + out[0], out[1]
        return h + out, None


class Model(nn.Module):
    def __init__(self, dim, layers, heads, kv_heads, moe):
        super().__init__()
        self.tok_embeddings = nn.Embedding(VOCAB, dim)
        self.layers = nn.ModuleList(Block(dim, heads, kv_heads, moe) for _ in range(layers))
        self.norm = RMSNorm(dim)
        self.output = nn.Linear(dim, VOCAB, bias=False)
        self.tok_embeddings.weight = self.output.weight
        self.head_dim = dim // heads

    def forward(self, ids, pos_cis):
        h = self.tok_embeddings(ids)
        aux = torch.zeros((), device=ids.device)
        for layer in self.layers:
            h, layer_aux = layer(h, pos_cis)
            if layer_aux is not None:
                aux = aux + layer_aux
        return self.output(self.norm(h)), aux


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="small", choices=PRESETS)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seq", type=int, default=511)
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    device = torch.device(args.device)
    torch.manual_seed(0)
    model = Model(*PRESETS[args.preset]).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01)
    pos_cis = rotary(model.head_dim, args.seq, device)
    ids = torch.randint(0, VOCAB, (args.batch, args.seq + 1), device=device)
    x, y = ids[:, :-1], ids[:, 1:]
    mask = torch.ones(args.batch, args.seq, device=device)
    cuda = device.type == "cuda"
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else torch.autocast("cpu", dtype=torch.bfloat16, enabled=False)

    def step():
        with autocast:
            logits, aux = model(x, pos_cis)
            loss = (F.cross_entropy(logits.float().view(-1, VOCAB), y.reshape(-1), reduction="none").view(y.shape) * mask).sum() / mask.sum() + aux
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return loss

    for _ in range(3):  # warm-up: allocator, cuBLAS, autotuning
        step().item()
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    start = time.perf_counter()
    for i in range(args.steps):
        loss = step()
        if i % 100 == 99:
            loss.item()
    loss.item()
    if cuda:
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / args.steps
    print(json.dumps({
        "benchmark": "reference_step",
        "framework": f"pytorch {torch.__version__}",
        "device": torch.cuda.get_device_name(device) if cuda else "cpu",
        "preset": args.preset,
        "parameters": sum(p.numel() for p in model.parameters()),
        "batch": args.batch,
        "seq": args.seq,
        "precision": "bf16 autocast" if cuda else "fp32",
        "ms_per_step": round(seconds * 1000, 2),
        "tokens_per_s": round(args.batch * args.seq / seconds),
        "peak_memory_gib": round(torch.cuda.max_memory_allocated(device) / 2**30, 2) if cuda else None,
        "loss": round(loss.item(), 4),
    }))


if __name__ == "__main__":
    main()
