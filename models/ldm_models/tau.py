"""The label context encoder tau_theta for cross-attention conditioning (LDM eq. 3).

Compatible with CompVis ``ClassEmbedder`` (``ldm/modules/encoders/modules.py``): one learned
token per label, parameter ``embedding.weight`` (``cond_stage_model.embedding.weight`` in a checkpoint).

Usage (``models/`` is the import root)::

    from ldm_models.tau import ClassEmbedder
    tau = ClassEmbedder(embed_dim=64, n_classes=5)
    context = tau(labels)     # labels int64 [N] -> [N, 1, 64], fed to UNetModel(..., context_dim=64)
"""
import torch
import torch.nn as nn


class ClassEmbedder(nn.Module):
    """labels [N] (int64, in [0, n_classes)) -> context [N x 1 x embed_dim] (one token per sample).

    :param embed_dim: token width (the U-Net's ``context_dim``).
    :param n_classes: number of labels, including the null label used for classifier-free guidance.
    """

    def __init__(self, embed_dim: int, n_classes: int = 1000, key: str = "class"):
        super().__init__()
        self.key = key
        self.n_classes = n_classes
        self.embed_dim = embed_dim
        self.embedding = nn.Embedding(n_classes, embed_dim)

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        """:param labels: [N] int64 -> [N x 1 x embed_dim]"""
        return self.embedding(labels[:, None])
