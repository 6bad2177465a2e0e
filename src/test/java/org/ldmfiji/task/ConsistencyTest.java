package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;

import java.util.Random;

class ConsistencyTest {

	private static FloatPlanes random(Random r, int c, int h, int w) {
		FloatPlanes p = FloatPlanes.zeros(c, h, w);
		for (int i = 0; i < p.data().length; i++) p.data()[i] = (float) r.nextGaussian();
		return p;
	}

	/**
	 * Afterwards the image's f × f block means are the input, each block moved by one constant (the smallest change
	 * that does it), and it is no further from the true image than before: for any truth consistent with the input.
	 */
	@Test
	void theResultReproducesTheInputAndComesCloserToAnyConsistentTruth() {
		Random r = new Random(4);
		for (int trial = 0; trial < 5; trial++) {
			FloatPlanes truth = random(r, 2, 24, 20), estimate = random(r, 2, 24, 20);
			FloatPlanes low = Consistency.areaDownsample(truth, 4), before = estimate.copy();
			Consistency.enforce(estimate, low, 4);
			FloatPlanes down = Consistency.areaDownsample(estimate, 4);
			for (int i = 0; i < low.data().length; i++) assertEquals(low.data()[i], down.data()[i], 1e-5, "block mean " + i);
			for (int c = 0; c < 2; c++)
				for (int y = 0; y < 24; y++)
					for (int x = 0; x < 20; x++) {
						float shift = estimate.get(c, y, x) - before.get(c, y, x);
						float blockShift = estimate.get(c, y / 4 * 4, x / 4 * 4) - before.get(c, y / 4 * 4, x / 4 * 4);
						assertEquals(blockShift, shift, 1e-5, "one shift per block");
					}
			assertTrue(distance(estimate, truth) <= distance(before, truth) + 1e-9, "closer to the truth");
		}
	}

	private static double distance(FloatPlanes a, FloatPlanes b) {
		double s = 0;
		for (int i = 0; i < a.data().length; i++) s += Math.pow(a.data()[i] - b.data()[i], 2);
		return s;
	}
}
