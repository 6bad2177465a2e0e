package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Random;

class BiharmonicFillTest {

	private static final int W = 64, H = 48;

	/** A blob and a scratch, away from the plane's edge. */
	private static boolean[] hole() {
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				double dx = x - 30, dy = y - 22;
				hole[y * W + x] = dx * dx + dy * dy < 14 * 14 || (y == 40 && x > 5 && x < 58);
			}
		return hole;
	}

	/**
	 * A paraboloid has a constant Laplacian, so it is biharmonic: the fill reproduces it inside the holes, where the
	 * membrane fill (which continues values, not gradients) sags far from it. This is what makes it the floor for a
	 * fill's low frequencies: a smooth surface with curvature, such as an illumination falloff, is continued.
	 */
	@Test
	void aParaboloidIsReproducedWhereTheHarmonicFillSags() {
		float[] v = new float[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) v[y * W + x] = (float) (0.01 * (x - 30) * (x - 30) + 0.02 * (y - 20) * (y - 20));
		boolean[] hole = hole();
		float[] given = v.clone();
		for (int i = 0; i < given.length; i++) if (hole[i]) given[i] = Float.NaN; // unknown values are never read
		float[] out = BiharmonicFill.fill(given, hole, W, H);
		float[] membrane = HarmonicFill.fill(given, hole, W, H);
		double worst = 0, worstMembrane = 0;
		for (int i = 0; i < out.length; i++) {
			if (!hole[i]) {
				assertEquals(Float.floatToIntBits(given[i]), Float.floatToIntBits(out[i]), "known pixels are copied");
				continue;
			}
			worst = Math.max(worst, Math.abs(out[i] - v[i]));
			worstMembrane = Math.max(worstMembrane, Math.abs(membrane[i] - v[i]));
		}
		assertTrue(worst < 0.01, "biharmonic fill off the paraboloid by " + worst);
		assertTrue(worstMembrane > 1, "the membrane fill sags by " + worstMembrane + " (the test's point)");
	}

	/**
	 * A large hole, solved directly ({@link BiharmonicSystem}), and the same solved by the iterations that holes too
	 * large to factorise take (from the coarser grid's solution, to a tolerance): the paraboloid comes out to 1 % of
	 * the membrane's sag, and to 3 % by the iterations (1.6 % on a 240 × 200 hole).
	 */
	@Test
	void aLargeHoleReproducesTheParaboloidToo() {
		int w = 200, h = 180;
		float[] v = new float[w * h];
		boolean[] hole = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				v[y * w + x] = (float) (1e-3 * ((x - 90) * (x - 90) + 2 * (y - 80) * (y - 80)));
				hole[y * w + x] = Math.abs(x - 100) < 60 && Math.abs(y - 90) < 50;
			}
		float[] membrane = HarmonicFill.fill(v, hole, w, h);
		float[][] fills = {BiharmonicFill.fill(v, hole, w, h), BiharmonicFill.iterate(v, hole, w, h)};
		for (int k = 0; k < 2; k++) {
			double worst = 0, sag = 0;
			for (int i = 0; i < v.length; i++)
				if (hole[i]) {
					worst = Math.max(worst, Math.abs(fills[k][i] - v[i]));
					sag = Math.max(sag, Math.abs(membrane[i] - v[i]));
				}
			assertTrue(worst < (k == 0 ? 0.01 : 0.03) * sag, (k == 0 ? "direct" : "iterations") + ": off the paraboloid by "
				+ worst + " (the membrane sags by " + sag + ")");
		}
	}

	/**
	 * A hole whose factor exceeds the bound (here lowered to 2¹⁸ numbers, so that the exact fill stays cheap to compare
	 * with) is solved on the coarser grid and again within 16 px of its border: on smoothed texture, within 0.5 % of
	 * the values' range of the exact fill next to the border, and 1 % on average over the hole.
	 */
	@Test
	void aHoleTooLargeToFactoriseIsSolvedCoarserAndExactlyNearItsBorder() {
		int w = 120, h = 120, bound = 1 << 18;
		Random random = new Random(2);
		float[] raw = new float[w * h];
		boolean[] hole = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				raw[y * w + x] = (float) (Math.sin(x * 0.05) + Math.cos(y * 0.031 + x * 0.01) + 0.3 * Math.sin(x * 0.4 + y * 0.3)
					+ 0.1 * random.nextGaussian());
				hole[y * w + x] = x >= 20 && x < 100 && y >= 20 && y < 100;
			}
		float[] v = BiharmonicFill.smoothKnown(raw, hole, w, h, 1);
		assertEquals(null, BiharmonicSystem.of(hole, w, h, bound), "the test's point: too large for the bound");
		float[] exact = BiharmonicFill.fill(v, hole, w, h), out = BiharmonicFill.fill(v, hole, w, h, bound);
		float[] depth = DistanceTransform.toKnown(hole, w, h);
		double lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE, sum = 0, near = 0;
		int n = 0;
		for (int i = 0; i < v.length; i++) {
			if (!hole[i]) {
				lo = Math.min(lo, v[i]);
				hi = Math.max(hi, v[i]);
				continue;
			}
			double e = Math.abs(out[i] - exact[i]);
			sum += e;
			n++;
			if (depth[i] <= 4) near = Math.max(near, e);
		}
		assertTrue(near < 0.005 * (hi - lo), "next to the border off by " + near + " (range " + (hi - lo) + ")");
		assertTrue(sum / n < 0.01 * (hi - lo), "off by " + sum / n + " on average (range " + (hi - lo) + ")");
	}

	@Test
	void aHoleOnThePlanesEdgeIsFilledSmoothlyWithinTheKnownRange() {
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				v[y * W + x] = (float) Math.sin(x / 9.0);
				hole[y * W + x] = x >= 50 && y < 20;
			}
		float[] out = BiharmonicFill.fill(v, hole, W, H);
		for (int i = 0; i < out.length; i++) {
			assertTrue(Float.isFinite(out[i]));
			if (hole[i]) assertTrue(Math.abs(out[i]) < 1.5, "pixel " + i + " = " + out[i]);
		}
	}

	/** Deep in a large hole in noise, the fill continues the smoothed values: no slow swings from the noise. */
	@Test
	void aLargeHoleInNoiseIsContinuedFromTheSmoothedValues() {
		Random random = new Random(3);
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				v[y * W + x] = (float) (0.2 * random.nextGaussian());
				hole[y * W + x] = Math.abs(x - 32) < 16 && Math.abs(y - 24) < 16;
			}
		float[] out = BiharmonicFill.fillDenoised(v, hole, W, H, BiharmonicFill.DENOISE_SIGMA);
		float[] raw = BiharmonicFill.fill(v, hole, W, H);
		float[] d = DistanceTransform.toKnown(hole, W, H);
		double swing = 0, rawSwing = 0;
		int deep = 0;
		for (int i = 0; i < out.length; i++)
			if (d[i] >= 3) {
				swing += out[i] * out[i];
				rawSwing += raw[i] * raw[i];
				deep++;
			}
		assertTrue(deep > 400);
		assertTrue(swing < 0.5 * rawSwing, "mean square deep in the hole " + swing / deep + ", raw continuation's "
			+ rawSwing / deep);
	}

	/**
	 * Blobs a few pixels across with faint pixel noise, cut by a round hole, continued from values smoothed by 6 px
	 * (what {@link ContinuationSmoothing} chooses on such images): the fill meets the known pixels without a step along
	 * the border. Without the structure the smoothing took away at the border, the step was 2.7 times a typical
	 * difference between known neighbours (a contour around the hole); with it, 1.4.
	 */
	@Test
	void aLargeSmoothingLeavesNoStepWhereTheBorderCutsStructure() {
		Random random = new Random(5);
		float[] white = new float[W * H];
		for (int i = 0; i < white.length; i++) white[i] = (float) random.nextGaussian();
		float[] blobs = GaussianBlur.blur(white, W, H, 2);
		boolean[] hole = new boolean[W * H];
		float[] v = new float[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int i = y * W + x;
				v[i] = (float) (blobs[i] + 0.01 * random.nextGaussian());
				hole[i] = (x - 32) * (x - 32) + (y - 24) * (y - 24) < 12 * 12;
			}
		float[] out = BiharmonicFill.fillDenoised(v, hole, W, H, 6);
		double step = 0, neighbours = 0;
		int steps = 0, pairs = 0;
		for (int y = 1; y < H - 1; y++)
			for (int x = 1; x < W - 1; x++) {
				int i = y * W + x;
				for (int j : new int[] {i - 1, i + 1, i - W, i + W}) {
					if (hole[i] && !hole[j]) {
						step += Math.abs(out[i] - v[j]);
						steps++;
					}
					if (!hole[i] && !hole[j]) {
						neighbours += Math.abs(v[i] - v[j]);
						pairs++;
					}
				}
			}
		double ratio = (step / steps) / (neighbours / pairs);
		assertTrue(ratio < 1.5, "step across the border " + ratio + " x the known neighbours' difference");
	}
}
