package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.BiharmonicFill;
import org.ldmfiji.image.FloatPlanes;

/**
 * The first guess (and the fill's low-band floor) of a thin scratch across a sharp edge keeps the edge: the known
 * values are smoothed before they are continued only deeper in the hole ({@link BiharmonicFill#fillDenoisedDeep}),
 * so the two sides of the scratch are joined by the plain continuation, which does not blur the edge across it. Error
 * next to the edge: 0.27 before (the continuation of smoothed values everywhere), 0.17 with the plain one near the
 * border (the plain biharmonic fill itself bends the step a little: it has a Laplacian across the edge).
 */
class InpaintingFirstGuessTest {

	private static final int S = 64;

	@Test
	void aScratchAcrossAnEdgeKeepsTheEdge() {
		FloatPlanes x = FloatPlanes.zeros(1, S, S);
		for (int y = 0; y < S; y++)
			for (int i = 0; i < S; i++) x.set(0, y, i, i < 32 ? -0.6f : 0.6f);
		boolean[] mask = new boolean[S * S];
		for (int y = 30; y < 33; y++) // a 3 px scratch across the edge
			for (int i = 4; i < S - 4; i++) mask[y * S + i] = true;
		float[] guess = Inpainting.firstGuess(x, mask).data();
		float[] smoothed = BiharmonicFill.fillDenoised(x.data(), mask, S, S, BiharmonicFill.DENOISE_SIGMA);
		double err = 0, errSmoothed = 0;
		for (int y = 30; y < 33; y++)
			for (int i = 30; i < 34; i++) { // the columns next to the edge
				int p = y * S + i;
				err += Math.abs(guess[p] - x.data()[p]);
				errSmoothed += Math.abs(smoothed[p] - x.data()[p]);
			}
		System.out.println("error at the edge " + err / 12 + ", continued from smoothed values " + errSmoothed / 12);
		assertTrue(err < 0.75 * errSmoothed, "the first guess is off the edge by " + err / 12 + " on average, the "
			+ "continuation of smoothed values by " + errSmoothed / 12);
	}
}
