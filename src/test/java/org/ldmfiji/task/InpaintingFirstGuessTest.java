package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.BiharmonicFill;
import org.ldmfiji.image.FloatPlanes;

import java.util.concurrent.CancellationException;

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

	/**
	 * A cancel during the first guess stops it (a large hole's fill takes seconds; the model's steps, where cancel was
	 * looked at before, come after it), and a step listener from a {@link Progress} passes the Progress's check on.
	 */
	@Test
	void aCancelReachesTheFirstGuess() {
		Progress cancelled = new Progress() {
			@Override
			public void status(String message) {}

			@Override
			public void progress(long done, long total) {}

			@Override
			public void checkCancelled() {
				throw new CancellationException("cancelled");
			}
		};
		FloatPlanes x = FloatPlanes.zeros(1, S, S);
		boolean[] mask = new boolean[S * S];
		for (int i = 0; i < mask.length; i++) mask[i] = Math.abs(i % S - 48) < 20 && Math.abs(i / S - 48) < 20;
		assertThrows(CancellationException.class, () -> Inpainting.firstGuess(x, mask, new double[1], null,
			cancelled.steps(0, 20)::checkCancelled));
	}
}
