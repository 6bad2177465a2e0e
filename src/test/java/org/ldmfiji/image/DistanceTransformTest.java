package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.util.Random;

class DistanceTransformTest {

	/** Against the definition, by brute force, on masks of every density (rows and columns without known pixels too). */
	@Test
	void everyDistanceIsToTheNearestKnownPixel() {
		Random r = new Random(11);
		int w = 23, h = 17;
		for (double density : new double[] {0.02, 0.3, 0.9, 0.995}) {
			boolean[] unknown = new boolean[w * h];
			for (int i = 0; i < unknown.length; i++) unknown[i] = r.nextDouble() < density;
			unknown[5 * w + 7] = false; // at least one known pixel
			float[] d = DistanceTransform.toKnown(unknown, w, h);
			for (int p = 0; p < d.length; p++) {
				double best = Double.POSITIVE_INFINITY;
				for (int q = 0; q < d.length; q++)
					if (!unknown[q]) best = Math.min(best, Math.hypot(p % w - q % w, p / w - q / w));
				assertEquals(best, d[p], 1e-5, "pixel " + (p % w) + "," + (p / w) + " at density " + density);
			}
		}
	}

	@Test
	void withoutAKnownPixelEveryDistanceIsInfinite() {
		float[] d = DistanceTransform.toKnown(new boolean[] {true, true, true, true, true, true}, 3, 2);
		for (float v : d) assertEquals(Float.POSITIVE_INFINITY, v);
	}
}
