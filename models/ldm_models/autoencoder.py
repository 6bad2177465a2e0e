"""The first stage: a convolutional autoencoder x -> z -> x with downsampling factor f = 2^(len(ch_mult)−1).

Structure, constructor arguments and parameter names follow CompVis latent-diffusion
(``ldm/modules/diffusionmodules/model.py`` Encoder/Decoder, ``ldm/models/autoencoder.py``
AutoencoderKL and VQModelInterface, taming-transformers' ``VectorQuantizer2``), so the
``first_stage_model.*`` entries of a CompVis checkpoint (prefix removed) load strictly.
Written anew; Encoder, Decoder and the quantizer are TorchScript-able (``torch.jit.script``).

Usage (``models/`` is the import root)::

    from ldm_models.autoencoder import AutoencoderKL, VQModel
    dd = dict(double_z=True, z_channels=3, resolution=128, in_channels=1, out_ch=1, ch=64,
              ch_mult=[1, 2, 4], num_res_blocks=2, attn_resolutions=[], dropout=0.0)
    ae = AutoencoderKL(dd, embed_dim=3)
    post = ae.encode(x)            # x [N, 1, H, W] in [-1, 1]; post.mean / post.mode() / post.sample()
    z = post.mode()                # [N, 3, H/4, W/4]
    x_rec = ae.decode(z)           # [N, 1, H, W]
    x_rec, post = ae(x)            # training: reconstruction and posterior (post.kl() per sample)

    vq = VQModel(dict(dd, double_z=False), n_embed=8192, embed_dim=3)
    h = vq.encode(x)               # pre-quantization latent (CompVis VQModelInterface.encode)
    x_rec = vq.decode(h)           # quantizes through the codebook first
    x_rec, qloss = vq(x)           # training: reconstruction and codebook + commitment loss
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def Normalize(in_channels: int, num_groups: int = 32) -> nn.GroupNorm:
    """GroupNorm of the autoencoder (32 groups, eps 1e-6)."""
    return nn.GroupNorm(num_groups=num_groups, num_channels=in_channels, eps=1e-6, affine=True)


class Upsample(nn.Module):
    """Nearest x2 upsampling, optionally followed by a 3x3 convolution. [N x C x H x W] -> [N x C x 2H x 2W]"""

    def __init__(self, in_channels: int, with_conv: bool):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, in_channels, 3, padding=1) if with_conv else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class Downsample(nn.Module):
    """x2 downsampling: stride-2 3x3 convolution after padding right/bottom by one (CompVis),
    or 2x2 average pooling. [N x C x H x W] -> [N x C x H/2 x W/2]"""

    def __init__(self, in_channels: int, with_conv: bool):
        super().__init__()
        self.with_conv = with_conv
        self.conv = nn.Conv2d(in_channels, in_channels, 3, stride=2, padding=0) if with_conv else nn.Identity()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.with_conv:
            return self.conv(F.pad(x, [0, 1, 0, 1], mode="constant", value=0.0))
        return F.avg_pool2d(x, kernel_size=2, stride=2)


class ResnetBlock(nn.Module):
    """x + conv(swish(norm(conv(swish(norm(x)))))), with a 1x1 (or 3x3) shortcut when channels change.

    :param in_channels: C_in. :param out_channels: C_out (default C_in).
    :param temb_channels: must be 0 (the first stage has no timestep input).
    """

    def __init__(self, *, in_channels: int, out_channels: Optional[int] = None, conv_shortcut: bool = False,
                 dropout: float, temb_channels: int = 0):
        super().__init__()
        if temb_channels != 0:
            raise ValueError("ResnetBlock: timestep embeddings are not used in the first stage (temb_channels=0)")
        out_channels = in_channels if out_channels is None else out_channels
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.norm1 = Normalize(in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.norm2 = Normalize(out_channels)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        # CompVis names the shortcut conv_shortcut (3x3) or nin_shortcut (1x1); the unused one (or both, when
        # the channels match) is a parameter-free identity, so forward needs no branching
        self.conv_shortcut = nn.Identity()
        self.nin_shortcut = nn.Identity()
        if in_channels != out_channels:
            if conv_shortcut:
                self.conv_shortcut = nn.Conv2d(in_channels, out_channels, 3, padding=1)
            else:
                self.nin_shortcut = nn.Conv2d(in_channels, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """:param x: [N x C_in x H x W] -> [N x C_out x H x W]"""
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return self.nin_shortcut(self.conv_shortcut(x)) + h


class AttnBlock(nn.Module):
    """Single-head self-attention over all pixels, with residual. [N x C x H x W] -> same."""

    def __init__(self, in_channels: int):
        super().__init__()
        self.norm = Normalize(in_channels)
        self.q = nn.Conv2d(in_channels, in_channels, 1)
        self.k = nn.Conv2d(in_channels, in_channels, 1)
        self.v = nn.Conv2d(in_channels, in_channels, 1)
        self.proj_out = nn.Conv2d(in_channels, in_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, c, hh, ww = x.shape
        h = self.norm(x)
        q = self.q(h).reshape(b, c, hh * ww).transpose(1, 2)           # [N, HW, C]
        k = self.k(h).reshape(b, c, hh * ww)                           # [N, C, HW]
        v = self.v(h).reshape(b, c, hh * ww)
        w = torch.softmax(torch.bmm(q, k) * (float(c) ** -0.5), dim=2)  # [N, HW_q, HW_k]
        h = torch.bmm(v, w.transpose(1, 2)).reshape(b, c, hh, ww)
        return x + self.proj_out(h)


def make_attn(in_channels: int, attn_type: str = "vanilla") -> nn.Module:
    """CompVis ``make_attn``: "vanilla" self-attention or "none" (identity)."""
    if attn_type == "vanilla":
        return AttnBlock(in_channels)
    if attn_type == "none":
        return nn.Identity()
    raise ValueError(f"attn_type '{attn_type}' is not supported (use 'vanilla' or 'none')")


class _Level(nn.Module):
    """One resolution level: ``block`` (ResnetBlocks), ``attn`` (empty or one per block) and a resampler."""

    def __init__(self):
        super().__init__()
        self.block = nn.ModuleList()
        self.attn = nn.ModuleList()


class _Mid(nn.Module):
    """Middle: ResnetBlock, attention, ResnetBlock."""

    def __init__(self, channels: int, dropout: float, attn_type: str):
        super().__init__()
        self.block_1 = ResnetBlock(in_channels=channels, out_channels=channels, dropout=dropout)
        self.attn_1 = make_attn(channels, attn_type)
        self.block_2 = ResnetBlock(in_channels=channels, out_channels=channels, dropout=dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.block_2(self.attn_1(self.block_1(x)))


def _fill_identity(level: _Level):
    """Attention lists are empty or full; an empty one gets parameter-free identities so that
    block and attn can be zipped in TorchScript (the state dict is unchanged)."""
    if len(level.attn) == 0:
        for _ in range(len(level.block)):
            level.attn.append(nn.Identity())


class Encoder(nn.Module):
    """x [N x in_channels x H x W] -> [N x (2·)z_channels x H/f x W/f], f = 2^(len(ch_mult)−1).

    :param ch: base width. :param ch_mult: width multipliers per level.
    :param num_res_blocks: ResnetBlocks per level. :param attn_resolutions: feature-map sizes
        (relative to ``resolution``) with self-attention. :param double_z: output mean and log-variance (KL).
    """

    def __init__(self, *, ch: int, out_ch: int, ch_mult: Sequence[int] = (1, 2, 4, 8), num_res_blocks: int,
                 attn_resolutions: Sequence[int], dropout: float = 0.0, resamp_with_conv: bool = True,
                 in_channels: int, resolution: int, z_channels: int, double_z: bool = True,
                 use_linear_attn: bool = False, attn_type: str = "vanilla", **ignore_kwargs):
        super().__init__()
        if use_linear_attn:
            raise ValueError("use_linear_attn is not supported")
        self.conv_in = nn.Conv2d(in_channels, ch, 3, padding=1)
        in_ch_mult = (1,) + tuple(ch_mult)
        curr_res = resolution
        self.down = nn.ModuleList()
        block_in = ch
        for i_level in range(len(ch_mult)):
            level = _Level()
            block_in = ch * in_ch_mult[i_level]
            block_out = ch * ch_mult[i_level]
            for _ in range(num_res_blocks):
                level.block.append(ResnetBlock(in_channels=block_in, out_channels=block_out, dropout=dropout))
                block_in = block_out
                if curr_res in attn_resolutions:
                    level.attn.append(make_attn(block_in, attn_type))
            _fill_identity(level)
            if i_level != len(ch_mult) - 1:
                level.downsample = Downsample(block_in, resamp_with_conv)
                curr_res //= 2
            else:
                level.downsample = nn.Identity()
            self.down.append(level)
        self.mid = _Mid(block_in, dropout, attn_type)
        self.norm_out = Normalize(block_in)
        self.conv_out = nn.Conv2d(block_in, 2 * z_channels if double_z else z_channels, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.conv_in(x)
        for level in self.down:
            for block, attn in zip(level.block, level.attn):
                h = attn(block(h))
            h = level.downsample(h)
        h = self.mid(h)
        return self.conv_out(F.silu(self.norm_out(h)))


class Decoder(nn.Module):
    """z [N x z_channels x h x w] -> [N x out_ch x h·f x w·f]; ``up`` is stored finest level first (CompVis)."""

    def __init__(self, *, ch: int, out_ch: int, ch_mult: Sequence[int] = (1, 2, 4, 8), num_res_blocks: int,
                 attn_resolutions: Sequence[int], dropout: float = 0.0, resamp_with_conv: bool = True,
                 in_channels: int, resolution: int, z_channels: int, give_pre_end: bool = False,
                 tanh_out: bool = False, use_linear_attn: bool = False, attn_type: str = "vanilla",
                 **ignorekwargs):
        super().__init__()
        if use_linear_attn:
            raise ValueError("use_linear_attn is not supported")
        self.give_pre_end = give_pre_end
        self.tanh_out = tanh_out
        n = len(ch_mult)
        block_in = ch * ch_mult[n - 1]
        curr_res = resolution // 2 ** (n - 1)
        self.conv_in = nn.Conv2d(z_channels, block_in, 3, padding=1)
        self.mid = _Mid(block_in, dropout, attn_type)
        # ``up[i]`` is level i (finest first, CompVis names) but is registered coarsest first, so that
        # iterating the ModuleList (also in TorchScript) runs the levels in execution order.
        self.up = nn.ModuleList()
        for i_level in reversed(range(n)):
            level = _Level()
            block_out = ch * ch_mult[i_level]
            for _ in range(num_res_blocks + 1):
                level.block.append(ResnetBlock(in_channels=block_in, out_channels=block_out, dropout=dropout))
                block_in = block_out
                if curr_res in attn_resolutions:
                    level.attn.append(make_attn(block_in, attn_type))
            _fill_identity(level)
            if i_level != 0:
                level.upsample = Upsample(block_in, resamp_with_conv)
                curr_res *= 2
            else:
                level.upsample = nn.Identity()
            self.up.add_module(str(i_level), level)
        self.norm_out = Normalize(block_in)
        self.conv_out = nn.Conv2d(block_in, out_ch, 3, padding=1)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = self.mid(self.conv_in(z))
        for level in self.up:  # coarsest level first (registration order)
            for block, attn in zip(level.block, level.attn):
                h = attn(block(h))
            h = level.upsample(h)
        if self.give_pre_end:
            return h
        h = self.conv_out(F.silu(self.norm_out(h)))
        if self.tanh_out:
            h = torch.tanh(h)
        return h


class VectorQuantizer(nn.Module):
    """Nearest-codebook-entry quantization (van den Oord et al. 2017; taming ``VectorQuantizer2``, legacy loss).

    :param n_e: codebook entries. :param e_dim: entry width (= latent channels).
    :param beta: commitment weight.
    """

    def __init__(self, n_e: int, e_dim: int, beta: float = 0.25):
        super().__init__()
        self.n_e = n_e
        self.e_dim = e_dim
        self.beta = beta
        self.embedding = nn.Embedding(n_e, e_dim)
        self.embedding.weight.data.uniform_(-1.0 / n_e, 1.0 / n_e)

    def forward(self, z: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """
        :param z: [N x e_dim x h x w] latent.
        :return: (z_q [N x e_dim x h x w] with straight-through gradient,
                  loss = ||sg(z_q) − z||² + beta·||z_q − sg(z)||² (taming's legacy form), indices [N x h x w]).
        """
        zp = z.permute(0, 2, 3, 1)
        flat = zp.reshape(-1, self.e_dim)
        e = self.embedding.weight
        # ||z − e||² = ||z||² + ||e||² − 2 z·e
        d = (flat ** 2).sum(dim=1, keepdim=True) + (e ** 2).sum(dim=1)[None, :] - 2.0 * flat @ e.t()
        idx = torch.argmin(d, dim=1)
        zq = self.embedding(idx).reshape(zp.shape)
        loss = torch.mean((zq.detach() - zp) ** 2) + self.beta * torch.mean((zq - zp.detach()) ** 2)
        zq = zp + (zq - zp).detach()
        return zq.permute(0, 3, 1, 2).contiguous(), loss, idx.reshape(zp.shape[:3])


class DiagonalGaussian:
    """Posterior q(z|x) = N(mean, exp(logvar)) from moments [N x 2C x h x w] (CompVis DiagonalGaussianDistribution)."""

    def __init__(self, moments: torch.Tensor):
        self.mean, logvar = torch.chunk(moments, 2, dim=1)
        self.logvar = torch.clamp(logvar, -30.0, 20.0)
        self.std = torch.exp(0.5 * self.logvar)
        self.var = torch.exp(self.logvar)

    def mode(self) -> torch.Tensor:
        return self.mean

    def sample(self, generator: Optional[torch.Generator] = None) -> torch.Tensor:
        noise = torch.randn(self.mean.shape, generator=generator, device=self.mean.device, dtype=self.mean.dtype)
        return self.mean + self.std * noise

    def kl(self) -> torch.Tensor:
        """KL(q || N(0, I)) summed over C, h, w: [N]."""
        return 0.5 * torch.sum(self.mean ** 2 + self.var - 1.0 - self.logvar, dim=[1, 2, 3])


def patch_components(x: torch.Tensor, f: int, c: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """The best linear code with ``c`` values per f x f patch of ``x`` [N, C, H, W] (Eckart-Young): the patches'
    mean [C·f²] and their ``c`` leading principal components [c, C·f²] (orthonormal rows, ``pixel_unshuffle``
    order). Code: ``components @ (patch − mean)``; reconstruction: ``components.T @ code + mean``."""
    patches = F.pixel_unshuffle(x, f).permute(0, 2, 3, 1).reshape(-1, x.shape[1] * f * f).double()
    mean = patches.mean(0)
    components = torch.linalg.svd(patches - mean, full_matrices=False)[2][:c]
    return mean.to(x.dtype), components.to(x.dtype)


class PatchEncoder(nn.Module):
    """The linear path of ``patch_shortcut``: x [N, C, H, W] -> 1x1 convolution of the f x f patches
    (``pixel_unshuffle``, C·f² values per latent cell) -> [N, out_channels, H/f, W/f]."""

    def __init__(self, in_channels: int, out_channels: int, f: int):
        super().__init__()
        self.f = f
        self.proj = nn.Conv2d(in_channels * f * f, out_channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(F.pixel_unshuffle(x, self.f))


class PatchDecoder(nn.Module):
    """The linear path of ``patch_shortcut`` back: z [N, c, h, w] -> k x k convolution to C·f² values per cell ->
    ``pixel_shuffle`` -> [N, C, h·f, w·f].

    With ``kernel`` k = 1 each latent cell makes its own f x f block alone; with k > 1 (odd) a block also sees the
    (k − 1)/2 cells around its cell (padded by replication at the image's edges), so a decoder fitted to real
    images (``tools/fit_patch_decoder.py``) interpolates across the block borders instead of leaving a step at
    each. The receptive field grows by (k − 1)/2 cells on each side."""

    def __init__(self, in_channels: int, out_channels: int, f: int, kernel: int = 1):
        super().__init__()
        if kernel < 1 or kernel % 2 == 0:
            raise ValueError(f"the patch decoder's kernel must be odd and positive, not {kernel}")
        self.f = f
        self.proj = nn.Conv2d(in_channels, out_channels * f * f, kernel, padding=kernel // 2,
                              padding_mode="replicate" if kernel > 1 else "zeros")

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return F.pixel_shuffle(self.proj(z), self.f)


class AutoencoderKL(nn.Module):
    """KL-regularised autoencoder (CompVis ``AutoencoderKL``; ``ddconfig`` needs double_z=True).

    :param ddconfig: Encoder/Decoder keyword arguments.
    :param embed_dim: latent channels.
    :param patch_shortcut: not in CompVis (default off, and then the parameters are exactly CompVis's): add a
        linear path beside each convolutional one, moments += ``patch_encoder(x)`` and
        x_rec += ``patch_decoder(z)``, each a 1x1 convolution on the f x f patches of a latent cell
        (:class:`PatchEncoder`, :class:`PatchDecoder`). Started as the patches' principal components
        (``train_autoencoder.init_patch_pca``), the autoencoder reconstructs as well as the best linear code of
        its latent size from its first step; no receptive field is added, so tiling is unchanged.
    :param patch_decoder_kernel: the patch decoder's kernel in latent cells (:class:`PatchDecoder`; 1 as above).
    """

    def __init__(self, ddconfig: dict, embed_dim: int, lossconfig: Optional[dict] = None,
                 patch_shortcut: bool = False, patch_decoder_kernel: int = 1, **ignored):
        super().__init__()
        if not ddconfig.get("double_z", True):
            raise ValueError("AutoencoderKL needs ddconfig['double_z']=True (the encoder outputs mean and log-variance)")
        self.embed_dim = embed_dim
        self.encoder = Encoder(**ddconfig)
        self.decoder = Decoder(**ddconfig)
        self.quant_conv = nn.Conv2d(2 * ddconfig["z_channels"], 2 * embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(embed_dim, ddconfig["z_channels"], 1)
        self.downsampling_factor = 2 ** (len(ddconfig["ch_mult"]) - 1)
        f = self.downsampling_factor
        self.patch_encoder = PatchEncoder(ddconfig["in_channels"], 2 * embed_dim, f) if patch_shortcut else None
        self.patch_decoder = PatchDecoder(embed_dim, ddconfig["out_ch"], f, patch_decoder_kernel) \
            if patch_shortcut else None

    def moments(self, x: torch.Tensor) -> torch.Tensor:
        """:param x: [N x C x H x W] -> [N x 2·embed_dim x H/f x W/f]: posterior mean, then log-variance."""
        m = self.quant_conv(self.encoder(x))
        if self.patch_encoder is not None:
            m = m + self.patch_encoder(x)
        return m

    def encode(self, x: torch.Tensor) -> DiagonalGaussian:
        """:param x: [N x C x H x W] -> posterior with mean [N x embed_dim x H/f x W/f]"""
        return DiagonalGaussian(self.moments(x))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """:param z: [N x embed_dim x h x w] -> [N x C x h·f x w·f]"""
        x = self.decoder(self.post_quant_conv(z))
        if self.patch_decoder is not None:
            x = x + self.patch_decoder(z)
        return x

    def forward(self, x: torch.Tensor, sample_posterior: bool = True) -> Tuple[torch.Tensor, DiagonalGaussian]:
        post = self.encode(x)
        z = post.sample() if sample_posterior else post.mode()
        return self.decode(z), post


class VQModel(nn.Module):
    """VQ-regularised autoencoder with CompVis ``VQModelInterface`` semantics: ``encode`` returns the
    pre-quantization latent h; ``decode`` quantizes through the codebook unless told not to.

    :param ddconfig: Encoder/Decoder keyword arguments (double_z=False).
    :param n_embed: codebook entries. :param embed_dim: latent channels.
    """

    def __init__(self, ddconfig: dict, n_embed: int, embed_dim: int, lossconfig: Optional[dict] = None,
                 **ignored):
        super().__init__()
        if ddconfig.get("double_z", True):
            raise ValueError("VQModel needs ddconfig['double_z']=False")
        self.n_embed = n_embed
        self.embed_dim = embed_dim
        self.encoder = Encoder(**ddconfig)
        self.decoder = Decoder(**ddconfig)
        self.quantize = VectorQuantizer(n_embed, embed_dim, beta=0.25)
        self.quant_conv = nn.Conv2d(ddconfig["z_channels"], embed_dim, 1)
        self.post_quant_conv = nn.Conv2d(embed_dim, ddconfig["z_channels"], 1)
        self.downsampling_factor = 2 ** (len(ddconfig["ch_mult"]) - 1)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """:param x: [N x C x H x W] -> pre-quantization latent h [N x embed_dim x H/f x W/f]"""
        return self.quant_conv(self.encoder(x))

    def decode(self, h: torch.Tensor, force_not_quantize: bool = False) -> torch.Tensor:
        """:param h: [N x embed_dim x h x w] -> [N x C x h·f x w·f] (quantized first unless ``force_not_quantize``)"""
        quant = h if force_not_quantize else self.quantize(h)[0]
        return self.decoder(self.post_quant_conv(quant))

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Training pass: (reconstruction [N x C x H x W], codebook + commitment loss)."""
        quant, qloss, _ = self.quantize(self.encode(x))
        return self.decoder(self.post_quant_conv(quant)), qloss
