package org.ldmfiji.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

class BiharmonicSystemTest {

	private static final int W = 70, H = 52;

	/** The 4-neighbour Laplacian with no flux across the plane's edge, written out for the test. */
	private static double[] laplacian(double[] f, int w, int h) {
		double[] out = new double[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int p = y * w + x;
				for (int[] d : new int[][] {{0, -1}, {0, 1}, {-1, 0}, {1, 0}}) {
					int yy = y + d[0], xx = x + d[1];
					if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
					out[p] += f[yy * w + xx] - f[p];
				}
			}
		return out;
	}

	/**
	 * |(L_U)ᵀ L u| on the hole, relative to the same at the harmonic fill: the residual of the normal equations
	 * that the fill solves, 0 at the exact solution. L is symmetric, so (L_U)ᵀ r is L r read on the hole, with r
	 * kept on the equations (pixels whose Laplacian reads an unknown one).
	 */
	private static double normalResidual(float[] fill, float[] start, boolean[] hole, int w, int h) {
		double[] norms = new double[2];
		for (int k = 0; k < 2; k++) {
			float[] u = k == 0 ? fill : start;
			double[] f = new double[w * h];
			for (int i = 0; i < f.length; i++) f[i] = u[i];
			double[] r = laplacian(f, w, h);
			double[] onHole = new double[w * h];
			for (int i = 0; i < f.length; i++) onHole[i] = hole[i] ? 1 : 0;
			double[] reach = laplacian(onHole, w, h);
			for (int i = 0; i < r.length; i++) if (!hole[i] && reach[i] == 0) r[i] = 0;
			double[] s = laplacian(r, w, h);
			for (int i = 0; i < s.length; i++) if (hole[i]) norms[k] += s[i] * s[i];
		}
		return Math.sqrt(norms[0] / norms[1]);
	}

	/**
	 * Noise under a hole of three parts (a disc, a scratch, a box on the plane's corner): the direct solution meets
	 * the normal equations to the rounding of its float output (2·10⁻⁷ relative to the harmonic start's residual; the
	 * iterative fill stops at 10⁻⁴, here 9·10⁻⁵), and keeps the known pixels as they are without reading the unknown
	 * ones.
	 */
	@Test
	void theSolutionMeetsTheNormalEquationsExactly() {
		Random random = new Random(3);
		float[] v = new float[W * H];
		boolean[] hole = new boolean[W * H];
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++) {
				int p = y * W + x;
				v[p] = (float) random.nextGaussian();
				double dx = x - 30, dy = y - 24;
				hole[p] = dx * dx + dy * dy < 11 * 11 || (y == 45 && x > 3 && x < 50) || (x > 58 && y < 9);
				if (hole[p]) v[p] = Float.NaN;
			}
		BiharmonicSystem system = BiharmonicSystem.of(hole, W, H);
		assertNotNull(system);
		float[] fill = system.fill(v);
		for (int i = 0; i < v.length; i++) {
			if (hole[i]) assertTrue(Float.isFinite(fill[i]), "pixel " + i);
			else assertEquals(Float.floatToIntBits(v[i]), Float.floatToIntBits(fill[i]), "known pixels are kept");
		}
		double residual = normalResidual(fill, HarmonicFill.fill(v, hole, W, H), hole, W, H);
		assertTrue(residual < 1e-5, "relative residual " + residual);
	}

	/** One factorisation serves any values: the fill is linear in them (twice the values, twice the fill). */
	@Test
	void oneFactorisationServesManyValues() {
		Random random = new Random(5);
		boolean[] hole = new boolean[W * H];
		float[] a = new float[W * H], b = new float[W * H];
		for (int i = 0; i < hole.length; i++) {
			hole[i] = Math.abs(i % W - 20) < 9 && Math.abs(i / W - 30) < 15;
			a[i] = (float) random.nextGaussian();
			b[i] = 2 * a[i];
		}
		BiharmonicSystem system = BiharmonicSystem.of(hole, W, H);
		float[] fa = system.fill(a), fb = system.fill(b), again = system.fill(a);
		for (int i = 0; i < hole.length; i++) {
			assertEquals(2 * fa[i], fb[i], 1e-4, "pixel " + i);
			assertEquals(fa[i], again[i], "pixel " + i);
		}
	}

	/** No known pixel (nothing to continue), or a factor too large to hold: no system, the caller iterates. */
	@Test
	void holesWithoutKnownPixelsOrTooLargeAreDeclined() {
		boolean[] all = new boolean[W * H];
		Arrays.fill(all, true);
		assertNull(BiharmonicSystem.of(all, W, H));
		int side = 400;
		boolean[] large = new boolean[side * side];
		for (int i = 0; i < large.length; i++) large[i] = i % side > 2 && i / side > 2;
		assertNull(BiharmonicSystem.of(large, side, side));
	}
}
