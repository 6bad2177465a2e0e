package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class ExemplarDetailTest {

	private static final int W = 96, H = 80;

	private static boolean[] box(int x0, int y0, int bw, int bh) {
		boolean[] m = new boolean[W * H];
		for (int y = y0; y < y0 + bh; y++)
			for (int x = x0; x < x0 + bw; x++) m[y * W + x] = true;
		return m;
	}

	private static double maskedMae(float[] a, float[] b, boolean[] mask) {
		double s = 0;
		int n = 0;
		for (int i = 0; i < a.length; i++)
			if (mask[i]) {
				s += Math.abs(a[i] - b[i]);
				n++;
			}
		return s / n;
	}

	/** Oblique fringes (period 6 px, above the guess's band: what lies below σ = 2 px is the guess's) across a box come back in phase: the error a small part of the smooth guess's. */
	@Test
	void continuesFringesInPhase() {
		float[] truth = new float[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) truth[y * W + x] = (float) Math.sin(2 * Math.PI * (x + 2 * y) / 6.0);
		boolean[] mask = box(36, 30, 20, 20);
		float[] guess = BiharmonicFill.fill(truth, mask, W, H);
		FloatPlanes fill = new FloatPlanes(1, H, W, guess.clone()), g = new FloatPlanes(1, H, W, guess.clone());
		ExemplarDetail.apply(fill, g, mask, LowBandFloor.SIGMA);
		double smooth = maskedMae(guess, truth, mask), exemplar = maskedMae(fill.data(), truth, mask);
		assertTrue(exemplar < 0.2 * smooth, "MAE " + exemplar + " vs the biharmonic guess's " + smooth);
	}

	/** On white noise the detail continued is noise of about the surroundings' level, and known pixels stay. */
	@Test
	void fillsNoiseWithNoiseAndKeepsKnownPixels() {
		Random r = new Random(5);
		float[] x = new float[W * H];
		for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
		boolean[] mask = box(30, 24, 28, 28);
		float[] guess = BiharmonicFill.fillDenoised(x, mask, W, H, BiharmonicFill.DENOISE_SIGMA);
		FloatPlanes fill = new FloatPlanes(1, H, W, guess.clone());
		ExemplarDetail.apply(fill, new FloatPlanes(1, H, W, guess.clone()), mask, LowBandFloor.SIGMA);
		double in = 0, out = 0;
		int nIn = 0, nOut = 0;
		float[] f = fill.data();
		for (int i = 0; i < x.length; i++) {
			if (mask[i]) {
				in += f[i] * f[i];
				nIn++;
			}
			else {
				assertEquals(x[i], f[i], 0, "known pixel " + i);
				out += x[i] * x[i];
				nOut++;
			}
		}
		double ratio = Math.sqrt(in / nIn) / Math.sqrt(out / nOut);
		assertTrue(ratio > 0.5 && ratio < 1.3, "fill's RMS / surroundings' " + ratio);
	}

	/** With no wholly known patch in the plane the fill is left as it is. */
	@Test
	void leavesTheFillWithoutSources() {
		boolean[] mask = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x += 4) mask[y * W + x] = true; // every patch has a masked column
		float[] v = new float[W * H];
		for (int i = 0; i < v.length; i++) v[i] = i % 7;
		FloatPlanes fill = new FloatPlanes(1, H, W, v.clone());
		ExemplarDetail.apply(fill, new FloatPlanes(1, H, W, new float[W * H]), mask, LowBandFloor.SIGMA);
		assertArrayEquals(v, fill.data());
	}
}
