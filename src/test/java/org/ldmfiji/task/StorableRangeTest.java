package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ValueMap;

import java.util.Collections;
import java.util.Random;

/**
 * A consistent result brought within the values its type stores ({@link StorableRange}): still consistent, within the
 * bounds, flat where the input sits at a bound, and untouched where it was within them already.
 */
class StorableRangeTest {

	private static final int F = 4;

	/** An 8-bit image's bounds in the model's units: [−1, 1]. */
	private static StorableRange eightBit() {
		return StorableRange.of(new double[] {0, 255}, Collections.singletonList(ValueMap.unit(0, 255).onto(-1, 1)));
	}

	/**
	 * A dark input (a third of its blocks at the floor, the rest a few levels above it) and a consistent result with
	 * noise of ±0.05 around it, as the smooth correction leaves on a black background.
	 */
	@Test
	void aConsistentResultBecomesStorableAndStaysConsistent() {
		Random r = new Random(7);
		int lw = 24, lh = 20;
		FloatPlanes low = FloatPlanes.zeros(1, lh, lw);
		for (int y = 0; y < lh; y++)
			for (int x = 0; x < lw; x++) low.set(0, y, x, r.nextInt(3) == 0 ? -1 : (float) (-1 + r.nextInt(6) / 127.5));
		FloatPlanes high = FloatPlanes.zeros(1, lh * F, lw * F);
		for (int i = 0; i < high.data().length; i++) high.data()[i] = (float) (-1 + 0.05 * r.nextGaussian());
		Consistency.enforce(high, low, F);
		assertTrue(min(high) < -1.05, "the test needs values below the floor");

		eightBit().project(high, low, F);

		assertTrue(min(high) >= -1 && max(high) <= 1, "within [-1, 1]: " + min(high) + " .. " + max(high));
		FloatPlanes residual = Consistency.residual(high, low, F);
		assertTrue(max(residual) < 1e-5 && min(residual) > -1e-5, "consistent: residual " + min(residual) + " .. "
			+ max(residual));
		for (int y = 0; y < lh; y++)
			for (int x = 0; x < lw; x++)
				if (low.get(0, y, x) == -1)
					for (int j = 0; j < F; j++)
						for (int i = 0; i < F; i++)
							assertEquals(-1, high.get(0, y * F + j, x * F + i), 1e-6, "block (" + x + ", " + y
								+ ") has input 0: the only storable values averaging 0 are all 0");
	}

	@Test
	void aResultWithinTheBoundsIsLeftAsItIs() {
		Random r = new Random(3);
		FloatPlanes low = FloatPlanes.zeros(1, 8, 8);
		for (int i = 0; i < low.data().length; i++) low.data()[i] = (float) Math.max(-0.5, Math.min(0.5, 0.2 * r.nextGaussian()));
		FloatPlanes high = FloatPlanes.zeros(1, 8 * F, 8 * F);
		for (int i = 0; i < high.data().length; i++) high.data()[i] = (float) (0.02 * r.nextGaussian());
		Consistency.enforce(high, low, F);
		assertTrue(max(high) < 1 && min(high) > -1, "the test needs a result within the bounds");
		float[] before = high.data().clone();
		eightBit().project(high, low, F);
		assertArrayEquals(before, high.data());
		StorableRange.unbounded(1).project(high, low, F);
		assertArrayEquals(before, high.data());
	}

	private static float min(FloatPlanes p) {
		float m = Float.POSITIVE_INFINITY;
		for (float v : p.data()) m = Math.min(m, v);
		return m;
	}

	private static float max(FloatPlanes p) {
		float m = Float.NEGATIVE_INFINITY;
		for (float v : p.data()) m = Math.max(m, v);
		return m;
	}
}
