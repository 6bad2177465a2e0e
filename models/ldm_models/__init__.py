"""Latent-diffusion model code for the Fiji plugin's bundles.

``models/`` is the import root: run scripts as ``cd models && /usr/bin/python3 -m ldm_models.<module>``
or put ``models/`` on ``sys.path``. Modules:

* ``ldm_models.unet``: ``UNetModel`` (CompVis-compatible denoiser), ``timestep_embedding``, ``zero_module``
* ``ldm_models.autoencoder``: ``AutoencoderKL``, ``VQModel``, ``Encoder``, ``Decoder``, ``VectorQuantizer``
* ``ldm_models.tau``: ``ClassEmbedder`` (label -> context tokens)
* ``ldm_models.export``: ``export_bundle`` and ``verify_bundle`` (writes/checks a bundle per models/README.md)
* ``ldm_models.convert``: CompVis checkpoint -> bundle (``python -m ldm_models.convert``)
* ``ldm_models.configs``: the published CompVis configurations (inpainting_big, bsr_sr)
"""
