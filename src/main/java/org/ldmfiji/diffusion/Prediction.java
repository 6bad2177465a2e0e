package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * A denoiser's raw output with the affine map that turns it into the noise prediction: ε̂ = p·x_t + q·out.
 * ε-prediction: p = 0, q = 1. v-prediction (Salimans &amp; Ho 2022): v = √ᾱ·ε − √(1−ᾱ)·x_0 and
 * x_t = √ᾱ·x_0 + √(1−ᾱ)·ε give ε = √(1−ᾱ)·x_t + √ᾱ·v, so p = √(1−ᾱ), q = √ᾱ. Samplers whose update is linear in ε̂
 * fold p and q into their own coefficients and save the tensor operations of the conversion.
 */
public final class Prediction {

	/** The model's output, attached to the manager of x_t. */
	public final NDArray out;
	public final double p;
	public final double q;

	public Prediction(NDArray out, double p, double q) {
		this.out = out;
		this.p = p;
		this.q = q;
	}

	/** ε̂ itself (for x_t = {@code x}); {@link #out} when it already is ε̂. */
	public NDArray eps(NDArray x) {
		return p == 0 && q == 1 ? out : WeightedSum.of(q, out, p, x);
	}
}
