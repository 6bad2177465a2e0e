package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

class ContinuationSmoothingTest {

	private static final int W = 96, H = 80;
	private static final Runnable NO_CANCEL = () -> {};

	/** Mean absolute error of a fill on the hole. */
	private static double error(float[] fill, float[] truth, boolean[] hole) {
		double sum = 0;
		int n = 0;
		for (int i = 0; i < hole.length; i++)
			if (hole[i]) {
				sum += Math.abs(fill[i] - truth[i]);
				n++;
			}
		return sum / n;
	}

	/**
	 * Sharp diagonal stripes without noise under thin strokes: smoothing would blur the edges the continuation
	 * extends, so less than 1 px is taken, and the fill is closer to the truth than with σ = 1 px.
	 */
	@Test
	void aCleanImageWithSharpEdgesIsSmoothedLess() {
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				v[y * W + x] = Math.floorMod(x + 2 * y, 24) < 12 ? 0.5f : -0.5f;
				hole[y * W + x] = Math.abs(y - 20) <= 1 || Math.abs(y - 55) <= 1 || Math.abs(x - 70) <= 1;
			}
		double sigma = ContinuationSmoothing.choose(new float[][] {v}, hole, W, H, NO_CANCEL);
		assertTrue(sigma < 1, "sigma " + sigma);
		double chosen = error(BiharmonicFill.fillDenoised(v, hole, W, H, sigma), v, hole);
		double fixed = error(BiharmonicFill.fillDenoised(v, hole, W, H, 1), v, hole);
		assertTrue(chosen < 0.9 * fixed, "error " + chosen + " with sigma " + sigma + ", " + fixed + " with 1 px");
	}

	/**
	 * A smooth ramp under strong noise, one large hole: the noise's gradients would swing the raw continuation, so
	 * the values are smoothed, at least as much as the old fixed 1 px, and the fill's error is under half the raw
	 * continuation's.
	 */
	@Test
	void aNoisyImageIsSmoothedBeforeItIsContinued() {
		Random random = new Random(7);
		float[] v = new float[W * H], truth = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				truth[y * W + x] = (float) (0.01 * (x - W / 2.0) + 0.005 * (y - H / 2.0));
				v[y * W + x] = truth[y * W + x] + (float) (0.25 * random.nextGaussian());
				hole[y * W + x] = Math.abs(x - 40) < 14 && Math.abs(y - 36) < 12;
			}
		double sigma = ContinuationSmoothing.choose(new float[][] {v}, hole, W, H, NO_CANCEL);
		assertTrue(sigma >= 1, "sigma " + sigma);
		double chosen = error(BiharmonicFill.fillDenoised(v, hole, W, H, sigma), truth, hole);
		double raw = error(BiharmonicFill.fillDenoised(v, hole, W, H, 0), truth, hole);
		assertTrue(chosen < 0.5 * raw, "error " + chosen + " with sigma " + sigma + ", " + raw + " raw");
	}

	/** Channels are judged together: one σ for an RGB image, the same as for its grey copy in three channels. */
	@Test
	void oneSigmaServesEveryChannel() {
		Random random = new Random(11);
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int i = 0; i < v.length; i++) {
			v[i] = (float) (0.3 * random.nextGaussian());
			hole[i] = Math.abs(i % W - 30) < 6 && Math.abs(i / W - 30) < 20;
		}
		assertEquals(ContinuationSmoothing.choose(new float[][] {v}, hole, W, H, NO_CANCEL),
			ContinuationSmoothing.choose(new float[][] {v, v, v}, hole, W, H, NO_CANCEL));
	}

	/** A hole that leaves too little known around any moved copy falls back to the fixed σ. */
	@Test
	void aHoleOverAlmostEverythingFallsBack() {
		boolean[] hole = new boolean[W * H];
		for (int i = 0; i < hole.length; i++) hole[i] = i % W != 0;
		assertEquals(BiharmonicFill.DENOISE_SIGMA, ContinuationSmoothing.choose(new float[][] {new float[W * H]},
			hole, W, H, NO_CANCEL));
	}

	/**
	 * The window's size does not matter, the hole's does: thin lines across a 200 × 200 window of sharp stripes are
	 * judged as in a small one (less than 1 px), a 150 × 150 hole, whose copies are too large for the test to solve, keeps
	 * the fixed σ.
	 */
	@Test
	void aLargeWindowIsJudgedUnlessItsHoleIsTooLargeToSolveDirectly() {
		int side = 200;
		float[] v = new float[side * side];
		boolean[] lines = new boolean[side * side], box = new boolean[side * side];
		for (int i = 0; i < v.length; i++) {
			int x = i % side, y = i / side;
			v[i] = Math.floorMod(x + 2 * y, 24) < 12 ? 0.5f : -0.5f;
			lines[i] = Math.abs(y - 50) <= 1 || Math.abs(x - 120) <= 1;
			box[i] = Math.abs(x - 100) < 75 && Math.abs(y - 100) < 75;
		}
		double sigma = ContinuationSmoothing.choose(new float[][] {v}, lines, side, side, NO_CANCEL);
		assertTrue(sigma < 1, "sigma " + sigma);
		assertEquals(BiharmonicFill.DENOISE_SIGMA, ContinuationSmoothing.choose(new float[][] {v}, box, side, side, NO_CANCEL));
	}

	/**
	 * A 128 × 128 hole in a 192 × 192 noisy window: only one of its eight moved copies is small enough to solve, and a
	 * choice on one copy is not taken (the noise would have it 2 px): the fixed σ is kept.
	 */
	@Test
	void aHoleJudgedOnFewerThanHalfItsCopiesKeepsTheFixedSigma() {
		int side = 192;
		Random random = new Random(1);
		float[] v = new float[side * side];
		boolean[] hole = new boolean[side * side];
		for (int i = 0; i < v.length; i++) {
			int x = i % side, y = i / side;
			v[i] = (float) (Math.sin(x * 0.1) + Math.cos(y * 0.07) + 0.2 * random.nextGaussian());
			hole[i] = x >= 32 && x < 160 && y >= 32 && y < 160;
		}
		assertEquals(BiharmonicFill.DENOISE_SIGMA, ContinuationSmoothing.choose(new float[][] {v}, hole, side, side, NO_CANCEL));
	}

	@Test
	void aShiftWrapsAroundThePlane() {
		boolean[] m = new boolean[W * H];
		m[(H - 1) * W + W - 1] = true;
		boolean[] s = ContinuationSmoothing.shifted(m, W, H, 1, 2);
		assertTrue(s[1]);
		int set = 0;
		for (boolean b : s) if (b) set++;
		assertEquals(1, set);
	}

	/**
	 * Unknown pixels 2 px apart share an equation and are solved together, 3 px apart they do not: the part of the
	 * hole that cannot reach the scored pixels is left out, and the fill there is the same as with the whole hole.
	 */
	@Test
	void onlyThePartOfTheHoleThatReachesTheScoredPixelsIsSolved() {
		Random random = new Random(13);
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H], seeds = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int p = y * W + x;
				v[p] = (float) (Math.sin(x / 5.0) + 0.1 * random.nextGaussian());
				boolean seed = Math.abs(x - 20) < 8 && Math.abs(y - 20) < 8; // x 13..27
				boolean near = x == 29 && y > 10 && y < 60; // 2 px from the seed box, and reaching down to y 59
				boolean nearer = x >= 31 && x < 36 && y > 55 && y < 60; // 2 px from "near"
				boolean far = x >= 39 && x < 60 && y > 10 && y < 40; // 3 px from "nearer", 10 from "near"
				hole[p] = seed || near || nearer || far;
				seeds[p] = seed && x > 20;
			}
		boolean[] coupled = ContinuationSmoothing.coupled(hole, seeds, W, H);
		float[] whole = BiharmonicFill.fill(v, hole, W, H), part = BiharmonicFill.fill(v, coupled, W, H);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int p = y * W + x;
				assertEquals(hole[p] && x < 39, coupled[p], "pixel " + x + "," + y);
				if (coupled[p]) assertEquals(whole[p], part[p], 1e-4, "pixel " + x + "," + y);
			}
	}

	@Test
	void aCancelStopsTheChoiceBeforeTheMovedCopiesAreSolved() {
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int p = 0; p < v.length; p++) {
			v[p] = (float) Math.sin(p % W / 5.0);
			hole[p] = Math.abs(p % W - 40) < 10 && Math.abs(p / W - 40) < 10;
		}
		AtomicInteger asked = new AtomicInteger();
		assertThrows(CancellationException.class, () -> ContinuationSmoothing.choose(new float[][] {v}, hole, W, H, () -> {
			asked.incrementAndGet();
			throw new CancellationException("cancelled");
		}));
		assertTrue(asked.get() >= 1);
	}
}
