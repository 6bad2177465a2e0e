package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Inputs whose block means vary like noise through the default super-resolution (the mean of several samples) show
 * no 4-px grid and stay consistent with their input. First an aliased texture (a grain finer than the input's pixels,
 * as wood, sand ripples or grass give): the samples disagree about the texture's phase, so {@link SpreadShrinkage}
 * pulls their mean toward the smooth interpolation of the aliased block means, whose slopes are steepest at the block
 * borders; {@link BorderSmoothing} takes those steps off just far enough to keep the grid ratio at {@link
 * BorderSmoothing#GRID_LIMIT}. Measured (demo model, 4 DDIM steps, seed 3): grid ratio 1.112 without the smoothing,
 * 1.028 with it (the truth's 0.997). Issue #18's bound is 1.05.
 */
class AliasedSuperResolutionTest {

	/** Issue #18's grid goal: mean |step| across the 4-px block borders over that inside the blocks. */
	private static final double GRID_MAX = 1.05;

	@Test
	void aliasedTextureHasNoBlockGrid() {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(3));
		int side = 96, waves = 40;
		// 40 waves of periods 2.8 to 4.5 px (the input's Nyquist limit is 8 px: all aliased), directions within
		// ±0.15 rad of 0.4 rad (a grain), random phases
		Random r = new Random(7);
		double[] kx = new double[waves], ky = new double[waves], phase = new double[waves];
		for (int j = 0; j < waves; j++) {
			double period = 2.8 + 1.7 * r.nextDouble(), angle = 0.4 + 0.3 * (r.nextDouble() - 0.5);
			kx[j] = 2 * Math.PI / period * Math.cos(angle);
			ky[j] = 2 * Math.PI / period * Math.sin(angle);
			phase[j] = 2 * Math.PI * r.nextDouble();
		}
		FloatPlanes truth = FloatPlanes.zeros(1, side, side);
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++) {
				double v = 0;
				for (int j = 0; j < waves; j++) v += Math.cos(kx[j] * x + ky[j] * y + phase[j]);
				truth.set(0, y, x, (float) (0.9 * v / Math.sqrt(2 * waves)));
			}
		assertGridFreeAndConsistent(sr, truth);
	}

	/**
	 * A dark, noisy frame (faint nebulosity under pixel noise, as in the dark astronomy crops of the training
	 * packages where the default result had a grid ratio of 1.12-1.16): the samples disagree about the noise, so their
	 * mean goes toward the smooth interpolation of noise-like block means, steepest on the block borders too. Measured
	 * (seed 5): grid ratio 1.224 without the smoothing, 1.024 with it (the truth's 0.998).
	 */
	@Test
	void darkNoisyFrameHasNoBlockGrid() {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(5));
		int side = 96;
		Random r = new Random(11);
		FloatPlanes truth = FloatPlanes.zeros(1, side, side);
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++) {
				double glow = 0.08 * Math.exp(-(Math.pow(x - 40, 2) + Math.pow(y - 55, 2)) / (2 * 22 * 22));
				truth.set(0, y, x, (float) (-0.85 + glow + 0.05 * r.nextGaussian()));
			}
		assertGridFreeAndConsistent(sr, truth);
	}

	/** The default run (the mean of the default number of samples) of the area-downsampled truth. */
	private static void assertGridFreeAndConsistent(SuperResolution sr, FloatPlanes truth) {
		int f = sr.factor();
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		List<FloatPlanes> samples = sr.run(low, OptionTable.SR_SAMPLES.defaultInt(), 0, true, StepListener.NONE);
		FloatPlanes mean = SampleStatistics.mean(samples);
		double grid = Quality.gridRatio(mean, f), consistency = Quality.psnr(Consistency.areaDownsample(mean, f), low, 2);
		assertTrue(grid <= GRID_MAX, String.format(Locale.ROOT, "grid ratio %.3f (the truth's %.3f)", grid,
			Quality.gridRatio(truth, f)));
		assertTrue(consistency >= 40, String.format(Locale.ROOT, "consistency %.1f dB", consistency));
	}
}
