package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;

import java.util.ArrayList;
import java.util.List;

/**
 * Input values beyond the model's range (the outliers a percentile normalisation leaves in a 32-bit frame: a block of
 * missing data at 0, a dead or a hot pixel) stay out of the model, and each of their blocks still averages to its
 * input value. Dark ones change nothing outside their blocks; a bright one's block borders are smoothed with the rest
 * of the result (a star's must be), which reaches its neighbourhood only.
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
	void darkOutliersChangeOnlyTheirOwnBlocks() {
		int[][] at = {{5, 6}, {10, 3}}; // y, x: a block of missing data, a dead pixel
		double worst = largestChangeBeyond(at, -4, 0);
		assertEquals(0, worst, 1e-5, "largest change outside the outliers' blocks");
	}

	@Test
	void aHotPixelChangesItsNeighbourhoodOnly() {
		int[][] at = {{8, 8}};
		double worst = largestChangeBeyond(at, 3, 2);
		assertEquals(0, worst, 0.1, "largest change more than 2 blocks from the hot pixel's (its excess: 3; measured 0.034)");
	}

	/**
	 * Super-resolves the smooth input with outliers {@code by} beyond the range at {@code at}, and with them clamped;
	 * checks that each outlier's block averages to its input value; returns the largest difference between the two
	 * results more than {@code margin} blocks from every outlier's block.
	 */
	private static double largestChangeBeyond(int[][] at, double by, int margin) {
		SuperResolution sr = new SuperResolution(DemoModel.get(), DemoModel.fast(5));
		int f = sr.factor();
		double[] range = DemoModel.get().manifest().imageRange;
		FloatPlanes outliers = smooth(), clamped = smooth();
		double edge = by < 0 ? range[0] : range[1];
		for (int[] p : at) {
			outliers.set(0, p[0], p[1], (float) (edge + by));
			clamped.set(0, p[0], p[1], (float) edge);
		}
		List<FloatPlanes> a = sr.run(outliers, 2, 0, true, StepListener.NONE);
		List<FloatPlanes> b = sr.run(clamped, 2, 0, true, StepListener.NONE);
		double worst = 0;
		for (int s = 0; s < 2; s++) {
			FloatPlanes x = a.get(s), z = b.get(s);
			for (int y = 0; y < SIDE * f; y++)
				for (int i = 0; i < SIDE * f; i++) {
					boolean near = false;
					for (int[] p : at) near |= Math.abs(y / f - p[0]) <= margin && Math.abs(i / f - p[1]) <= margin;
					if (!near) worst = Math.max(worst, Math.abs(x.get(0, y, i) - z.get(0, y, i)));
				}
			FloatPlanes down = Consistency.areaDownsample(x, f);
			for (int[] p : at)
				assertEquals(outliers.get(0, p[0], p[1]), down.get(0, p[0], p[1]), 1e-4, "sample " + s + ": the block at "
					+ p[0] + "," + p[1] + " averages to its input value");
		}
		return worst;
	}

	/**
	 * A bright excess goes back in the shape of the samples' mean above the range's bottom (a star keeps its peak), a
	 * dark one evenly; every sample gets the same field, so each block still averages to its input and the samples'
	 * spread is unchanged.
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
				for (int k = 0; k < 4; k++)
					x.set(0, k / 2, b * f + k % 2, profiles[b][k] + (k == 0 ? wobble : k == 3 ? -wobble : 0));
			samples.add(x);
		}
		FloatPlanes before = SampleStatistics.mean(samples).copy();
		split.addBright(samples, f);
		split.addEven(samples, f);
		FloatPlanes after = SampleStatistics.mean(samples);
		for (FloatPlanes x : samples)
			for (int b = 0; b < 3; b++)
				assertEquals(low.get(0, 0, b), Consistency.areaDownsample(x, f).get(0, 0, b), 1e-5, "block " + b);
		assertEquals(0.2, samples.get(1).get(0, 0, 0) - samples.get(0).get(0, 0, 0), 1e-5, "the spread is unchanged");
		// bright block: the mean's height above lo = -1 is 3, 2, 1, 2 (mean 2): weights 1.5, 1, 0.5, 1 times the excess 2
		double[] added = {3, 2, 1, 2};
		for (int k = 0; k < 4; k++)
			assertEquals(added[k], after.get(0, k / 2, k % 2) - before.get(0, k / 2, k % 2), 1e-5, "bright block, pixel " + k);
		for (int k = 0; k < 4; k++)
			assertEquals(-1, after.get(0, k / 2, f + k % 2) - before.get(0, k / 2, f + k % 2), 1e-5, "dark block, pixel " + k);
		for (int k = 0; k < 4; k++)
			assertEquals(0, after.get(0, k / 2, 2 * f + k % 2) - before.get(0, k / 2, 2 * f + k % 2), 0, "in range, pixel " + k);
	}

	/**
	 * A hostile 32-bit value near the float limit (3·10^38) stays out of every smoothing step: the result is finite,
	 * its block averages to it, and nothing else changes (it goes back evenly, last).
	 */
	@Test
	void aValueNearTheFloatLimitStaysFinite() {
		double worst = largestChangeBeyond(new int[][] {{7, 9}}, 3e38, 0);
		assertEquals(0, worst, 1e-5, "largest change outside its block");
	}
}
