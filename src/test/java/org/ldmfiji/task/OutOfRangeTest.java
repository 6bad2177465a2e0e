package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Input values beyond the model's range (the outliers a percentile normalisation leaves in a 32-bit frame: a block of
 * missing data at 0, a hot pixel) stay out of the model: the result outside their blocks is the result for the same
 * input with them clamped, and each of their blocks still averages to its input value.
 */
class OutOfRangeTest {

	private static final int SIDE = 16;

	/** A smooth 1 × 16 × 16 input well inside [-1, 1]. */
	private static FloatPlanes smooth() {
		FloatPlanes p = FloatPlanes.zeros(1, SIDE, SIDE);
		for (int y = 0; y < SIDE; y++)
			for (int x = 0; x < SIDE; x++) p.set(0, y, x, (float) (0.3 * Math.sin(x / 5.0) + 0.2 * Math.cos(y / 7.0)));
		return p;
	}

	@Test
	void outliersChangeOnlyTheirOwnBlocks() {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(5));
		int f = sr.factor();
		double[] range = DemoModel.get().manifest().imageRange;
		FloatPlanes outliers = smooth(), clamped = smooth();
		int[][] at = {{5, 6, -1}, {10, 3, 1}}; // y, x, sign: a dark block (missing data) and a hot pixel
		for (int[] p : at) {
			outliers.set(0, p[0], p[1], (float) (p[2] < 0 ? range[0] - 4 : range[1] + 3));
			clamped.set(0, p[0], p[1], (float) (p[2] < 0 ? range[0] : range[1]));
		}
		List<FloatPlanes> a = sr.run(outliers, 2, 0, true, StepListener.NONE);
		List<FloatPlanes> b = sr.run(clamped, 2, 0, true, StepListener.NONE);
		for (int s = 0; s < 2; s++) {
			FloatPlanes x = a.get(s), z = b.get(s);
			double worst = 0;
			for (int y = 0; y < SIDE * f; y++)
				for (int i = 0; i < SIDE * f; i++) {
					boolean inOutlierBlock = false;
					for (int[] p : at) inOutlierBlock |= y / f == p[0] && i / f == p[1];
					if (!inOutlierBlock) worst = Math.max(worst, Math.abs(x.get(0, y, i) - z.get(0, y, i)));
				}
			assertEquals(0, worst, 1e-5, "sample " + s + ": largest change outside the outliers' blocks");
			FloatPlanes down = Consistency.areaDownsample(x, f);
			for (int[] p : at)
				assertEquals(outliers.get(0, p[0], p[1]), down.get(0, p[0], p[1]), 1e-4, "sample " + s + ": the block at "
					+ p[0] + "," + p[1] + " averages to its input value");
		}
	}

	/**
	 * A bright excess goes back in the shape of the samples' mean above the range's bottom (a star keeps its peak), a
	 * dark one evenly; every sample gets the same field, so each block still averages to its input and the samples'
	 * spread is unchanged; a block that the shaped excess would take past what the type stores is brought back within
	 * it, keeping its mean.
	 */
	@Test
	void aBrightExcessFollowsTheProfileAndADarkOneIsEven() {
		int f = 2;
		double[] range = {-1, 1};
		FloatPlanes low = FloatPlanes.zeros(1, 1, 3);
		low.set(0, 0, 0, 3); // bright: excess 2
		low.set(0, 0, 1, -2); // dark: excess -1
		low.set(0, 0, 2, 0.5f);
		OutOfRange split = OutOfRange.split(low, range);
		// per block, row-major 2 × 2, each averaging to the input clamped into the range (consistent)
		float[][] profiles = {{2, 1, 0, 1}, {-1, -1, -1, -1}, {0, 1, 0.5f, 0.5f}};
		List<FloatPlanes> samples = new ArrayList<>();
		for (float wobble : new float[] {-0.1f, 0.1f}) {
			FloatPlanes x = FloatPlanes.zeros(1, f, 3 * f);
			for (int b = 0; b < 3; b++)
				for (int k = 0; k < 4; k++) x.set(0, k / 2, b * f + k % 2, profiles[b][k] + (k == 0 ? wobble : k == 3 ? -wobble : 0));
			samples.add(x);
		}
		FloatPlanes before = SampleStatistics.mean(samples).copy();
		split.addExcess(samples, f, true, StorableRange.unbounded(1));
		FloatPlanes after = SampleStatistics.mean(samples);
		for (FloatPlanes x : samples)
			for (int b = 0; b < 3; b++)
				assertEquals(low.get(0, 0, b), Consistency.areaDownsample(x, f).get(0, 0, b), 1e-5, "block " + b);
		assertEquals(0.2, samples.get(1).get(0, 0, 0) - samples.get(0).get(0, 0, 0), 1e-5, "the spread is unchanged");
		// bright block: the mean's height above lo = -1 is 3, 2, 1, 2 (of mean 2): weights 1.5, 1, 0.5, 1 times the excess 2
		double[] added = {3, 2, 1, 2};
		for (int k = 0; k < 4; k++)
			assertEquals(added[k], after.get(0, k / 2, k % 2) - before.get(0, k / 2, k % 2), 1e-5, "bright block, pixel " + k);
		for (int k = 0; k < 4; k++)
			assertEquals(-1, after.get(0, k / 2, f + k % 2) - before.get(0, k / 2, f + k % 2), 1e-5, "dark block, pixel " + k);
		for (int k = 0; k < 4; k++)
			assertEquals(0, after.get(0, k / 2, 2 * f + k % 2) - before.get(0, k / 2, 2 * f + k % 2), 0, "in range, pixel " + k);

		// stored within [-1, 4]: the bright block's peak (2 + 3 = 5) is brought within, its mean kept
		FloatPlanes lower = FloatPlanes.zeros(1, 1, 1), upper = FloatPlanes.zeros(1, 1, 1);
		lower.set(0, 0, 0, -1);
		upper.set(0, 0, 0, 4);
		List<FloatPlanes> one = Collections.singletonList(before.copy());
		split.addExcess(one, f, true, StorableRange.of(lower, upper));
		FloatPlanes x = one.get(0);
		double max = Double.NEGATIVE_INFINITY;
		for (int k = 0; k < 4; k++) max = Math.max(max, x.get(0, k / 2, k % 2));
		assertEquals(4, max, 1e-5, "the brightest pixel at the type's top");
		assertEquals(3, Consistency.areaDownsample(x, f).get(0, 0, 0), 1e-5, "the bright block's mean");
	}
}
