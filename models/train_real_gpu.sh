#!/bin/sh
# Fine-tune the demo bundle on real images on a GPU machine (issue #18), in about 8 minutes there.
#
# Here (2-core CPU, Debian's PyTorch), once:
#   /usr/bin/python3 models/build_real_pack.py            # -> build/real_pack.npz (22 MiB; at most 64 MiB less the tree)
# On the GPU machine, from the repository root, with build/real_pack.npz carried along (an ignored path):
#   sh models/train_real_gpu.sh                           # MINUTES=6.5 by default; OUT: the folder that comes back
# It converts the bundle models/demo into training checkpoints, continues the three denoisers on the pack and
# fine-tunes the decoder against the 4-px latent grid (train_real.py), and writes to $OUT:
#   figures.md  (decoder PSNR and grid ratio before/after on validation crops of the pack),
#   checkpoints/{autoencoder,inpaint,superres,unconditional}.npz, logs.tar.gz (figures.json and the training logs).
# Back here, export and measure with Debian's PyTorch (TorchScript that DJL loads):
#   cd models && /usr/bin/python3 build_demo.py --autoencoder CK/autoencoder.npz --denoiser CK/inpaint.npz \
#       --denoiser CK/superres.npz --denoiser CK/unconditional.npz --out demo --overwrite
#   /usr/bin/python3 evaluate_real.py --bundle demo
# A CPU smoke test of every stage (seconds of training): /usr/bin/python3 models/train_real.py --smoke \
#   --pack build/real_pack_smoke.npz --out build/train_real_smoke  (pack: build_real_pack.py --smoke --out ...)
set -eu
cd "$(dirname "$0")"
PY=${PY:-python3}
PACK=${PACK:-../build/real_pack.npz}
MINUTES=${MINUTES:-6.5}
OUT=${OUT:-../build/train_real}
WORK=${WORK:-/tmp/ldm-train-real}
if [ ! -f "$PACK" ]; then
	echo "train_real_gpu.sh: no training pack at $PACK; build it with '/usr/bin/python3 models/build_real_pack.py' and carry build/real_pack.npz" >&2
	exit 1
fi
"$PY" -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print('torch', torch.__version__, torch.cuda.get_device_name(0))"
"$PY" train_real.py --pack "$PACK" --out "$WORK" --minutes "$MINUTES" --device cuda --python "$PY" 2>&1 | tee "$WORK.log"
# Six files come back (the device tool returns at most 8): figures.md, the four checkpoints, and logs.tar.gz.
mkdir -p "$OUT/checkpoints"
cp "$WORK"/figures.md "$OUT/"
cp "$WORK"/checkpoints/*.npz "$OUT/checkpoints/"
cp "$WORK.log" "$WORK/train_real.log"
tar -czf "$OUT/logs.tar.gz" -C "$WORK" figures.json train_real.log $(cd "$WORK" && ls checkpoints/*.log 2>/dev/null)
cat "$OUT/figures.md"
