package org.ldmfiji.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.Test;

/**
 * Samplers run over the timestep list they are given (issue #17): a run that starts part-way is a slice of the full
 * list, and gives what a sampler made to start there gives.
 */
class TimestepSliceTest {

	@Test
	void aSliceOfTheListIsTheRunThatStartsPartWay() {
		NoiseSchedule schedule = NoiseSchedule.of("linear", 0.0015, 0.0205, 1000, 0);
		GaussianDenoiser d = new GaussianDenoiser(schedule, new double[] {0.3}, 0.5, false);
		for (Sampler full : new Sampler[] {new Ddim(20, 0.5, new GaussianNoise(3)), new DpmSolverPP2M(20)}) {
			Sampler partWay = full instanceof Ddim ? new Ddim(20, 0.5, new GaussianNoise(3), 600) : new DpmSolverPP2M(20, 600);
			try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
				NDArray x = new GaussianNoise(5).initialNoise(m, new Shape(2, 1, 4, 4));
				float[] sliced = full.sample(d, x, Timesteps.upTo(full.timesteps(schedule), 600), schedule, StepListener.NONE)
					.toFloatArray();
				float[] own = partWay.sample(d, x, schedule, StepListener.NONE).toFloatArray();
				assertArrayEquals(own, sliced, 0f, full.getClass().getSimpleName() + ": expected the slice from t <= 600 "
					+ "to sample exactly as the sampler made to start there");
			}
		}
	}
}
