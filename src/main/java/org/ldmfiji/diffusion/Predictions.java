package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/** Conversions between the ε-prediction and the data prediction, in the VP form x_t = √ᾱ·x_0 + √(1−ᾱ)·ε. */
final class Predictions {

	private Predictions() {}

	/**
	 * DDIM eq. (9) (Song et al. 2021): x̂_0 = (x_t − √(1−ᾱ_t)·ε̂) / √ᾱ_t, with ε̂ = p·x_t + q·out ({@link Prediction}):
	 * x̂_0 = ((1 − √(1−ᾱ)·p)/√ᾱ)·x_t − (√(1−ᾱ)·q/√ᾱ)·out.
	 */
	static NDArray x0(NDArray x, Prediction pr, double alphaBar) {
		double a = Math.sqrt(alphaBar), s = Math.sqrt(1 - alphaBar);
		return WeightedSum.of((1 - s * pr.p) / a, x, -s * pr.q / a, pr.out);
	}
}
