#!/bin/sh
# Train, export and evaluate the demo bundle models/demo/ (run from models/; DEVICE=cuda for a GPU).
# These are the commands that produced the committed bundle (see demo/model.json "provenance.training").
# The runs had wall-clock budgets (--max-minutes) on a shared 2-core CPU, so the step counts depend on the
# machine's load; the counts reached are recorded in demo/model.json (provenance.training[*].steps). For the
# denoisers (constant learning rate after warm-up) --steps <that count> without --max-minutes reproduces the
# weights; the autoencoder's cosine decay followed the time budget, so it reproduces only approximately.
set -eu
cd "$(dirname "$0")"
PY=${PY:-/usr/bin/python3}
DEVICE=${DEVICE:-cpu}
mkdir -p checkpoints
$PY train_autoencoder.py --out checkpoints/autoencoder.pt --steps 6000 --max-minutes 24 --batch 16 --crop 48 \
    --device "$DEVICE" --seed 0 --log-every 50 > checkpoints/autoencoder.log 2>&1
# the three denoisers are independent: trained at the same time, one CPU thread each
for task in superres inpaint unconditional; do
    $PY train_denoiser.py --task $task --autoencoder checkpoints/autoencoder.pt --out checkpoints/$task.pt \
        --steps 100000 --max-minutes 30 --batch 16 --crop 64 --threads 1 --device "$DEVICE" --seed 0 \
        --log-every 25 > checkpoints/$task.log 2>&1 &
done
wait
$PY build_demo.py --autoencoder checkpoints/autoencoder.pt --denoiser checkpoints/inpaint.pt \
    --denoiser checkpoints/superres.pt --denoiser checkpoints/unconditional.pt --out demo --overwrite
$PY evaluate.py --bundle demo --samples
