package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/**
 * The noise prediction ε̂(x_t, t) of a diffusion model, with its conditioning already bound
 * (concatenated inputs, cross-attention context, guidance). Implementations convert other
 * parameterisations (v-prediction) to ε, so samplers see one contract.
 */
public interface Denoiser {

	/**
	 * @param x the noisy latent x_t, [N x C x h x w], on the model's device
	 * @param t the discrete timestep index in [0, T)
	 * @return ε̂, same shape as {@code x}, attached to the manager of {@code x}
	 */
	NDArray eps(NDArray x, int t);

	/**
	 * The prediction before its conversion to ε, for samplers that fold the conversion into their own update
	 * ({@link Prediction}); by default ε̂ itself.
	 *
	 * @param x the noisy latent x_t, as for {@link #eps}
	 * @param t the timestep index, as for {@link #eps}
	 * @return ε̂ = p·x + q·out, with {@code out} attached to the manager of {@code x}
	 */
	default Prediction predict(NDArray x, int t) {
		return new Prediction(eps(x, t), 0, 1);
	}
}
