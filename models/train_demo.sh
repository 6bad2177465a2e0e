#!/bin/sh
# Train, export and evaluate the demo bundle models/demo/ (run from models/; CPU or --device cuda).
# The commands below are the ones that produced the committed bundle (see demo/model.json "provenance").
# Denoisers ran under a wall-clock cap (--max-minutes) on a shared 2-core CPU; the step counts they reached are
# recorded in demo/model.json (provenance.training[*].steps): replace --max-minutes by --steps <that count> to
# reproduce the exact weights.
set -eu
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}
DEVICE=${DEVICE:-cpu}
MINUTES=${MINUTES:-18}
mkdir -p checkpoints
$PY train_autoencoder.py --out checkpoints/autoencoder.pt --steps 1100 --batch 32 --crop 32 --device "$DEVICE" \
    --seed 0 --log-every 25 > checkpoints/autoencoder.log 2>&1
for task in superres inpaint unconditional; do
    $PY train_denoiser.py --task $task --autoencoder checkpoints/autoencoder.pt --out checkpoints/$task.pt \
        --steps 100000 --max-minutes "$MINUTES" --batch 16 --crop 48 --device "$DEVICE" --seed 0 --log-every 25 \
        > checkpoints/$task.log 2>&1
done
$PY build_demo.py --autoencoder checkpoints/autoencoder.pt --denoiser checkpoints/inpaint.pt \
    --denoiser checkpoints/superres.pt --denoiser checkpoints/unconditional.pt --out demo --overwrite
$PY evaluate.py --bundle demo --samples
