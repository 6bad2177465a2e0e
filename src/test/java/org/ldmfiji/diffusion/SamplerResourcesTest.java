package org.ldmfiji.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Native memory, reproducibility and cancellation of every sampler. */
class SamplerResourcesTest {

	private static final NoiseSchedule SCHEDULE = NoiseSchedule.of("linear", 0.0015, 0.0205, 1000, 0);
	private static final Shape SHAPE = new Shape(1, 2, 4, 5);

	/** Each sampler with the options that exercise most of its code; fresh per call. */
	private static List<Supplier<Sampler>> samplers(int steps) {
		return Arrays.asList(() -> new Ddim(steps), () -> new Ddim(steps, 1, new GaussianNoise(3)),
			() -> new DpmSolverPP2M(steps));
	}

	private static Denoiser model() {
		return new GaussianDenoiser(SCHEDULE, new double[] {0.5, -0.3}, 0.5, false);
	}

	@Test
	void longRunHoldsNoArraysBeyondItsResult() {
		for (Supplier<Sampler> make : samplers(500)) {
			Sampler sampler = make.get();
			String name = sampler.getClass().getSimpleName();
			try (NDManager base = NDManager.newBaseManager()) {
				NDArray x = new GaussianNoise(1).initialNoise(base, SHAPE);
				float[] xBefore = x.toFloatArray();
				int before = base.getManagedArrays().size();
				int[] most = {0};
				int[] calls = {0, 0};
				NDArray out = sampler.sample(model(), x, SCHEDULE, (done, total) -> {
					assertEquals(++calls[0], done, name + ": expected the listener after every step, in order");
					calls[1] = total;
					most[0] = Math.max(most[0], base.getManagedArrays().size());
				});
				// DPM-Solver++'s Karras timesteps repeat near t = 0 at 500 steps; repeats are dropped (459 remain)
				assertTrue(calls[0] == calls[1] && calls[1] >= 450, name + ": expected the listener after each of "
					+ "about 500 steps, got " + calls[0] + " calls of " + calls[1]);
				// between steps: x (lent back), the latent and, for a multistep solver, the last x_0 prediction
				assertTrue(most[0] <= before + 2, name + ": expected at most " + (before + 2)
					+ " live arrays between steps (intermediates die with their step), saw " + most[0]);
				assertEquals(before + 1, base.getManagedArrays().size(),
					name + ": expected only the result added to the input's manager after sampling");
				assertSame(base, out.getManager(), name + ": expected x_0 attached to the manager of the input");
				assertSame(base, x.getManager(), name + ": expected the input back on its own manager");
				assertArrayEquals(xBefore, x.toFloatArray(), name + ": the input x_T must not be modified");
				out.close();
				assertEquals(before, base.getManagedArrays().size(), name + ": expected no leftover arrays");
			}
		}
	}

	@Test
	void cancellationPropagatesAndLeavesNoArrays() {
		for (Supplier<Sampler> make : samplers(20)) {
			Sampler sampler = make.get();
			String name = sampler.getClass().getSimpleName();
			try (NDManager base = NDManager.newBaseManager()) {
				NDArray x = new GaussianNoise(1).initialNoise(base, SHAPE);
				float[] xBefore = x.toFloatArray();
				int before = base.getManagedArrays().size();
				int[] calls = {0};
				assertThrows(CancellationException.class, () -> sampler.sample(model(), x, SCHEDULE, (done, total) -> {
					calls[0]++;
					if (done == 5) throw new CancellationException("user cancelled");
				}), name + ": expected the listener's CancellationException to propagate");
				assertEquals(5, calls[0], name + ": expected no step after cancellation");
				assertEquals(before, base.getManagedArrays().size(), name + ": expected no arrays left after cancellation");
				assertSame(base, x.getManager(), name + ": expected the input back on its own manager");
				assertArrayEquals(xBefore, x.toFloatArray(), name + ": the input x_T must not be modified");
			}
		}
	}

	@Test
	void sameSeedSameOutputOtherSeedOther() {
		float[] a = ancestral(42, 42);
		assertArrayEquals(a, ancestral(42, 42), "same seeds: expected a bit-identical x_0");
		assertFalse(Arrays.equals(a, ancestral(43, 42)), "another seed for x_T: expected another x_0");
		assertFalse(Arrays.equals(a, ancestral(42, 43)), "another seed for the DDIM noise: expected another x_0");
		// a sampler instance holds no state between runs
		Sampler dpm = new DpmSolverPP2M(15);
		assertArrayEquals(run(dpm, 9), run(dpm, 9), "DPM-Solver++(2M) run twice: expected a bit-identical x_0");
		assertFalse(Arrays.equals(run(dpm, 9), run(dpm, 10)), "DPM-Solver++(2M) from another x_T: expected another x_0");
	}

	@Test
	void noiseStreamsAreIndependentAndRandomAccess() {
		GaussianNoise noise = new GaussianNoise(5);
		float[] all = noise.values(1, 0, 40);
		assertArrayEquals(Arrays.copyOfRange(all, 13, 40), noise.values(1, 13, 27),
			"expected value i of a stream to depend only on (seed, stream, i)");
		assertFalse(Arrays.equals(all, noise.values(0, 0, 40)), "expected the x_T stream to differ from the step-noise stream");
		float[] many = new GaussianNoise(8).values(0, 0, 100_000);
		double m = 0, v = 0;
		for (float f : many) m += f;
		m /= many.length;
		for (float f : many) v += (f - m) * (f - m);
		v /= many.length;
		assertEquals(0, m, 0.02, "expected standard normal noise: mean");
		assertEquals(1, v, 0.02, "expected standard normal noise: variance");
		try (NDManager base = NDManager.newBaseManager()) {
			float[] step2 = noise.stepNoise(base, SHAPE, 2).toFloatArray();
			assertArrayEquals(noise.values(1, 2 * SHAPE.size(), (int) SHAPE.size()), step2,
				"expected step k's noise to be stream 1 from k·size");
		}
	}

	@Test
	void ddimNeedsNoiseForEtaAboveZeroAndKeepsCompVisCounts() {
		assertThrows(IllegalArgumentException.class, () -> new Ddim(50, 1, null), "eta > 0 without noise");
		assertEquals(31, Timesteps.ddimUniform(30, 1000).length, "CompVis: 30 steps of 1000 give 31 timesteps");
	}

	private static float[] ancestral(long xSeed, long noiseSeed) {
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray x = new GaussianNoise(xSeed).initialNoise(base, SHAPE);
			return new Ddim(10, 1, new GaussianNoise(noiseSeed)).sample(model(), x, SCHEDULE, StepListener.NONE).toFloatArray();
		}
	}

	private static float[] run(Sampler sampler, long xSeed) {
		try (NDManager base = NDManager.newBaseManager()) {
			NDArray x = new GaussianNoise(xSeed).initialNoise(base, SHAPE);
			return sampler.sample(model(), x, SCHEDULE, StepListener.NONE).toFloatArray();
		}
	}
}
