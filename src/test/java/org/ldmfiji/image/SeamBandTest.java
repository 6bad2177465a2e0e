package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

import java.util.Random;

class SeamBandTest {

	private static final int W = 40, H = 36;

	private static boolean[] disc() {
		boolean[] m = new boolean[W * H];
		for (int i = 0; i < m.length; i++) m[i] = Math.hypot(i % W - 19.5, i / W - 17) < 12;
		return m;
	}

	/**
	 * A fill that is the guess plus a constant: the blend removes all of the constant next to the border (d = 1),
	 * none of it from d = w + 1 inwards, and linearly in between; the known pixels are never touched.
	 */
	@Test
	void aSmoothDepartureIsTakenOutAlongTheBorderOnly() {
		boolean[] mask = disc();
		Random r = new Random(5);
		FloatPlanes guess = FloatPlanes.zeros(2, H, W), fill = FloatPlanes.zeros(2, H, W);
		for (int i = 0; i < guess.data().length; i++) {
			guess.data()[i] = (float) r.nextGaussian();
			fill.data()[i] = guess.data()[i] + 0.75f;
		}
		FloatPlanes before = fill.copy();
		SeamBand band = new SeamBand(mask, W, H);
		band.apply(fill, guess);
		float[] d = DistanceTransform.toKnown(mask, W, H), ramp = band.ramp();
		int ones = 0, zeros = 0;
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < mask.length; i++) {
				int k = c * W * H + i;
				if (!mask[i]) {
					assertEquals(before.data()[k], fill.data()[k], 0, "known pixel " + i);
					continue;
				}
				double expect = 0.75 * (1 - Math.max(0, Math.min(1, 1 - (d[i] - 1) / SeamBand.WIDTH)));
				assertEquals(expect, fill.data()[k] - guess.data()[k], 1e-5, "pixel " + (i % W) + "," + (i / W));
				if (ramp[i] == 1) ones++;
				if (ramp[i] == 0) zeros++;
			}
		assertEquals(true, ones > 0 && zeros > 0, "the disc has a border (d = 1) and a core deeper than the band");
	}

	/** Texture finer than σ passes: a fill of guess + checkerboard keeps most of its checkerboard at the border. */
	@Test
	void fineTextureStays() {
		boolean[] mask = disc();
		FloatPlanes guess = FloatPlanes.zeros(1, H, W), fill = FloatPlanes.zeros(1, H, W);
		for (int i = 0; i < mask.length; i++) fill.data()[i] = ((i % W + i / W) % 2 == 0) ? 1 : -1;
		new SeamBand(mask, W, H).apply(fill, guess);
		for (int i = 0; i < mask.length; i++)
			assertEquals(1, Math.abs(fill.data()[i]), 1e-3, "pixel " + (i % W) + "," + (i / W));
	}
}
