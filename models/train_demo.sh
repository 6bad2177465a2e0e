#!/bin/sh
# Train, export and evaluate the demo bundle models/demo/: the commands that produced the committed bundle (also
# recorded in demo/model.json, provenance.training, each run nested in the one that continued it).
#   1. the autoencoder with the linear patch path (--patch-shortcut), 10 minutes on this project's 2-core CPU;
#   2. the three denoisers on its latents on the same CPU, one thread each, two runs side by side (sessions 6-7):
#      super-resolution 20 + 60 + 24 min, inpainting 40 min on 64 px crops then 32 + 24 min on 128 px crops,
#      label-conditioned 6 min (a 20-minute run stopped early: its schedule was cosine over 20 minutes, so
#      --max-minutes 6 here is close to it, not the same);
#   3. all three continued together for 8.5 minutes on one NVIDIA H200 (PyTorch 2.11), batches 64-128 (session 7);
#   4. super-resolution continued for 45 minutes on the CPU on 128 px crops (it had only seen 64 px ones, and lost
#      quality on larger inputs), one thread.
# Training writes portable .npz checkpoints; export and evaluation run with Debian's PyTorch 1.13 (EXPORT_PY), whose
# TorchScript DJL's libtorch 2.7 loads. The runs are time-budgeted, so step counts (recorded) vary with the machine.
# Without a GPU, DEVICE=cpu runs step 3 on the CPU with batches scaled by 1/8 (a weaker model in the same minutes).
set -eu
cd "$(dirname "$0")"
PY=${PY:-python3}
EXPORT_PY=${EXPORT_PY:-/usr/bin/python3}
DEVICE=${DEVICE:-cuda}
CK=${CK:-../build/checkpoints}  # outside models/, which stays small
SCALE=1
[ "$DEVICE" = cpu ] && SCALE=0.125
AE=$CK/cpu6/autoencoder.npz
UNET="--model-channels 32 --channel-mult 1,2,2 --num-res-blocks 2 --steps 10000000 --lr-decay cosine --ema-decay 0.999"
$EXPORT_PY train_autoencoder.py --patch-shortcut --crop 64 --batch 16 --ch 32 --ch-mult 1,2,2 --num-res-blocks 2 \
    --embed-dim 8 --max-minutes 10 --steps 10000000 --lr 2e-4 --warmup 100 --log-every 200 --seed 0 --out $AE
mkdir -p $CK/cpu7/next
dn() {  # task, seed, minutes, lr, crop, batch, out, [init]
    $EXPORT_PY train_denoiser.py --task "$1" --seed "$2" --max-minutes "$3" --lr "$4" --crop "$5" --batch "$6" \
        --out "$7" ${8:+--init "$8"} --autoencoder $AE $UNET --threads 1 --log-every 500
}
( dn superres 3 20 5e-4 64 16 $CK/cpu7/sr1.npz
  dn superres 4 60 2.5e-4 64 16 $CK/cpu7/sr2.npz $CK/cpu7/sr1.npz
  dn superres 5 24 1.25e-4 64 16 $CK/cpu7/next/superres.npz $CK/cpu7/sr2.npz ) &
( dn inpaint 0 40 5e-4 64 16 $CK/cpu7/inpaint1.npz
  dn inpaint 1 32 2.5e-4 128 8 $CK/cpu7/inpaint2.npz $CK/cpu7/inpaint1.npz
  dn inpaint 6 24 1.25e-4 128 8 $CK/cpu7/next/inpaint.npz $CK/cpu7/inpaint2.npz
  dn unconditional 2 6 5e-4 64 16 $CK/cpu7/next/unconditional.npz ) &
wait
$PY train_demo.py --device "$DEVICE" --minutes 8.5 --batch-scale "$SCALE" --autoencoder $AE --init $CK/cpu7/next \
    --lr 3e-4 --out $CK/gpu7
$EXPORT_PY train_denoiser.py --task superres --seed 8 --max-minutes 45 --lr 1e-4 --warmup 50 --crop 128 --batch 4 \
    --out $CK/cpu8/superres.npz --init $CK/gpu7/superres.npz --autoencoder $AE $UNET --threads 1 --log-every 500
$EXPORT_PY build_demo.py --autoencoder $AE --denoiser $CK/gpu7/inpaint.npz --denoiser $CK/cpu8/superres.npz \
    --denoiser $CK/gpu7/unconditional.npz --out demo --overwrite
$EXPORT_PY evaluate.py --bundle demo --samples
$EXPORT_PY evaluate_cli.py --bundle demo   # the same images through ./ldm (Java)
