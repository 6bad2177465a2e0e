package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GaussianBlurTest {

	@Test
	void anImpulseBecomesTheSeparableKernel() {
		int w = 31, h = 29;
		float[] plane = new float[w * h];
		plane[14 * w + 15] = 1;
		double[] k = GaussianBlur.kernel(2);
		assertEquals(17, k.length, "radius round(4 sigma) = 8");
		float[] out = GaussianBlur.blur(plane, w, h, 2);
		double sum = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int dx = x - 15, dy = y - 14;
				double expect = Math.abs(dx) <= 8 && Math.abs(dy) <= 8 ? k[dx + 8] * k[dy + 8] : 0;
				assertEquals(expect, out[y * w + x], 1e-7, x + "," + y);
				sum += out[y * w + x];
			}
		assertEquals(1, sum, 1e-6, "the weights sum to 1");
		assertEquals(Math.exp(-0.5) * k[8], k[8 + 2], 1e-12, "exp(-x^2 / 2 sigma^2)");
	}

	/** Mirrored edges: a constant stays constant up to the border, and an impulse on the edge folds back in. */
	@Test
	void theEdgesAreMirrored() {
		int w = 6, h = 5;
		float[] constant = new float[w * h];
		java.util.Arrays.fill(constant, 2.5f);
		for (float v : GaussianBlur.blur(constant, w, h, 3)) assertEquals(2.5f, v, 1e-5);
		assertEquals(0, GaussianBlur.reflect(-1, 4));
		assertEquals(3, GaussianBlur.reflect(4, 4));
		assertEquals(2, GaussianBlur.reflect(5, 4));
		assertEquals(3, GaussianBlur.reflect(-5, 4));
		assertEquals(1, GaussianBlur.reflect(9, 4), "beyond one period: 9 -> -2 -> 1");
	}
}
