package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.Random;

/** A super-resolved result stored in an integer type: rounded, and without the grid that rounding can leave. */
class RoundedStorageTest {

	private static final int F = 4;

	@Test
	void everyPixelIsTheNearestStorableInteger() {
		Random r = new Random(5);
		FloatPlanes x = FloatPlanes.zeros(3, 8, 12);
		for (int i = 0; i < x.data().length; i++) x.data()[i] = (float) (2 + r.nextDouble() * 40);
		x.data()[0] = -3; // values the type cannot store: clamped
		x.data()[1] = 258;
		FloatPlanes q = RoundedStorage.of(new double[] {0, 255}, F).apply(x);
		assertEquals(0, q.data()[0]);
		assertEquals(255, q.data()[1]);
		for (int i = 2; i < x.data().length; i++) assertEquals(Math.rint(x.data()[i]), q.data()[i], 0, "pixel " + i);
	}

	/**
	 * The smooth consistent interpolation of a ramp's plateaus (each block one level) rounds to contours along the
	 * block borders; stored, its borders are smoothed first, so the grid goes and the block means stay.
	 */
	@Test
	void contoursAlongTheBlockBordersAreSmoothedAway() {
		int lw = 24, lh = 16;
		FloatPlanes low = FloatPlanes.zeros(1, lh, lw);
		for (int y = 0; y < lh; y++)
			for (int x = 0; x < lw; x++) low.data()[y * lw + x] = (float) Math.floor(50 + 0.3 * x + 0.2 * y);
		FloatPlanes x = FloatPlanes.zeros(1, lh * F, lw * F);
		Consistency.enforce(x, low, F);
		assertTrue(Quality.gridRatio(x, F) <= BorderSmoothing.GRID_LIMIT, "smooth as a float: " + Quality.gridRatio(x, F));
		FloatPlanes plain = x.copy();
		for (int i = 0; i < plain.data().length; i++) plain.data()[i] = Math.round(plain.data()[i]);
		assertTrue(Quality.gridRatio(plain, F) > 1.1, "rounded pixel by pixel: " + Quality.gridRatio(plain, F));
		FloatPlanes q = RoundedStorage.of(new double[] {0, 255}, F).apply(x);
		assertTrue(Quality.gridRatio(q, F) <= BorderSmoothing.GRID_LIMIT, "stored: " + Quality.gridRatio(q, F));
		FloatPlanes a = Consistency.areaDownsample(q, F);
		for (int i = 0; i < a.data().length; i++) {
			assertEquals(Math.rint(q.data()[i]), q.data()[i], 0);
			assertEquals(low.data()[i], a.data()[i], 0.5, "block " + i + "'s mean");
		}
	}

	/**
	 * Black and white cells two blocks wide, their float values scattered by ±0.4 about 0 and 255 (the block means
	 * exact), half of them beyond the type's range: every edge lies on a block border (the result's own, not the
	 * rounding's), and black stays black, white white.
	 */
	@Test
	void blackAndWhiteBlocksStayBlackAndWhite() {
		FloatPlanes x = FloatPlanes.zeros(1, 32, 32);
		for (int y = 0; y < 32; y++)
			for (int i = 0; i < 32; i++) x.data()[y * 32 + i] = (float) (255 * ((i / 8 + y / 8) % 2) + ((i + y) % 2 == 0 ? 0.4 : -0.4));
		FloatPlanes q = RoundedStorage.of(new double[] {0, 255}, F).apply(x);
		for (int y = 0; y < 32; y++)
			for (int i = 0; i < 32; i++) assertEquals(255 * ((i / 8 + y / 8) % 2), q.data()[y * 32 + i], 0, "(" + i + ", " + y + ")");
	}
}
