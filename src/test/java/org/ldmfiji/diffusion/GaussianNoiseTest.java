package org.ldmfiji.diffusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class GaussianNoiseTest {

	/**
	 * A request large enough to be filled in parallel chunks, starting at an odd offset so that chunks begin in the
	 * middle of a Box–Muller pair, gives exactly the values of small requests, which are filled sequentially.
	 */
	@Test
	void largeRequestsEqualTheConcatenationOfSmallOnes() {
		GaussianNoise noise = new GaussianNoise(42);
		long offset = 12_345;
		int count = 5 * 4096 + 77, piece = 1001;
		float[] whole = noise.values(1, offset, count);
		float[] pieces = new float[count];
		for (int from = 0; from < count; from += piece) {
			float[] v = noise.values(1, offset + from, Math.min(piece, count - from));
			System.arraycopy(v, 0, pieces, from, v.length);
		}
		assertArrayEquals(pieces, whole);
	}
}
