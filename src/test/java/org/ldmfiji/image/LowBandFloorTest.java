package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class LowBandFloorTest {

	/**
	 * A fill that is the guess plus an offset (a colour shift, all low frequency) plus fine noise keeps the noise and
	 * loses the offset; the known pixels are not touched.
	 */
	@Test
	void aFillsOffsetGoesAndItsFineTextureStays() {
		int w = 64, h = 64, n = w * h;
		boolean[] mask = new boolean[n];
		for (int y = 20; y < 44; y++)
			for (int x = 20; x < 44; x++) mask[y * w + x] = true;
		FloatPlanes guess = FloatPlanes.zeros(1, h, w), fill = FloatPlanes.zeros(1, h, w);
		Random r = new Random(3);
		float[] noise = new float[n];
		for (int i = 0; i < n; i++) noise[i] = (i % 2 == 0 ? 1 : -1) * (0.5f + 0.1f * (float) r.nextGaussian());
		for (int i = 0; i < n; i++) {
			guess.data()[i] = 0.3f;
			fill.data()[i] = mask[i] ? 0.3f + 0.5f + noise[i] : 7;
		}
		LowBandFloor.apply(fill, guess, mask, LowBandFloor.SIGMA);
		double offset = 0, texture = 0;
		int count = 0;
		for (int y = 26; y < 38; y++) // the interior, where the blur does not reach the known pixels
			for (int x = 26; x < 38; x++) {
				int i = y * w + x;
				offset += fill.data()[i] - 0.3;
				texture += Math.abs(fill.data()[i] - 0.3 - noise[i]);
				count++;
			}
		assertEquals(0, offset / count, 0.02, "the offset is taken out");
		assertTrue(texture / count < 0.05, "the fine texture stays: mean change " + texture / count);
		for (int i = 0; i < n; i++) if (!mask[i]) assertEquals(7f, fill.data()[i], "known pixels untouched");
	}
}
