#!/usr/bin/env python3
"""Golden values for the Java samplers (src/test/java/org/ldmfiji/diffusion/GoldenSamplersTest.java).

Run from the repository root with Debian's Python (it has torch and numpy):

    /usr/bin/python3 src/test/python/golden_samplers.py

It writes src/test/resources/golden/samplers.json. Everything is float64 and follows the published
sources, not the Java code:
- schedules: CompVis latent-diffusion ldm/modules/diffusionmodules/util.py make_beta_schedule, then
  alphas_cumprod = cumprod(1 - betas) as in ldm/models/diffusion/ddpm.py register_schedule;
- DDIM: make_ddim_timesteps('uniform'), make_ddim_sampling_parameters and DDIMSampler.p_sample_ddim;
- DPM-Solver++(2M): k-diffusion sampling.py sample_dpmpp_2m in its Karras (VE) form with the
  discrete eps-model wrapper of external.py (input scaled by 1/sqrt(sigma^2 + 1), denoised = x - sigma*eps),
  on get_sigmas_karras(rho=7) sigmas snapped to the nearest discrete timestep in log sigma, then sigma = 0;
- noise: the generator specified in GaussianNoise's Javadoc (SplitMix64 words, Box-Muller pairs).
The closed-form denoiser is the exact eps-predictor for data x0 ~ N(mu_c, s^2) per channel c:
eps(x, t) = sqrt(1 - ab) (x - sqrt(ab) mu_c) / (ab s^2 + 1 - ab), an affine map a_t x + b_{t,c}.
"""
import json
import math
import os

import numpy as np
import torch

T = 1000
M64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def make_beta_schedule(schedule, n, linear_start, linear_end, cosine_s=8e-3):
    if schedule == "linear":
        return (torch.linspace(linear_start ** 0.5, linear_end ** 0.5, n, dtype=torch.float64) ** 2).numpy()
    if schedule == "sqrt_linear":
        return torch.linspace(linear_start, linear_end, n, dtype=torch.float64).numpy()
    if schedule == "cosine":
        ts = torch.arange(n + 1, dtype=torch.float64) / n + cosine_s
        a = torch.cos(ts / (1 + cosine_s) * np.pi / 2).pow(2)
        a = a / a[0]
        return np.clip((1 - a[1:] / a[:-1]).numpy(), 0, 0.999)
    raise ValueError(schedule)


def alphas_cumprod(*args):
    return np.cumprod(1.0 - make_beta_schedule(*args))


# --- noise: SplitMix64 + Box-Muller, as specified in GaussianNoise -------------------------------
def mix64(z):
    z &= M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def noise_values(seed, stream, offset, count):
    key = mix64(seed + stream * GAMMA)
    out = []
    for index in range(offset, offset + count):
        p = index // 2
        w1 = mix64(key + (2 * p + 1) * GAMMA)
        w2 = mix64(key + (2 * p + 2) * GAMMA)
        u1 = ((w1 >> 11) + 1) * 2.0 ** -53
        u2 = (w2 >> 11) * 2.0 ** -53
        r = math.sqrt(-2.0 * math.log(u1))
        th = 2.0 * math.pi * u2
        out.append(r * (math.cos(th) if index % 2 == 0 else math.sin(th)))
    return np.float32(out).astype(np.float64)  # the Java side stores float32


# --- closed-form denoiser -----------------------------------------------------------------------
class GaussianEps:
    def __init__(self, ab, mu, s):
        self.ab, self.mu, self.s = ab, np.asarray(mu, dtype=np.float64).reshape(1, -1, 1, 1), s
        self.calls = []  # (t, x) of every call: the trajectory

    def __call__(self, x, t):
        self.calls.append((int(t), x.copy()))
        a = self.ab[t]
        return math.sqrt(1 - a) * (x - math.sqrt(a) * self.mu) / (a * self.s ** 2 + 1 - a)


# --- DDIM, CompVis ------------------------------------------------------------------------------
def ddim(model, ab, x, S, eta, noise_seed):
    c = T // S
    ts = np.asarray(list(range(0, T, c))) + 1                       # make_ddim_timesteps
    alphas = ab[ts]                                                 # make_ddim_sampling_parameters
    alphas_prev = np.asarray([ab[0]] + ab[ts[:-1]].tolist())
    sigmas = eta * np.sqrt((1 - alphas_prev) / (1 - alphas) * (1 - alphas / alphas_prev))
    n = len(ts)
    for i, step in enumerate(np.flip(ts)):                          # ddim_sampling
        index = n - i - 1
        e = model(x, step)
        a_t, a_prev, sig = alphas[index], alphas_prev[index], sigmas[index]
        pred_x0 = (x - math.sqrt(1 - a_t) * e) / math.sqrt(a_t)     # p_sample_ddim
        dir_xt = math.sqrt(1 - a_prev - sig ** 2) * e
        z = noise_values(noise_seed, 1, i * x.size, x.size).reshape(x.shape) if sig > 0 else 0.0
        x = math.sqrt(a_prev) * pred_x0 + dir_xt + sig * z
    return x, [int(t) for t in np.flip(ts)]


