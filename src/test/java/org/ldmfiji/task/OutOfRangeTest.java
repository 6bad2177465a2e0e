package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.ldmfiji.diffusion.StepListener;
import org.ldmfiji.image.FloatPlanes;

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
}
