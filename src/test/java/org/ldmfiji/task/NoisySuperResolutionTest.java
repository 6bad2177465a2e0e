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
 * A dark, noisy frame (faint nebulosity under pixel noise, as in the dark astronomy crops of the training packages
 * where the default result had a grid ratio of 1.12-1.16) through the default super-resolution shows no 4-px grid and
 * stays consistent. The samples disagree about the noise, so their mean goes toward the smooth interpolation of
 * noise-like block means, steepest on the block borders; {@link BorderSmoothing} takes the steps off the borders.
 * Measured (demo model, 4 DDIM steps, seed 5): grid ratio 1.224 without the smoothing, 1.024 with it (the truth's
 * 0.998); consistency above 170 dB either way (float input). Issue #18's bound is 1.05.
 */
class NoisySuperResolutionTest {

	private static final double GRID_MAX = 1.05;

	@Test
	void aDarkNoisyFrameHasNoBlockGrid() {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(5));
		int f = sr.factor(), side = 96;
		Random r = new Random(11);
		FloatPlanes truth = FloatPlanes.zeros(1, side, side);
		for (int y = 0; y < side; y++)
			for (int x = 0; x < side; x++) {
				double glow = 0.08 * Math.exp(-(Math.pow(x - 40, 2) + Math.pow(y - 55, 2)) / (2 * 22 * 22));
				truth.set(0, y, x, (float) (-0.85 + glow + 0.05 * r.nextGaussian()));
			}
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		List<FloatPlanes> samples = sr.run(low, OptionTable.SR_SAMPLES.defaultInt(), 0, true, StepListener.NONE);
		FloatPlanes mean = SampleStatistics.mean(samples);
		double grid = Quality.gridRatio(mean, f), consistency = Quality.psnr(Consistency.areaDownsample(mean, f), low, 2);
		assertTrue(grid <= GRID_MAX, String.format(Locale.ROOT, "grid ratio %.3f (the truth's %.3f)", grid,
			Quality.gridRatio(truth, f)));
		assertTrue(consistency >= 40, String.format(Locale.ROOT, "consistency %.1f dB", consistency));
	}
}
