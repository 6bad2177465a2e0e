package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * DDIM; Song et al. 2021, eq. (12), exactly as CompVis latent-diffusion's {@code DDIMSampler}
 * (uniform timesteps {@code range(0, T, T//S) + 1}, or S from T − 1 down where that would reach T, see
 * {@link Timesteps#ddimUniform}; the last step goes to ᾱ_0, not to 1).
 * eta = 0 is the deterministic sampler, eta = 1 the DDPM-like ancestral one.
 */
public final class Ddim implements Sampler {

	private final int steps;
	private final double eta;
	private final GaussianNoise noise;
	private final int maxTimestep;

	/** Deterministic DDIM (eta = 0). */
	public Ddim(int steps) {
		this(steps, 0, null);
	}

	/** DDIM over the whole schedule. */
	public Ddim(int steps, double eta, GaussianNoise noise) {
		this(steps, eta, noise, Integer.MAX_VALUE);
	}

	/**
	 * @param steps S, the requested number of steps (CompVis's spacing may add one, S = T gives T − 1, see
	 *        {@link Timesteps#ddimUniform})
	 * @param eta the stochasticity η ≥ 0
	 * @param noise the source of z for η &gt; 0 ({@link GaussianNoise#stepNoise}); may be null for η = 0
	 * @param maxTimestep visit only the timesteps up to this one (see {@link Sampler#timesteps})
	 */
	public Ddim(int steps, double eta, GaussianNoise noise, int maxTimestep) {
		if (steps < 1) throw new IllegalArgumentException("DDIM needs at least 1 step, got " + steps);
		if (!(eta >= 0)) throw new IllegalArgumentException("DDIM eta must be >= 0, got " + eta);
		if (eta > 0 && noise == null) {
			throw new IllegalArgumentException("DDIM with eta " + eta + " adds noise: pass a source, e.g. new GaussianNoise(seed)");
		}
		this.steps = steps;
		this.eta = eta;
		this.noise = noise;
		this.maxTimestep = maxTimestep;
	}

	@Override
	public int[] timesteps(NoiseSchedule schedule) {
		return Timesteps.upTo(Timesteps.ddimUniform(steps, schedule.timesteps()), maxTimestep);
	}

	@Override
	public NDArray sample(Denoiser denoiser, NDArray x, int[] ts, NoiseSchedule schedule, StepListener listener) {
		if (ts.length == 0) throw new IllegalArgumentException("a sampling run needs at least one timestep");
		try (SamplingLoop loop = new SamplingLoop(x)) {
			NDArray xt = x;
			for (int i = 0; i < ts.length; i++) {
				double a = schedule.alphaBar(ts[i]);
				// CompVis make_ddim_sampling_parameters: ᾱ_prev of the last step is ᾱ_0
				double aPrev = schedule.alphaBar(i + 1 < ts.length ? ts[i + 1] : 0);
				// DDIM eq. (16): σ = η·√((1−ᾱ_prev)/(1−ᾱ))·√(1 − ᾱ/ᾱ_prev)
				double sigma = eta * Math.sqrt((1 - aPrev) / (1 - a) * (1 - a / aPrev));
				try (SamplingLoop.Step s = loop.step()) {
					NDArray in = s.enter(xt);
					Prediction pr = denoiser.predict(in, ts[i]);
					NDArray out = s.enter(pr.out);
					// DDIM eq. (12): x_prev = √ᾱ_prev·x̂_0 + √(1 − ᾱ_prev − σ²)·ε̂ + σ·z with eq. (9)
					// x̂_0 = (x_t − √(1−ᾱ)·ε̂)/√ᾱ, folded into two coefficients:
					// x_prev = (√ᾱ_prev/√ᾱ)·x_t + (√(1 − ᾱ_prev − σ²) − √ᾱ_prev·√(1−ᾱ)/√ᾱ)·ε̂ + σ·z = cx·x_t + ce·ε̂ + σ·z,
					// and with ε̂ = p·x_t + q·out (Prediction): (cx + ce·p)·x_t + ce·q·out, three tensor ops a step
					double cx = Math.sqrt(aPrev / a);
					double ce = Math.sqrt(1 - aPrev - sigma * sigma) - Math.sqrt(aPrev * (1 - a) / a);
					NDArray next = WeightedSum.of(cx + ce * pr.p, in, ce * pr.q, out);
					if (sigma > 0) {
						NDArray z = noise.stepNoise(s.manager(), in.getShape(), i)
							.toDevice(in.getDevice(), false).toType(in.getDataType(), false);
						next = next.add(WeightedSum.times(sigma, z));
					}
					xt = s.keep(next);
				}
				listener.stepDone(i + 1, ts.length);
			}
			return loop.finish(xt);
		}
	}
}