# --- DPM-Solver++(2M), k-diffusion --------------------------------------------------------------
def karras_timesteps(ab, n, rho=7.0):
    sig = np.sqrt((1 - ab) / ab)
    ramp = np.linspace(0, 1, n)
    min_inv, max_inv = sig[0] ** (1 / rho), sig[-1] ** (1 / rho)
    sigmas = (max_inv + ramp * (min_inv - max_inv)) ** rho          # get_sigmas_karras
    ts = [int(np.argmin(np.abs(np.log(sig) - np.log(s)))) for s in sigmas]
    return [t for i, t in enumerate(ts) if i == 0 or t != ts[i - 1]]


def dpmpp_2m(model, ab, x_vp, n):
    ts = karras_timesteps(ab, n)
    sig_all = np.sqrt((1 - ab) / ab)
    sigmas = [sig_all[t] for t in ts] + [0.0]
    x = x_vp * math.sqrt(sigmas[0] ** 2 + 1)                        # VP -> Karras: x / sqrt(ab)
    t_fn = lambda s: -math.log(s)
    old = None
    for i in range(len(ts)):
        c_in = 1 / math.sqrt(sigmas[i] ** 2 + 1)
        denoised = x - sigmas[i] * model(x * c_in, ts[i])            # DiscreteEpsDDPMDenoiser
        if sigmas[i + 1] == 0:
            x = denoised                                            # expm1(-inf) = -1, ratio 0
        else:
            t, t_next = t_fn(sigmas[i]), t_fn(sigmas[i + 1])
            h = t_next - t
            if old is None:
                x = (sigmas[i + 1] / sigmas[i]) * x - math.expm1(-h) * denoised
            else:
                h_last = t - t_fn(sigmas[i - 1])
                r = h_last / h
                d = (1 + 1 / (2 * r)) * denoised - (1 / (2 * r)) * old
                x = (sigmas[i + 1] / sigmas[i]) * x - math.expm1(-h) * d
        old = denoised
    return x, ts


def main():
    out = {"comment": "written by src/test/python/golden_samplers.py; do not edit"}

    sched_specs = [("linear", 0.0015, 0.0205), ("sqrt_linear", 0.0001, 0.02), ("cosine", 0.0, 0.0)]
    idx = [0, 1, 2, 10, 100, 250, 500, 750, 900, 998, 999]
    out["schedules"] = []
    for name, b0, b1 in sched_specs:
        ab = alphas_cumprod(name, T, b0, b1, 8e-3)
        out["schedules"].append({"type": name, "linear_start": b0, "linear_end": b1, "timesteps": T,
                                 "cosine_s": 8e-3, "indices": idx, "alphas_cumprod": [float(ab[i]) for i in idx]})

    out["ddim_uniform"] = []
    for S in (1, 10, 30, 50, 100, 250):
        ts = np.asarray(list(range(0, T, T // S))) + 1
        out["ddim_uniform"].append({"steps": S, "T": T, "timesteps": [int(t) for t in np.flip(ts)]})

    ab = alphas_cumprod("linear", T, 0.0015, 0.0205)
    out["karras"] = [{"schedule": "linear 0.0015 0.0205", "steps": n, "rho": 7.0,
                      "timesteps": karras_timesteps(ab, n)} for n in (1, 2, 10, 20, 50, 200)]

    out["noise"] = [{"seed": sd, "stream": st, "offset": off, "values": noise_values(sd, st, off, cnt).tolist()}
                    for sd, st, off, cnt in ((7, 0, 0, 16), (7, 1, 0, 8), (7, 1, 13, 7), (-3, 0, 1000001, 5))]

    shape = (1, 2, 2, 3)
    size = int(np.prod(shape))
    mu, s, x_seed = [0.5, -0.3], 0.5, 7
    x_T = noise_values(x_seed, 0, 0, size).reshape(shape)
    runs = []
    for kind, steps, eta, noise_seed in (("ddim", 10, 0.0, None), ("ddim", 10, 1.0, 11), ("ddim", 30, 0.5, 5),
                                         ("dpmpp_2m", 10, None, None), ("dpmpp_2m", 20, None, None)):
        model = GaussianEps(ab, mu, s)
        if kind == "ddim":
            x0, ts = ddim(model, ab, x_T.copy(), steps, eta, noise_seed)
        else:
            x0, ts = dpmpp_2m(model, ab, x_T.copy(), steps)
        assert [t for t, _ in model.calls] == ts
        runs.append({"sampler": kind, "steps": steps, "eta": eta, "noise_seed": noise_seed, "timesteps": ts,
                     "model_inputs": [x.ravel().tolist() for _, x in model.calls], "output": x0.ravel().tolist()})
    out["trajectories"] = {"schedule": {"type": "linear", "linear_start": 0.0015, "linear_end": 0.0205, "timesteps": T},
                           "shape": list(shape), "mu": mu, "s": s, "x_T_seed": x_seed, "runs": runs}

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden", "samplers.json")
    with open(os.path.normpath(path), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
