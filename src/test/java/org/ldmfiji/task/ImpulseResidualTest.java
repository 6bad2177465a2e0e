package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;

import java.util.Random;

class ImpulseResidualTest {

	private static final int F = 4, SIDE = 96;

	/** A dark sky (−0.9 ± 0.01) with a point source of the given peak at (y, x), sigma in px. */
	private static FloatPlanes sky(long seed, double peak, double sigma, int cy, int cx) {
		Random r = new Random(seed);
		FloatPlanes p = FloatPlanes.zeros(1, SIDE, SIDE);
		for (int y = 0; y < SIDE; y++)
			for (int x = 0; x < SIDE; x++)
				p.set(0, y, x, (float) (-0.9 + 0.01 * r.nextGaussian()
					+ peak * Math.exp(-((y - cy) * (y - cy) + (x - cx) * (x - cx)) / (2 * sigma * sigma))));
		return p;
	}

	private static float min(FloatPlanes p) {
		float m = Float.POSITIVE_INFINITY;
		for (float v : p.data()) m = Math.min(m, v);
		return m;
	}

	/**
	 * A star the model spread over the neighbouring blocks (sigma 2.5 px against the truth's 0.8): made consistent
	 * by the smooth correction alone, the sky around it dips far below anything in the image; with the impulse put
	 * back in its own block first it stays at the sky's level, and the result is as consistent.
	 */
	@Test
	void aSpreadStarIsSharpenedWithoutADarkRing() {
		FloatPlanes truth = sky(1, 1.5, 0.8, 49, 50), low = Consistency.areaDownsample(truth, F);
		FloatPlanes blurred = sky(2, 0.15, 2.5, 49, 50); // the model's guess: same flux, spread
		FloatPlanes plain = blurred.copy(), put = blurred.copy();
		Consistency.enforce(plain, low, F);
		ImpulseResidual.putBack(put, low, F);
		Consistency.enforce(put, low, F);
		float floor = min(truth);
		assertTrue(min(plain) < floor - 0.05, "the smooth correction alone: darkest " + min(plain) + ", sky " + floor);
		assertTrue(min(put) > floor - 0.03, "with the impulse in its block: darkest " + min(put) + ", sky " + floor);
		FloatPlanes down = Consistency.areaDownsample(put, F);
		for (int i = 0; i < low.data().length; i++) assertEquals(low.data()[i], down.data()[i], 1e-5, "block mean " + i);
	}

	/** A residual that varies smoothly (no impulse) is left to the smooth correction: nothing moves. */
	@Test
	void aSmoothResidualIsLeftAlone() {
		FloatPlanes x = sky(3, 0, 1, 0, 0), before = x.copy();
		FloatPlanes low = Consistency.areaDownsample(x, F);
		for (int y = 0; y < low.height(); y++)
			for (int i = 0; i < low.width(); i++) low.set(0, y, i, low.get(0, y, i) + (float) (0.2 * Math.sin(i / 4.0)));
		ImpulseResidual.putBack(x, low, F);
		for (int i = 0; i < x.data().length; i++) assertEquals(before.data()[i], x.data()[i], 0f, "pixel " + i);
	}
}
