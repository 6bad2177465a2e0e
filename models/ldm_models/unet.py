"""The LDM denoising U-Net epsilon_theta(z_t, t[, context]).

Module structure, constructor arguments and parameter names follow CompVis
latent-diffusion's ``UNetModel`` (``ldm/modules/diffusionmodules/openaimodel.py``)
and ``SpatialTransformer`` (``ldm/modules/attention.py``), so a CompVis state
dict (the ``model.diffusion_model.*`` entries of a checkpoint, prefix removed)
loads with ``load_state_dict(strict=True)``. The code is written anew and is
TorchScript-able with ``torch.jit.script`` on PyTorch 1.13 and 2.x:

* every layer inside a :class:`TimestepEmbedSequential` has the same
  signature ``forward(x, emb, context)`` so the container needs no isinstance
  dispatch;
* tensors are created on the input's device (nothing device-specific is baked
  into an exported module);
* attention is written with ``bmm``/``softmax`` (no
  ``F.scaled_dot_product_attention``, which PyTorch 1.13 cannot load).

Usage (``models/`` is the import root)::

    from ldm_models.unet import UNetModel
    unet = UNetModel(image_size=32, in_channels=7, model_channels=64, out_channels=3,
                     num_res_blocks=2, attention_resolutions=[4], channel_mult=[1, 2, 4],
                     num_head_channels=32)
    eps = unet(x, t)                    # x [N, 7, h, w] float32, t [N] int64
    eps = unet_ctx(x, t, context)       # with use_spatial_transformer=True, context [N, tokens, dim]
"""
import math
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F


def zero_module(module: nn.Module) -> nn.Module:
    """Zero the parameters of ``module`` (residual branches start as identity) and return it."""
    for p in module.parameters():
        p.detach().zero_()
    return module


