"""Inpainting on images outside the evaluation set, to choose constants on (issue #18): ./ldm inpaint with the
defaults (plus any extra arguments) on seeded 128² crops of scikit-image's data images, with seeded masks
(masks.random_mask, strokes/boxes/blobs in turn, seed 30000 + k); keeps NAME-hr.tif, NAME-mask.tif, NAME-out.tif in OUT.

    /usr/bin/python3 inpaint_crops.py OUT [ldm inpaint options]      (ONLY=camera,brick for some images)
"""
import os
import sys

import numpy as np
import tifffile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from evaluate_cli import ldm  # noqa: E402
from ldm_models.masks import KINDS, random_mask  # noqa: E402
import skimage.data as d  # noqa: E402
out = sys.argv[1]; extra = sys.argv[2:]
os.makedirs(out, exist_ok=True)
NAMES = ['camera', 'astronaut', 'coffee', 'chelsea', 'rocket', 'brick', 'grass', 'gravel', 'moon', 'text', 'coins',
         'hubble_deep_field', 'retina', 'immunohistochemistry', 'page', 'cell', 'horse', 'clock']
only = os.environ.get('ONLY')
for k, name in enumerate(NAMES):
    if only and name not in only.split(','): continue
    img = getattr(d, name)()
    if img.dtype == bool: img = (img * 255).astype(np.uint8)
    rng = np.random.default_rng(40_000 + k)
    h, w = img.shape[:2]
    y, x = int(rng.integers(0, h - 128)), int(rng.integers(0, w - 128))
    hr = np.ascontiguousarray(img[y:y + 128, x:x + 128])
    if hr.ndim == 3: hr = hr[..., :3]
    kind = KINDS[k % len(KINDS)]
    m = random_mask(np.random.default_rng(30_000 + k), 128, 128, kind=kind)
    p = lambda n: os.path.join(out, f'{name}-{n}.tif')
    tifffile.imwrite(p('hr'), hr, photometric='rgb' if hr.ndim == 3 else 'minisblack')
    tifffile.imwrite(p('mask'), (m * 255).astype(np.uint8))
    ldm('inpaint', '--input', p('hr'), '--mask', p('mask'), '--output', p('out'), '--seed', str(k), '--model', os.path.join(HERE, 'demo'), *extra)
    print(name, kind, flush=True)
