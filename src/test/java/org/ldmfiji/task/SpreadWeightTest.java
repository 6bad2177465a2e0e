package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** The consistency correction weighted by the samples' spread: exact, and placed where the samples disagree. */
class SpreadWeightTest {

	private static final int F = 4, SIDE = 96;

	/** A dark background (−0.9 ± noise) with a round spot of the given peak and sigma (px) centred at (cy, cx). */
	private static FloatPlanes spot(Random r, double noise, double peak, double sigma, double cy, double cx) {
		FloatPlanes p = FloatPlanes.zeros(1, SIDE, SIDE);
		for (int y = 0; y < SIDE; y++)
			for (int x = 0; x < SIDE; x++)
				p.set(0, y, x, (float) (-0.9 + noise * r.nextGaussian()
					+ peak * Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * sigma * sigma))));
		return p;
	}

	/**
	 * Samples that agree everywhere but in a band (x 46-59) where they scatter, and an input whose only change is the
	 * block at x 44-47, half in the band: the smooth correction reaches as far left of the block as right of it (the
	 * lobes that keep the neighbouring blocks' means: the ring around a spot); weighted by the samples' spread it
	 * stays in the band, where the samples doubt. Both results reproduce the input exactly.
	 */
	@Test
	void theCorrectionGoesWhereTheSamplesDisagree() {
		Random r = new Random(5);
		List<FloatPlanes> samples = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			FloatPlanes x = spot(r, 0, 0, 1, 0, 0);
			for (int p = 0; p < x.data().length; p++) x.data()[p] += (float) ((p % SIDE < 46 || p % SIDE >= 60 ? 0.002 : 0.1) * r.nextGaussian());
			samples.add(x);
		}
		FloatPlanes mean = SampleStatistics.mean(samples).copy(), low = Consistency.areaDownsample(mean, F);
		low.set(0, 12, 11, low.get(0, 12, 11) + 0.5f); // the block at x 44-47, y 48-51
		FloatPlanes smooth = mean.copy(), weighted = mean.copy();
		Consistency.enforce(smooth, low, F);
		Consistency.enforce(weighted, low, F, SpreadWeight.of(samples));
		double left = 0, leftSmooth = 0, right = 0, rightSmooth = 0; // beyond the block's own column, either side
		for (int p = 0; p < mean.data().length; p++) {
			double c = Math.abs(weighted.data()[p] - mean.data()[p]), cs = Math.abs(smooth.data()[p] - mean.data()[p]);
			if (p % SIDE < 44) {
				left += c;
				leftSmooth += cs;
			}
			else if (p % SIDE >= 48) {
				right += c;
				rightSmooth += cs;
			}
		}
		assertTrue(left < 0.25 * leftSmooth, "left of the block: weighted " + left + ", smooth " + leftSmooth);
		assertTrue(right > leftSmooth, "right of the block: weighted " + right + ", smooth " + rightSmooth);
		for (FloatPlanes x : List.of(smooth, weighted)) {
			FloatPlanes down = Consistency.areaDownsample(x, F);
			for (int i = 0; i < low.data().length; i++) assertEquals(low.data()[i], down.data()[i], 1e-5, "block " + i);
		}
	}

	/** Equal weights give the smooth correction itself. */
	@Test
	void equalWeightsGiveTheSmoothCorrection() {
		Random r = new Random(3);
		FloatPlanes x = spot(r, 0.2, 0, 1, 0, 0), low = Consistency.areaDownsample(spot(r, 0.2, 0, 1, 0, 0), F);
		FloatPlanes ones = x.copy();
		Arrays.fill(ones.data(), 1f);
		FloatPlanes smooth = x.copy(), weighted = x.copy();
		Consistency.enforce(smooth, low, F);
		Consistency.enforce(weighted, low, F, ones);
		for (int i = 0; i < x.data().length; i++) assertEquals(smooth.data()[i], weighted.data()[i], 1e-4, "pixel " + i);
	}
}
