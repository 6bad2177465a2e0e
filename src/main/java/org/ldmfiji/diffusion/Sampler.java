package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/** A reverse-diffusion sampler: one class per method, all with this contract. */
public interface Sampler {

	/**
	 * Runs the reverse process from x_T to x_0.
	 *
	 * @param denoiser the ε-model
	 * @param x x_T (standard normal noise for a fresh sample), on the model's device; not closed
	 * @param schedule the model's noise schedule
	 * @param listener told after every step; may throw {@link java.util.concurrent.CancellationException}
	 * @return x_0, attached to the manager of {@code x}
	 */
	NDArray sample(Denoiser denoiser, NDArray x, NoiseSchedule schedule, StepListener listener);
}
