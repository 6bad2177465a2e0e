"""The CLIP text encoder tau_theta of Stable Diffusion (Radford et al. 2021, "Learning Transferable Visual Models
From Natural Language Supervision"; a causal pre-norm transformer over byte-level BPE tokens).

Parameter names follow the Hugging Face ``CLIPTextModel`` layout (``text_model.embeddings.*``,
``text_model.encoder.layers.<i>.{self_attn,mlp,layer_norm1,layer_norm2}.*``, ``text_model.final_layer_norm.*``),
as in SD 1.x checkpoints (``cond_stage_model.transformer.*``) and diffusers' ``text_encoder/``; SD 2.x open_clip
weights (``cond_stage_model.model.*``) are renamed onto it by ``ldm_models.sd_keys``. Written anew;
TorchScript-able.

* SD 1.x: CLIP ViT-L/14 text tower, width 768, 12 layers, 12 heads, quick-GELU (x·sigmoid(1.702x)), the last
  layer's output after the final layer norm (``last_hidden_state``).
* SD 2.x: OpenCLIP ViT-H/14 text tower, width 1024, 16 heads, exact GELU, the output of the penultimate of its 24
  layers after the final layer norm (``layer="penultimate"``): built here with 23 layers.

    enc = CLIPTextEncoder(width=768, layers=12, heads=12, act="quick_gelu")
    context = enc(token_ids)      # int64 [N, 77] -> float [N, 77, 768]
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class _Embeddings(nn.Module):
    def __init__(self, vocab_size: int, width: int, max_tokens: int):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab_size, width)
        self.position_embedding = nn.Embedding(max_tokens, width)
        # HF keeps the positions as a buffer (saved in older files; not a weight)
        self.register_buffer("position_ids", torch.arange(max_tokens)[None], persistent=False)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        n = tokens.shape[1]
        return self.token_embedding(tokens) + self.position_embedding(self.position_ids[:, :n])


class _SelfAttention(nn.Module):
    """Multi-head causal self-attention: softmax(q·kᵀ/√d + causal mask)·v per head."""

    def __init__(self, width: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q_proj = nn.Linear(width, width)
        self.k_proj = nn.Linear(width, width)
        self.v_proj = nn.Linear(width, width)
        self.out_proj = nn.Linear(width, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, n, w = x.shape
        d = w // self.heads

        q = self.q_proj(x).reshape(b, n, self.heads, d).transpose(1, 2)    # [b, heads, n, d]
        k = self.k_proj(x).reshape(b, n, self.heads, d).transpose(1, 2)
        v = self.v_proj(x).reshape(b, n, self.heads, d).transpose(1, 2)
        s = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(d))
        mask = torch.full((n, n), float("-inf"), device=x.device, dtype=s.dtype).triu(1)
        a = torch.matmul(torch.softmax(s + mask, dim=-1), v)
        return self.out_proj(a.transpose(1, 2).reshape(b, n, w))


class _MLP(nn.Module):
    def __init__(self, width: int, hidden: int, act: str):
        super().__init__()
        self.quick = act == "quick_gelu"
        self.fc1 = nn.Linear(width, hidden)
        self.fc2 = nn.Linear(hidden, width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.fc1(x)
        h = h * torch.sigmoid(1.702 * h) if self.quick else F.gelu(h)
        return self.fc2(h)


class _Layer(nn.Module):
    """x + attn(ln1(x)), then + mlp(ln2(x)) (pre-norm)."""

    def __init__(self, width: int, heads: int, act: str, mlp_ratio: int):
        super().__init__()
        self.self_attn = _SelfAttention(width, heads)
        self.layer_norm1 = nn.LayerNorm(width)
        self.mlp = _MLP(width, width * mlp_ratio, act)
        self.layer_norm2 = nn.LayerNorm(width)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.self_attn(self.layer_norm1(x))
        return x + self.mlp(self.layer_norm2(x))


class _Encoder(nn.Module):
    def __init__(self, width: int, layers: int, heads: int, act: str, mlp_ratio: int):
        super().__init__()
        self.layers = nn.ModuleList([_Layer(width, heads, act, mlp_ratio) for _ in range(layers)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            x = layer(x)
        return x


class _TextModel(nn.Module):
    def __init__(self, vocab_size, width, layers, heads, max_tokens, act, mlp_ratio):
        super().__init__()
        self.embeddings = _Embeddings(vocab_size, width, max_tokens)
        self.encoder = _Encoder(width, layers, heads, act, mlp_ratio)
        self.final_layer_norm = nn.LayerNorm(width)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.final_layer_norm(self.encoder(self.embeddings(tokens)))


class CLIPTextEncoder(nn.Module):
    """token ids int64 [N, max_tokens] -> hidden states [N, max_tokens, width] (the U-Net's context).

    :param layers: transformer layers run (SD 2.x: 23, the penultimate output of OpenCLIP's 24).
    :param act: "quick_gelu" (OpenAI CLIP, SD 1.x) or "gelu" (OpenCLIP, SD 2.x).
    """

    def __init__(self, vocab_size: int = 49408, width: int = 768, layers: int = 12, heads: int = 12,
                 max_tokens: int = 77, act: str = "quick_gelu", mlp_ratio: int = 4):
        super().__init__()
        if act not in ("quick_gelu", "gelu"):
            raise ValueError(f"act must be 'quick_gelu' or 'gelu', got {act!r}")
        if width % heads:
            raise ValueError(f"width {width} is not divisible by {heads} heads")
        self.width, self.max_tokens = width, max_tokens
        self.text_model = _TextModel(vocab_size, width, layers, heads, max_tokens, act, mlp_ratio)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        return self.text_model(tokens)
