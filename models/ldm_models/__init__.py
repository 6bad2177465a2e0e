"""Latent-diffusion model code for the Fiji plugin's bundles.

``models/`` is the import root: run scripts as ``cd models && /usr/bin/python3 -m ldm_models.<module>``
or put ``models/`` on ``sys.path``. Modules:

* ``ldm_models.unet``: ``UNetModel`` (CompVis-compatible denoiser), ``timestep_embedding``, ``zero_module``
* ``ldm_models.autoencoder``: ``AutoencoderKL``, ``VQModel``, ``Encoder``, ``Decoder``, ``VectorQuantizer``
* ``ldm_models.tau``: ``ClassEmbedder`` (label -> context tokens)
* ``ldm_models.export``: ``export_bundle`` and ``verify_bundle`` (writes/checks a bundle per models/README.md)
* ``ldm_models.convert``: CompVis / Stable Diffusion checkpoint or diffusers folder -> bundle
  (``python -m ldm_models.convert``)
* ``ldm_models.configs``: the published configurations (CompVis inpainting_big, bsr_sr; SD 1.x/2.x, inpainting,
  x4 upscaler)
* ``ldm_models.ckpt_io``: reading .ckpt / .safetensors safely and memory-mapped
* ``ldm_models.sd_keys``: key layouts (CompVis, open_clip, diffusers) -> this package's parameter names
* ``ldm_models.clip_text``: ``CLIPTextEncoder`` (Stable Diffusion's text context encoder)
"""
