package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;

import java.util.Locale;
import java.util.Random;

/** The means an integer image stands for: the smoothest within each pixel's level where the image is smooth. */
class DequantisationTest {

	private static final int W = 48, H = 40;
	private static final double[] LO = {0}, HI = {255};

	/** A slow ramp rounded to plateaus of one level comes back within each level, much nearer the true ramp. */
	@Test
	void aRoundedRampComesBackNearTheTrueRampWithinItsLevels() {
		FloatPlanes t = FloatPlanes.zeros(1, H, W);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) t.data()[y * W + x] = (float) (100.3 + 0.13 * x + 0.07 * y);
		FloatPlanes y = rounded(t), z = y.copy();
		Dequantisation.apply(z, new double[] {1}, LO, HI);
		for (int i = 0; i < W * H; i++)
			assertTrue(Math.abs(z.data()[i] - y.data()[i]) <= Dequantisation.SHARE / 2 + 1e-6, "within its level at " + i);
		double before = rms(y, t), after = rms(z, t);
		assertTrue(after <= before / 3, String.format(Locale.ROOT, "RMS error %.3f, plateaus %.3f", after, before));
	}

	/** Where the image varies by many levels from pixel to pixel its values are as likely anywhere in their level. */
	@Test
	void aTexturedImageKeepsItsValues() {
		Random r = new Random(1);
		FloatPlanes y = FloatPlanes.zeros(1, H, W);
		for (int i = 0; i < W * H; i++) y.data()[i] = Math.round(128 + 30 * r.nextGaussian());
		FloatPlanes z = y.copy();
		Dequantisation.apply(z, new double[] {1}, LO, HI);
		assertArrayEquals(y.data(), z.data());
	}

	/** No mean moves beyond the range; a value at or beyond it (saturated, an outlier) and a channel of level 0 stay. */
	@Test
	void nothingIsMovedBeyondTheRangeAndOutliersStay() {
		FloatPlanes t = FloatPlanes.zeros(2, H, W);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				t.data()[y * W + x] = (float) (250.2 + 0.14 * x);
				t.data()[W * H + y * W + x] = (float) (10.2 + 0.14 * x);
			}
		FloatPlanes y = rounded(t), z = y.copy();
		Dequantisation.apply(z, new double[] {1, 0}, new double[] {250.5, 0}, new double[] {255, 255});
		for (int i = 0; i < W * H; i++) {
			float v = y.data()[i];
			if (v >= 255 || v <= 250.5) assertEquals(v, z.data()[i], "at or beyond the range at " + i);
			else assertTrue(z.data()[i] >= 250.5 && z.data()[i] <= 255, "within the range: " + z.data()[i]);
			assertEquals(y.data()[W * H + i], z.data()[W * H + i], "level 0: left as it is");
		}
		double before = 0, after = 0; // the ramp below the range's top, still dequantised
		for (int i = 0; i < W * H; i++)
			if (y.data()[i] > 251 && y.data()[i] <= 254) {
				before += Math.pow(y.data()[i] - t.data()[i], 2);
				after += Math.pow(z.data()[i] - t.data()[i], 2);
			}
		assertTrue(after < before / 4, "squared error " + after + ", plateaus " + before);
	}

	private static FloatPlanes rounded(FloatPlanes t) {
		FloatPlanes y = t.copy();
		for (int i = 0; i < y.data().length; i++) y.data()[i] = Math.round(y.data()[i]);
		return y;
	}

	private static double rms(FloatPlanes a, FloatPlanes b) {
		double s = 0;
		for (int i = 0; i < a.data().length; i++) s += Math.pow(a.data()[i] - b.data()[i], 2);
		return Math.sqrt(s / a.data().length);
	}
}
