package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HarmonicFillTest {

	private static final int W = 64, H = 48;

	@Test
	void aLinearRampIsHarmonicAndReproducedInsideAnyHole() {
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				v[y * W + x] = 0.5f * x - 0.25f * y + 3;
				double dx = x - 30, dy = y - 22;
				hole[y * W + x] = dx * dx + dy * dy < 18 * 18 || (y == 40 && x > 5 && x < 60); // a blob and a scratch
			}
		float[] given = v.clone();
		for (int i = 0; i < given.length; i++) if (hole[i]) given[i] = Float.NaN; // unknown values are never read
		float[] out = HarmonicFill.fill(given, hole, W, H);
		for (int i = 0; i < out.length; i++) {
			if (hole[i]) assertEquals(v[i], out[i], 1e-4, "interpolated pixel " + (i % W) + "," + (i / W));
			else assertEquals(Float.floatToIntBits(given[i]), Float.floatToIntBits(out[i]), "known pixels are copied");
		}
	}

	/**
	 * The fill solves the discrete equation at every unknown pixel, |N(p)|·u_p = Σ_{q ∈ N(p)} u_q, also for a large
	 * hole of ragged outline with unknown pixels on the plane's edge (where the multigrid's blocks are cut off) and
	 * for several holes of different sizes at once.
	 */
	@Test
	void everyUnknownPixelIsTheMeanOfItsNeighbours() {
		int w = 301, h = 257;
		java.util.Random r = new java.util.Random(7);
		float[] v = new float[w * h];
		boolean[] hole = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				v[y * w + x] = (float) (Math.sin(x / 7.0) + 0.3 * r.nextGaussian());
				double dx = x - 140, dy = y - 120;
				hole[y * w + x] = dx * dx + dy * dy < 110 * 110 * (1 + 0.3 * Math.sin(Math.atan2(dy, dx) * 5))
					|| (x > 270 && y > 200) || (x == 20 && y < 100);
			}
		float[] out = HarmonicFill.fill(v, hole, w, h);
		double worst = 0;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				if (!hole[y * w + x]) continue;
				double sum = 0;
				int count = 0;
				int[][] qs = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
				for (int[] q : qs) {
					if (q[0] < 0 || q[0] >= w || q[1] < 0 || q[1] >= h) continue;
					sum += out[q[1] * w + q[0]];
					count++;
				}
				worst = Math.max(worst, Math.abs(sum / count - out[y * w + x]));
			}
		assertTrue(worst < 1e-4, "largest difference between a pixel and the mean of its neighbours: " + worst);
	}

	@Test
	void noFluxAcrossThePlaneEdge() {
		// the hole takes the right columns: with no neighbour beyond the edge, the last known column continues flat
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				v[y * W + x] = x < 40 ? x * 0.1f : 99;
				hole[y * W + x] = x >= 40;
			}
		float[] out = HarmonicFill.fill(v, hole, W, H);
		for (int y = 0; y < H; y++)
			for (int x = 40; x < W; x++) assertEquals(3.9, out[y * W + x], 1e-4, "pixel " + x + "," + y);
	}

	@Test
	void theFillStaysWithinTheRangeOfItsBorder() {
		// maximum principle: a harmonic function takes its extremes on the boundary
		java.util.Random r = new java.util.Random(3);
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int i = 0; i < v.length; i++) {
			v[i] = (float) r.nextGaussian();
			int x = i % W, y = i / W;
			hole[i] = x > 10 && x < 50 && y > 8 && y < 40;
		}
		float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
		for (int i = 0; i < v.length; i++)
			if (!hole[i]) {
				lo = Math.min(lo, v[i]);
				hi = Math.max(hi, v[i]);
			}
		float[] out = HarmonicFill.fill(v, hole, W, H);
		for (int i = 0; i < out.length; i++)
			assertTrue(out[i] >= lo - 1e-4 && out[i] <= hi + 1e-4, "pixel " + i + ": " + out[i]);
	}
}
