package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;

import java.util.Random;

/** Seam correction and the first guess, without a model (plain arrays). */
class InpaintingSeamTest {

	private static final int W = 48, H = 40;

	@Test
	void aSmoothDecoderErrorIsRemovedFromTheFill() {
		Random r = new Random(1);
		FloatPlanes x = FloatPlanes.zeros(2, H, W);
		boolean[] mask = new boolean[W * H];
		for (int i = 0; i < mask.length; i++) mask[i] = Math.abs(i % W - 20) < 9 && Math.abs(i / W - 18) < 12;
		for (int i = 0; i < x.data().length; i++) x.data()[i] = (float) r.nextGaussian();
		// a decoder that reproduces the content but adds a brightness offset and a ramp (harmonic: fully recoverable)
		FloatPlanes decoded = x.copy();
		for (int c = 0; c < 2; c++)
			for (int y = 0; y < H; y++)
				for (int xx = 0; xx < W; xx++) decoded.set(c, y, xx, x.get(c, y, xx) + 0.2f + 0.01f * xx - 0.005f * y * (c + 1));
		Inpainting.correctSeam(x, decoded, mask);
		for (int c = 0; c < 2; c++)
			for (int i = 0; i < mask.length; i++)
				if (mask[i]) assertEquals(x.data()[c * W * H + i], decoded.data()[c * W * H + i], 1e-4,
					"channel " + c + ", masked pixel " + (i % W) + "," + (i / W) + ": the offset should be gone");
	}

	@Test
	void theFirstGuessKeepsTheKnownPixelsAndNeverReadsTheMaskedOnes() {
		FloatPlanes x = FloatPlanes.zeros(1, H, W);
		boolean[] mask = new boolean[W * H];
		for (int i = 0; i < mask.length; i++) {
			mask[i] = i % W == 30;                 // a dead column
			x.data()[i] = mask[i] ? Float.NaN : i % W; // a ramp along x
		}
		FloatPlanes guess = Inpainting.firstGuess(x, mask);
		for (int i = 0; i < mask.length; i++)
			assertEquals(i % W, guess.data()[i], 1e-4, "pixel " + (i % W) + "," + (i / W));
	}
}
