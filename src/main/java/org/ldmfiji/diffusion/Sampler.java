package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;

/** A reverse-diffusion sampler: one class per method, all with this contract. */
public interface Sampler {

	/**
	 * The timesteps {@link #sample} visits, from noisy to clean. A sampler made to start part-way (SDEdit, Meng et
	 * al. 2022) visits only those up to its maximum: its x must then be a first guess diffused to the first of them.
	 */
	int[] timesteps(NoiseSchedule schedule);

	/**
	 * Runs the reverse process from x_T to x_0 over {@link #timesteps}.
	 *
	 * @param denoiser the ε-model
	 * @param x x_T (standard normal noise for a fresh sample), or x at {@code timesteps(schedule)[0]}; on the
	 *          model's device; not closed
	 * @param schedule the model's noise schedule
	 * @param listener told after every step; may throw {@link java.util.concurrent.CancellationException}
	 * @return x_0, attached to the manager of {@code x}
	 */
	default NDArray sample(Denoiser denoiser, NDArray x, NoiseSchedule schedule, StepListener listener) {
		return sample(denoiser, x, timesteps(schedule), schedule, listener);
	}

	/**
	 * Runs the reverse process over the given timesteps, from noisy to clean, ending at x_0: the sampler's own list
	 * ({@link #timesteps}) or a slice of it (a run that starts part-way, SDEdit: {@link Timesteps#upTo}); step i draws
	 * its noise (if any) as step i of the slice.
	 *
	 * @param x x at {@code timesteps[0]}; on the model's device; not closed
	 * @return x_0, attached to the manager of {@code x}
	 */
	NDArray sample(Denoiser denoiser, NDArray x, int[] timesteps, NoiseSchedule schedule, StepListener listener);
}
