package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;
import org.ldmfiji.image.ValueMap;

import java.util.List;
import java.util.Locale;
import java.util.Random;

class BorderSmoothingTest {

	private static final int F = 4;

	/** Block means that vary like noise (a dark noisy frame's), std {@code sigma} around {@code level}. */
	private static FloatPlanes noisyMeans(long seed, int c, int side, double level, double sigma) {
		Random r = new Random(seed);
		FloatPlanes low = FloatPlanes.zeros(c, side, side);
		for (int i = 0; i < low.data().length; i++) low.data()[i] = (float) (level + sigma * r.nextGaussian());
		return low;
	}

	/** The smoothest consistent image of {@code low}: what the shrinkage pulls a noisy result toward. */
	private static FloatPlanes smoothest(FloatPlanes low) {
		FloatPlanes b = FloatPlanes.zeros(low.channels(), low.height() * F, low.width() * F);
		Consistency.enforce(b, low, F);
		return b;
	}

	/** Mean square difference of neighbours in different blocks. */
	private static double acrossEnergy(FloatPlanes x) {
		double s = 0;
		int w = x.width(), h = x.height();
		for (int c = 0; c < x.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int i = 0; i < w; i++) {
					if (i % F == 0 && i > 0) s += Math.pow(x.get(c, y, i) - x.get(c, y, i - 1), 2);
					if (y % F == 0 && y > 0) s += Math.pow(x.get(c, y, i) - x.get(c, y - 1, i), 2);
				}
		return s;
	}

	private static void assertSameBlockMeans(FloatPlanes expected, FloatPlanes actual) {
		float[] a = Consistency.areaDownsample(expected, F).data(), b = Consistency.areaDownsample(actual, F).data();
		for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i], 2e-6 * (1 + Math.abs(a[i])), "block mean " + i);
	}

	@Test
	void smoothingKeepsEveryBlockMeanAndLowersTheStepsAcrossBorders() {
		FloatPlanes x = noisyMeans(1, 2, 64, 0, 1); // pixel noise: steps everywhere
		FloatPlanes before = x.copy();
		double energy = acrossEnergy(x);
		BorderSmoothing.smooth(x, F, 1);
		assertSameBlockMeans(before, x);
		assertTrue(acrossEnergy(x) < 0.5 * energy, acrossEnergy(x) + " against " + energy);
	}

	/**
	 * The smooth consistent interpolation of noise-like block means has its steepest slopes on the block borders
	 * (grid ratio about 1.2); smoothed, it is at the limit, and no further, and still consistent. Two samples around
	 * it keep their difference: the spread (the standard-deviation map) is unchanged.
	 */
	@Test
	void noiseLikeBlockMeansAreSmoothedJustToTheLimit() {
		FloatPlanes low = noisyMeans(2, 1, 32, -0.8, 0.05), b = smoothest(low);
		double before = Quality.gridRatio(b, F);
		assertTrue(before > 1.15, "the smooth interpolation's own grid ratio " + before);
		FloatPlanes detail = noisyMeans(3, 1, 128, 0, 0.01);
		FloatPlanes zero = FloatPlanes.zeros(1, 32, 32);
		Consistency.enforce(detail, zero, F); // zero block means: both samples stay consistent
		FloatPlanes s1 = b.copy(), s2 = b.copy();
		for (int i = 0; i < b.data().length; i++) {
			s1.data()[i] += detail.data()[i];
			s2.data()[i] -= detail.data()[i];
		}
		double mu = BorderSmoothing.apply(List.of(s1, s2), low, F, true, StorableRange.unbounded(1));
		FloatPlanes mean = SampleStatistics.mean(List.of(s1, s2));
		double after = Quality.gridRatio(mean, F);
		assertTrue(mu > 0 && after <= BorderSmoothing.GRID_LIMIT && after > BorderSmoothing.GRID_LIMIT - 0.03,
			String.format(Locale.ROOT, "grid ratio %.3f -> %.3f (mu %.4f)", before, after, mu));
		assertSameBlockMeans(b, s1);
		assertSameBlockMeans(b, s2);
		for (int i = 0; i < b.data().length; i++)
			assertEquals(2 * detail.data()[i], s1.data()[i] - s2.data()[i], 1e-6, "spread at " + i);
	}

	@Test
	void aResultWithinTheLimitIsLeftAsItIs() {
		FloatPlanes x = FloatPlanes.zeros(1, 64, 64);
		for (int y = 0; y < 64; y++)
			for (int i = 0; i < 64; i++) x.set(0, y, i, (float) (0.5 * Math.sin(i / 7.0) * Math.cos(y / 11.0)));
		FloatPlanes low = Consistency.areaDownsample(x, F), before = x.copy();
		assertTrue(Quality.gridRatio(x, F) <= BorderSmoothing.GRID_LIMIT);
		assertEquals(0, BorderSmoothing.apply(List.of(x), low, F, true, StorableRange.unbounded(1)));
		assertArrayEquals(before.data(), x.data(), 0f);
	}

	/** Near the bottom of an integer type the smoothed result is still within it and consistent. */
	@Test
	void theSmoothedResultStaysWithinTheStorableRange() {
		FloatPlanes low = noisyMeans(4, 1, 32, -0.97, 0.02);
		for (int i = 0; i < low.data().length; i++) low.data()[i] = Math.max(-1, low.data()[i]); // an 8-bit input
		FloatPlanes b = smoothest(low);
		StorableRange storable = StorableRange.of(new double[] {0, 255}, List.of(ValueMap.unit(0, 255).onto(-1, 1)));
		storable.project(b, low, F);
		BorderSmoothing.apply(List.of(b), low, F, true, storable);
		for (float v : b.data()) assertTrue(v >= -1 - 1e-6, "below the type: " + v);
		float[] down = Consistency.areaDownsample(b, F).data();
		for (int i = 0; i < down.length; i++) assertEquals(low.data()[i], down[i], 1e-5, "block mean " + i);
		assertTrue(Quality.gridRatio(b, F) <= BorderSmoothing.GRID_LIMIT, "grid " + Quality.gridRatio(b, F));
	}
}
