package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/** Conversions between the ε-prediction and the data prediction, in the VP form x_t = √ᾱ·x_0 + √(1−ᾱ)·ε. */
final class Predictions {

	private Predictions() {}

	/** DDIM eq. (9) (Song et al. 2021): x̂_0 = (x_t − √(1−ᾱ_t)·ε̂) / √ᾱ_t. */
	static NDArray x0(NDArray x, NDArray eps, double alphaBar) {
		return x.sub(eps.mul((float) Math.sqrt(1 - alphaBar))).div((float) Math.sqrt(alphaBar));
	}
}
