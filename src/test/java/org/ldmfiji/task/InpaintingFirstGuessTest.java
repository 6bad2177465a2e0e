package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.BiharmonicFill;
import org.ldmfiji.image.FloatPlanes;

/** The first guess of a fill: the continuation of the surroundings, smoothed as much as the image needs. */
class InpaintingFirstGuessTest {

	private static final int S = 96;

	/**
	 * A clean image of sharp-edged discs under thin strokes: the first guess keeps the edges it continues (the old
	 * fixed 1 px smoothing blurred them before the continuation).
	 */
	@Test
	void aCleanImageKeepsItsEdgesInTheFirstGuess() {
		FloatPlanes x = FloatPlanes.zeros(1, S, S);
		boolean[] mask = new boolean[S * S];
		int[][] discs = {{30, 28, 17}, {66, 40, 22}, {40, 72, 14}, {78, 80, 9}};
		for (int y = 0; y < S; y++)
			for (int i = 0; i < S; i++) {
				float v = -0.6f + 0.004f * i;
				for (int[] d : discs) if (Math.hypot(i - d[0], y - d[1]) < d[2]) v += 0.5f;
				x.set(0, y, i, v);
				mask[y * S + i] = Math.abs(y - 30 - i / 3) <= 1 || Math.abs(i - 52) <= 1 || Math.abs(y - 74) <= 1;
			}
		float[] guess = Inpainting.firstGuess(x, mask).data();
		float[] fixed = BiharmonicFill.fillDenoised(x.data(), mask, S, S, BiharmonicFill.DENOISE_SIGMA);
		double e = 0, eFixed = 0;
		for (int i = 0; i < mask.length; i++)
			if (mask[i]) {
				e += Math.abs(guess[i] - x.data()[i]);
				eFixed += Math.abs(fixed[i] - x.data()[i]);
			}
		assertTrue(e < 0.95 * eFixed, "first guess error " + e + ", with the fixed 1 px smoothing " + eFixed);
	}
}