def timestep_embedding(timesteps: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal timestep embedding (Vaswani et al. 2017, as in CompVis ``util.timestep_embedding``).

    emb[:, i] = cos(t · f_i), emb[:, half + i] = sin(t · f_i), f_i = max_period^(−i/half).

    :param timesteps: [N] timestep indices (any numeric dtype), on any device.
    :param dim: embedding width.
    :return: [N x dim] float32 tensor on ``timesteps.device``.
    """
    half = dim // 2
    freqs = torch.exp(
        -math.log(max_period)
        * torch.arange(0, half, dtype=torch.float32, device=timesteps.device) / half)
    args = timesteps[:, None].float() * freqs[None]
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2 == 1:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


class GroupNorm32(nn.GroupNorm):
    """GroupNorm computed in float32 (CompVis ``normalization``: 32 groups, eps 1e-5)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.group_norm(x.float(), self.num_groups, self.weight.float(), self.bias.float(), self.eps).to(x.dtype)


def normalization(channels: int) -> nn.Module:
    """The U-Net's normalisation layer: 32-group GroupNorm (``channels`` must be a multiple of 32)."""
    return GroupNorm32(32, channels)


def _check_dims(dims: int):
    if dims != 2:
        raise ValueError(f"dims={dims} is not supported: this U-Net is 2-D only (use dims=2)")


class InputConv(nn.Conv2d):
    """The first 3x3 convolution, with the block signature ``forward(x, emb, context)``."""

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        return self._conv_forward(x, self.weight, self.bias)


class Upsample(nn.Module):
    """Nearest-neighbour x2 upsampling, optionally followed by a 3x3 convolution.

    :param channels: channels in the input.
    :param use_conv: apply a 3x3 convolution after upsampling.
    :param out_channels: output channels (default ``channels``; only with ``use_conv``).
    """

    def __init__(self, channels: int, use_conv: bool, dims: int = 2, out_channels: Optional[int] = None,
                 padding: int = 1):
        super().__init__()
        _check_dims(dims)
        self.channels = channels
        self.out_channels = out_channels or channels
        self.use_conv = use_conv
        self.conv = nn.Conv2d(channels, self.out_channels, 3, padding=padding) if use_conv else nn.Identity()

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        """:param x: [N x C x H x W] -> [N x C_out x 2H x 2W]"""
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Downsample(nn.Module):
    """x2 downsampling: a strided 3x3 convolution, or 2x2 average pooling without ``use_conv``."""

    def __init__(self, channels: int, use_conv: bool, dims: int = 2, out_channels: Optional[int] = None,
                 padding: int = 1):
        super().__init__()
        _check_dims(dims)
        self.channels = channels
        self.out_channels = out_channels or channels
        self.use_conv = use_conv
        if use_conv:
            self.op = nn.Conv2d(channels, self.out_channels, 3, stride=2, padding=padding)
        else:
            if self.out_channels != channels:
                raise ValueError("Downsample without a convolution cannot change the channel count")
            self.op = nn.AvgPool2d(kernel_size=2, stride=2)

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        """:param x: [N x C x H x W] -> [N x C_out x H/2 x W/2]"""
        return self.op(x)


class ResBlock(nn.Module):
    """Residual block with timestep conditioning (improved-diffusion / CompVis ``ResBlock``).

    h = in_layers(x) (+ resampling, for BigGAN-style up/down blocks); h += emb_layers(emb)
    (or FiLM: norm(h)·(1 + scale) + shift with ``use_scale_shift_norm``); out = skip(x) + out_layers(h).

    :param channels: input channels.
    :param emb_channels: timestep-embedding width.
    :param dropout: dropout rate before the last convolution.
    :param out_channels: output channels (default ``channels``).
    :param use_conv: a 3x3 instead of a 1x1 convolution on the skip path when channels change.
    :param up: upsample x2 inside the block. :param down: downsample x2 inside the block.
    """

    def __init__(self, channels: int, emb_channels: int, dropout: float, out_channels: Optional[int] = None,
                 use_conv: bool = False, use_scale_shift_norm: bool = False, dims: int = 2,
                 use_checkpoint: bool = False, up: bool = False, down: bool = False):
        super().__init__()
        _check_dims(dims)
        self.channels = channels
        self.out_channels = out_channels or channels
        self.use_scale_shift_norm = use_scale_shift_norm
        self.up = up
        self.down = down
        self.in_layers = nn.Sequential(
            normalization(channels), nn.SiLU(), nn.Conv2d(channels, self.out_channels, 3, padding=1))
        self.emb_layers = nn.Sequential(
            nn.SiLU(), nn.Linear(emb_channels, 2 * self.out_channels if use_scale_shift_norm else self.out_channels))
        self.out_layers = nn.Sequential(
            normalization(self.out_channels), nn.SiLU(), nn.Dropout(p=dropout),
            zero_module(nn.Conv2d(self.out_channels, self.out_channels, 3, padding=1)))
        if self.out_channels == channels:
            self.skip_connection = nn.Identity()
        elif use_conv:
            self.skip_connection = nn.Conv2d(channels, self.out_channels, 3, padding=1)
        else:
            self.skip_connection = nn.Conv2d(channels, self.out_channels, 1)

    def _resample(self, x: torch.Tensor) -> torch.Tensor:
        if self.up:
            return F.interpolate(x, scale_factor=2.0, mode="nearest")
        if self.down:
            return F.avg_pool2d(x, kernel_size=2, stride=2)
        return x

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        """
        :param x: [N x C x H x W] features.
        :param emb: [N x emb_channels] timestep embedding.
        :return: [N x C_out x H' x W'] (H' = 2H with ``up``, H/2 with ``down``).
        """
        h = self.in_layers[1](self.in_layers[0](x))
        h = self.in_layers[2](self._resample(h))
        x = self._resample(x)
        e = self.emb_layers(emb).to(h.dtype)[:, :, None, None]
        if self.use_scale_shift_norm:
            scale, shift = torch.chunk(e, 2, dim=1)
            h = self.out_layers[0](h) * (1.0 + scale) + shift
            h = self.out_layers[3](self.out_layers[2](self.out_layers[1](h)))
        else:
            h = self.out_layers(h + e)
        return self.skip_connection(x) + h


def _qkv_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Scaled dot-product attention, softmax in float32.

    :param q: [B x Tq x d], k: [B x Tk x d], v: [B x Tk x d] -> [B x Tq x d].
    """
    scale = 1.0 / math.sqrt(math.sqrt(q.shape[-1]))  # split over q and k: better fp16 range (CompVis)
    w = torch.bmm(q * scale, (k * scale).transpose(1, 2))
    w = torch.softmax(w.float(), dim=-1).to(q.dtype)
    return torch.bmm(w, v)


class AttentionBlock(nn.Module):
    """Self-attention over all spatial positions (CompVis ``AttentionBlock``, legacy head order).

    qkv is a 1x1 Conv1d; heads are split before q/k/v (``QKVAttentionLegacy``).

    :param channels: channels C. :param num_heads: heads when ``num_head_channels`` is -1.
    :param num_head_channels: channels per head (overrides ``num_heads``).
    """

    def __init__(self, channels: int, num_heads: int = 1, num_head_channels: int = -1,
                 use_checkpoint: bool = False, use_new_attention_order: bool = False):
        super().__init__()
        if use_new_attention_order:
            raise ValueError("use_new_attention_order=True is not supported (CompVis LDM checkpoints use the legacy order)")
        self.channels = channels
        if num_head_channels == -1:
            self.num_heads = num_heads
        else:
            if channels % num_head_channels != 0:
                raise ValueError(f"{channels} channels are not divisible by num_head_channels={num_head_channels}")
            self.num_heads = channels // num_head_channels
        self.norm = normalization(channels)
        self.qkv = nn.Conv1d(channels, channels * 3, 1)
        self.proj_out = zero_module(nn.Conv1d(channels, channels, 1))

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        """:param x: [N x C x H x W] -> [N x C x H x W]"""
        b, c, hh, ww = x.shape
        x = x.reshape(b, c, hh * ww)
        qkv = self.qkv(self.norm(x))                                     # [N, 3C, T]
        d = c // self.num_heads
        q, k, v = qkv.reshape(b * self.num_heads, 3 * d, hh * ww).split(d, dim=1)  # heads, then q|k|v
        a = _qkv_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))  # [N·heads, T, d]
        h = self.proj_out(a.transpose(1, 2).reshape(b, c, hh * ww))
        return (x + h).reshape(b, c, hh, ww)


class CrossAttention(nn.Module):
    """Multi-head attention of queries x over a context (self-attention when context is None).

    :param query_dim: width of x. :param context_dim: width of the context (default ``query_dim``).
    """

    def __init__(self, query_dim: int, context_dim: Optional[int] = None, heads: int = 8, dim_head: int = 64,
                 dropout: float = 0.0):
        super().__init__()
        inner = heads * dim_head
        context_dim = context_dim if context_dim is not None else query_dim
        self.heads = heads
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.Sequential(nn.Linear(inner, query_dim), nn.Dropout(dropout))

    def _split(self, t: torch.Tensor) -> torch.Tensor:
        b, n, hd = t.shape
        return t.reshape(b, n, self.heads, hd // self.heads).permute(0, 2, 1, 3).reshape(b * self.heads, n, -1)

    def forward(self, x: torch.Tensor, context: Optional[torch.Tensor] = None) -> torch.Tensor:
        """:param x: [N x T x query_dim], context: [N x S x context_dim] -> [N x T x query_dim]"""
        ctx = x if context is None else context
        a = _qkv_attention(self._split(self.to_q(x)), self._split(self.to_k(ctx)), self._split(self.to_v(ctx)))
        b, n = x.shape[0], x.shape[1]
        a = a.reshape(b, self.heads, n, -1).permute(0, 2, 1, 3).reshape(b, n, -1)
        return self.to_out(a)


class GEGLU(nn.Module):
    """GELU-gated linear unit (Shazeer 2020): x·GELU(gate), [x | gate] = proj(input)."""

    def __init__(self, dim_in: int, dim_out: int):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out * 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x, gate = self.proj(x).chunk(2, dim=-1)
        return x * F.gelu(gate)


class FeedForward(nn.Module):
    """Transformer MLP: GEGLU (or Linear+GELU) to ``mult``·dim, dropout, Linear back."""

    def __init__(self, dim: int, dim_out: Optional[int] = None, mult: int = 4, glu: bool = False,
                 dropout: float = 0.0):
        super().__init__()
        inner = int(dim * mult)
        project_in = GEGLU(dim, inner) if glu else nn.Sequential(nn.Linear(dim, inner), nn.GELU())
        self.net = nn.Sequential(project_in, nn.Dropout(dropout), nn.Linear(inner, dim_out or dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class BasicTransformerBlock(nn.Module):
    """Pre-norm transformer block: self-attention, cross-attention on the context, GEGLU MLP."""

    def __init__(self, dim: int, n_heads: int, d_head: int, dropout: float = 0.0,
                 context_dim: Optional[int] = None, gated_ff: bool = True, checkpoint: bool = True,
                 disable_self_attn: bool = False):
        super().__init__()
        # SD 2 (x4 upscaler): disable_self_attn makes attn1 attend to the context too
        self.disable_self_attn = disable_self_attn
        self.attn1 = CrossAttention(dim, context_dim if disable_self_attn else None, n_heads, d_head, dropout)
        self.ff = FeedForward(dim, dropout=dropout, glu=gated_ff)
        self.attn2 = CrossAttention(dim, context_dim, n_heads, d_head, dropout)
        self.norm1 = nn.LayerNorm(dim)
        self.norm2 = nn.LayerNorm(dim)
        self.norm3 = nn.LayerNorm(dim)

    def forward(self, x: torch.Tensor, context: Optional[torch.Tensor] = None) -> torch.Tensor:
        """:param x: [N x T x dim], context: [N x S x context_dim] or None -> [N x T x dim]"""
        x = self.attn1(self.norm1(x), context if self.disable_self_attn else None) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class SpatialTransformer(nn.Module):
    """Transformer over the pixels of a feature map, cross-attending to a context (LDM eq. 3).

    :param in_channels: channels C of the feature map.
    :param n_heads: heads. :param d_head: channels per head.
    :param depth: transformer blocks. :param context_dim: width of the context tokens.
    """

    def __init__(self, in_channels: int, n_heads: int, d_head: int, depth: int = 1, dropout: float = 0.0,
                 context_dim: Optional[int] = None, disable_self_attn: bool = False, use_linear: bool = False):
        super().__init__()
        inner = n_heads * d_head
        self.in_channels = in_channels
        self.use_linear = use_linear  # SD 2: proj_in/proj_out are Linear layers on the tokens, not 1x1 convolutions
        self.norm = nn.GroupNorm(num_groups=32, num_channels=in_channels, eps=1e-6, affine=True)
        self.proj_in = nn.Linear(in_channels, inner) if use_linear else nn.Conv2d(in_channels, inner, 1)
        self.transformer_blocks = nn.ModuleList(
            [BasicTransformerBlock(inner, n_heads, d_head, dropout=dropout, context_dim=context_dim,
                                   disable_self_attn=disable_self_attn)
             for _ in range(depth)])
        self.proj_out = zero_module(nn.Linear(inner, in_channels) if use_linear else nn.Conv2d(inner, in_channels, 1))

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        """:param x: [N x C x H x W], context: [N x S x context_dim] -> [N x C x H x W]"""
        b, c, hh, ww = x.shape
        h = self.norm(x)
        if self.use_linear:
            h = self.proj_in(h.reshape(b, c, hh * ww).transpose(1, 2))   # [N, HW, inner]
        else:
            h = self.proj_in(h)
            h = h.reshape(b, h.shape[1], hh * ww).transpose(1, 2)       # [N, HW, inner]
        for block in self.transformer_blocks:
            h = block(h, context)
        if self.use_linear:
            h = self.proj_out(h)
            return h.transpose(1, 2).reshape(b, c, hh, ww) + x
        h = h.transpose(1, 2).reshape(b, h.shape[2], hh, ww)
        return self.proj_out(h) + x


class _NoLabels(nn.Module):
    """Stands in for ``label_emb`` in models without classes."""

    def forward(self, y: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("class labels y were given to a U-Net built without num_classes")


class TimestepEmbedSequential(nn.Sequential):
    """A sequence of layers that all take ``(x, emb, context)``."""

    def forward(self, x: torch.Tensor, emb: torch.Tensor, context: Optional[torch.Tensor]) -> torch.Tensor:
        for layer in self:
            x = layer(x, emb, context)
        return x


class UNetModel(nn.Module):
    """The LDM U-Net (Ronneberger et al. 2015; Dhariwal & Nichol 2021; Rombach et al. 2022).

    :param image_size: nominal latent size (informational only).
    :param in_channels: channels of the (concatenated) input.
    :param model_channels: base width; level i has ``channel_mult[i]·model_channels`` channels.
    :param out_channels: output channels (latent channels: eps or v).
    :param num_res_blocks: residual blocks per level.
    :param attention_resolutions: downsampling factors (1, 2, 4, ...) with attention.
    :param dropout: dropout rate in the residual blocks.
    :param channel_mult: width multipliers per level (len = number of levels; latent sides must be
        multiples of 2^(levels−1)).
    :param conv_resample: learned convolutions for up/downsampling.
    :param num_classes: class-conditional via an embedding added to the timestep embedding.
    :param num_heads / num_head_channels / num_heads_upsample: attention heads, as in CompVis.
    :param use_scale_shift_norm: FiLM conditioning in the residual blocks.
    :param resblock_updown: BigGAN-style residual blocks for up/downsampling.
    :param use_spatial_transformer, transformer_depth, context_dim: cross-attention conditioning.
    :param use_linear_in_transformer: SD 2: Linear proj_in/proj_out in the spatial transformers.
    :param disable_self_attentions: SD 2 x4 upscaler: per level, the transformer's first attention attends to the
        context instead of itself; ``disable_middle_self_attn`` the same for the middle block.
    """

    def __init__(self, image_size: int, in_channels: int, model_channels: int, out_channels: int,
                 num_res_blocks: int, attention_resolutions: Sequence[int], dropout: float = 0.0,
                 channel_mult: Sequence[int] = (1, 2, 4, 8), conv_resample: bool = True, dims: int = 2,
                 num_classes: Optional[int] = None, use_checkpoint: bool = False, use_fp16: bool = False,
                 num_heads: int = -1, num_head_channels: int = -1, num_heads_upsample: int = -1,
                 use_scale_shift_norm: bool = False, resblock_updown: bool = False,
                 use_new_attention_order: bool = False, use_spatial_transformer: bool = False,
                 transformer_depth: int = 1, context_dim: Optional[int] = None, n_embed: Optional[int] = None,
                 legacy: bool = True, use_linear_in_transformer: bool = False,
                 disable_self_attentions: Optional[Sequence[bool]] = None, disable_middle_self_attn: bool = False):
        super().__init__()
        _check_dims(dims)
        if use_fp16 or n_embed is not None or use_checkpoint:
            raise ValueError("use_fp16, use_checkpoint and n_embed are not supported by this implementation")
        if use_spatial_transformer != (context_dim is not None):
            raise ValueError("use_spatial_transformer=True needs context_dim, and context_dim needs it")
        if num_heads == -1 and num_head_channels == -1:
            raise ValueError("set num_heads or num_head_channels")
        if num_heads_upsample == -1:
            num_heads_upsample = num_heads
        self.image_size = image_size
        self.in_channels = in_channels
        self.model_channels = model_channels
        self.out_channels = out_channels
        self.num_classes = num_classes
        self.num_levels = len(channel_mult)
        self.uses_context = use_spatial_transformer
        self.latent_multiple = 2 ** (len(channel_mult) - 1)  # latent sides: one factor 2 per downsampling
        emb_dim = model_channels * 4

        def res(ch_in: int, ch_out: int, up: bool = False, down: bool = False) -> ResBlock:
            return ResBlock(ch_in, emb_dim, dropout, out_channels=ch_out,
                            use_scale_shift_norm=use_scale_shift_norm, up=up, down=down)

        def attention(ch: int, heads_if_no_head_channels: int, disable_sa: bool = False) -> nn.Module:
            if num_head_channels == -1:
                heads, d_head = heads_if_no_head_channels, ch // heads_if_no_head_channels
            else:
                heads, d_head = ch // num_head_channels, num_head_channels
            if use_spatial_transformer:
                return SpatialTransformer(ch, heads, d_head, depth=transformer_depth, context_dim=context_dim,
                                          disable_self_attn=disable_sa, use_linear=use_linear_in_transformer)
            return AttentionBlock(ch, num_heads=heads, num_head_channels=-1)

        self.time_embed = nn.Sequential(
            nn.Linear(model_channels, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        # class conditioning (CompVis label_emb); a parameter-free stand-in keeps forward scriptable without it
        self.label_emb = nn.Embedding(num_classes, emb_dim) if num_classes is not None else _NoLabels()

        self.input_blocks = nn.ModuleList(
            [TimestepEmbedSequential(InputConv(in_channels, model_channels, 3, padding=1))])
        skip_chans = [model_channels]
        ch, ds = model_channels, 1
        for level, mult in enumerate(channel_mult):
            for _ in range(num_res_blocks):
                layers: List[nn.Module] = [res(ch, mult * model_channels)]
                ch = mult * model_channels
                if ds in attention_resolutions:
                    layers.append(attention(ch, num_heads, bool(disable_self_attentions[level])
                                            if disable_self_attentions is not None else False))
                self.input_blocks.append(TimestepEmbedSequential(*layers))
                skip_chans.append(ch)
            if level != len(channel_mult) - 1:
                self.input_blocks.append(TimestepEmbedSequential(
                    res(ch, ch, down=True) if resblock_updown
                    else Downsample(ch, conv_resample, out_channels=ch)))
                skip_chans.append(ch)
                ds *= 2

        self.middle_block = TimestepEmbedSequential(res(ch, ch), attention(ch, num_heads, disable_middle_self_attn),
                                                    res(ch, ch))

        self.output_blocks = nn.ModuleList([])
        for level, mult in list(enumerate(channel_mult))[::-1]:
            for i in range(num_res_blocks + 1):
                layers = [res(ch + skip_chans.pop(), model_channels * mult)]
                ch = model_channels * mult
                if ds in attention_resolutions:
                    layers.append(attention(ch, num_heads if use_spatial_transformer else num_heads_upsample,
                                            bool(disable_self_attentions[level])
                                            if disable_self_attentions is not None else False))
                if level and i == num_res_blocks:
                    layers.append(res(ch, ch, up=True) if resblock_updown
                                  else Upsample(ch, conv_resample, out_channels=ch))
                    ds //= 2
                self.output_blocks.append(TimestepEmbedSequential(*layers))

        self.out = nn.Sequential(
            normalization(ch), nn.SiLU(), zero_module(nn.Conv2d(model_channels, out_channels, 3, padding=1)))

    def forward(self, x: torch.Tensor, timesteps: torch.Tensor, context: Optional[torch.Tensor] = None,
                y: Optional[torch.Tensor] = None) -> torch.Tensor:
        """
        :param x: [N x in_channels x h x w] input (h, w multiples of ``latent_multiple``).
        :param timesteps: [N] timestep indices (int64 or float), on x's device.
        :param context: [N x tokens x context_dim] cross-attention context (spatial-transformer models).
        :param y: [N] int64 class labels (only with ``num_classes``).
        :return: [N x out_channels x h x w].
        """
        # the sinusoid is float32; a half-precision export (ldm_models/half.py) casts it to the weights' type
        emb = self.time_embed(timestep_embedding(timesteps, self.model_channels).to(x.dtype))
        if y is not None:
            emb = emb + self.label_emb(y)
        hs: List[torch.Tensor] = []
        h = x
        for block in self.input_blocks:
            h = block(h, emb, context)
            hs.append(h)
        h = self.middle_block(h, emb, context)
        for block in self.output_blocks:
            h = block(torch.cat([h, hs.pop()], dim=1), emb, context)
        return self.out(h)
