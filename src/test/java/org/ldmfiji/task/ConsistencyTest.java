package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.Random;

class ConsistencyTest {

	private static FloatPlanes random(Random r, int c, int h, int w) {
		FloatPlanes p = FloatPlanes.zeros(c, h, w);
		for (int i = 0; i < p.data().length; i++) p.data()[i] = (float) r.nextGaussian();
		return p;
	}

	/** A smooth C × h × w image: a few slow waves and a ramp. */
	private static FloatPlanes smooth(int c, int h, int w, double phase) {
		FloatPlanes p = FloatPlanes.zeros(c, h, w);
		for (int k = 0; k < c; k++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++)
					p.set(k, y, x, (float) (0.4 * Math.sin(x / 9.0 + phase + k) + 0.3 * Math.cos(y / 13.0 - 2 * phase)
						+ 0.002 * (x - y)));
		return p;
	}

	/** K R λ: λ (lw × lh) replicated over f × f blocks, then smoothed by the B-spline K. */
	private static float[] spline(float[] lambda, int w, int h, int f) {
		float[] c = new float[w * h];
		for (int p = 0; p < c.length; p++) c[p] = lambda[(p / w / f) * (w / f) + (p % w) / f];
		Consistency.convolve(c, w, h, Consistency.splineKernel(f));
		return c;
	}

	/** A(u), the f × f block means of one w × h plane. */
	private static float[] down(float[] u, int w, int h, int f) {
		FloatPlanes p = FloatPlanes.zeros(1, h, w);
		System.arraycopy(u, 0, p.data(), 0, u.length);
		return Consistency.areaDownsample(p, f).data();
	}

	/** ||K u||² in the norm ⟨·, K⁺ ·⟩: uᵀ K u. */
	private static double smoothNorm(float[] u, int w, int h, int f) {
		float[] ku = u.clone();
		Consistency.convolve(ku, w, h, Consistency.splineKernel(f));
		double s = 0;
		for (int i = 0; i < u.length; i++) s += (double) u[i] * ku[i];
		return s;
	}

	private static void assertReproduces(FloatPlanes low, FloatPlanes high, int f) {
		FloatPlanes down = Consistency.areaDownsample(high, f);
		for (int i = 0; i < low.data().length; i++)
			assertEquals(low.data()[i], down.data()[i], 2e-6 * (1 + Math.abs(low.data()[i])), "block mean " + i);
	}

	/** Afterwards the image's f × f block means are the input, up to float rounding. */
	@Test
	void theResultReproducesTheInput() {
		Random r = new Random(4);
		for (int trial = 0; trial < 5; trial++) {
			FloatPlanes truth = random(r, 2, 24, 20), estimate = random(r, 2, 24, 20);
			FloatPlanes low = Consistency.areaDownsample(truth, 4);
			Consistency.enforce(estimate, low, 4);
			assertReproduces(low, estimate, 4);
		}
	}

	/**
	 * The correction is c = K R λ with (A K R) λ = y − A(x): smooth, in the B-spline basis on the blocks. So for any
	 * image z = x' + K v consistent with the input (A K v = 0), ||x − z||²_K⁺ = ||x' − z||²_K⁺ + ||c||²_K⁺: the result
	 * is never further from z in the norm ⟨·, K⁺ ·⟩.
	 */
	@Test
	void theCorrectionIsSmoothAndNeverFurtherFromAnyConsistentImageInItsNorm() {
		Random r = new Random(7);
		int w = 28, h = 32, f = 4, lw = w / f, lh = h / f;
		double[] g = Consistency.lowKernel(f);
		for (int trial = 0; trial < 4; trial++) {
			FloatPlanes truth = random(r, 1, h, w), estimate = random(r, 1, h, w);
			FloatPlanes low = Consistency.areaDownsample(truth, f), after = estimate.copy();
			Consistency.enforce(after, low, f);
			float[] lambda = Consistency.solve(Consistency.residual(estimate, low, f).data(), lw, lh, g);
			float[] c = spline(lambda, w, h, f);
			for (int i = 0; i < c.length; i++)
				assertEquals(c[i], after.data()[i] - estimate.data()[i], 1e-4, "the correction is K R λ at " + i);
			float[] rl = new float[w * h];
			for (int p = 0; p < rl.length; p++) rl[p] = lambda[(p / w / f) * lw + (p % w) / f];
			double moved = smoothNorm(rl, w, h, f);
			for (int s = 0; s < 5; s++) {
				float[] u = random(r, 1, h, w).data(), ku = u.clone();
				Consistency.convolve(ku, w, h, Consistency.splineKernel(f));
				float[] mu = Consistency.solve(down(ku, w, h, f), lw, lh, g), v = new float[w * h], xv = new float[w * h];
				for (int p = 0; p < v.length; p++) {
					v[p] = s * 0.5f * (u[p] - mu[(p / w / f) * lw + (p % w) / f]); // A K v = 0
					xv[p] = rl[p] + v[p]; // x − z = −K (R λ + v), x' − z = −K v
				}
				float[] kv = v.clone();
				Consistency.convolve(kv, w, h, Consistency.splineKernel(f));
				float[] dz = down(kv, w, h, f);
				for (float e : dz) assertEquals(0, e, 1e-5, "z is consistent");
				double before = smoothNorm(xv, w, h, f), now = smoothNorm(v, w, h, f);
				assertTrue(now <= before, "further from a consistent image: " + now + " > " + before);
				assertEquals(before - moved, now, 1e-4 * before, "Pythagoras in the norm of K⁺");
			}
		}
	}

	/**
	 * A smooth estimate that misses the fine texture of the truth (so the residual varies from block to block) gets a
	 * correction that adds no excess gradient at the block borders: grid ratio within 5 % of the truth's (the
	 * least-gradient correction gave 1.07, the blockwise one 2.46).
	 */
	@Test
	void aTextureResidualGetsNoBlockSteps() {
		int n = 96, f = 4;
		FloatPlanes truth = FloatPlanes.zeros(1, n, n);
		for (int y = 0; y < n; y++)
			for (int x = 0; x < n; x++)
				truth.set(0, y, x, (float) (Math.sin(x / 7.0) * Math.cos(y / 5.0)
					+ 0.5 * Math.sin(1.3 * x + 0.7 * y) * Math.cos(0.45 * x - 1.1 * y)));
		FloatPlanes low = Consistency.areaDownsample(truth, f), estimate = FloatPlanes.zeros(1, n, n);
		System.arraycopy(spline(low.data(), n, n, f), 0, estimate.data(), 0, n * n);
		Consistency.enforce(estimate, low, f);
		assertReproduces(low, estimate, f);
		double truthRatio = Quality.gridRatio(truth, f), ratio = Quality.gridRatio(estimate, f);
		assertTrue(ratio <= 1.05 * truthRatio, "grid ratio " + ratio + " (the truth's: " + truthRatio + ")");
	}

	/**
	 * A smooth estimate with a slowly varying error gets a smooth correction: no excess gradient at the 4 × 4 block
	 * borders (grid ratio within 5 % of the truth's), and far closer to the truth than before.
	 */
	@Test
	void aSmoothEstimateGetsNoBlockSteps() {
		int w = 96, h = 80, f = 4;
		FloatPlanes truth = smooth(3, h, w, 0), estimate = smooth(3, h, w, 0.3);
		FloatPlanes low = Consistency.areaDownsample(truth, f);
		double psnrBefore = Quality.psnr(estimate, truth, 2);
		Consistency.enforce(estimate, low, f);
		assertReproduces(low, estimate, f);
		double truthRatio = Quality.gridRatio(truth, f), ratio = Quality.gridRatio(estimate, f);
		assertTrue(ratio <= 1.05 * truthRatio, "grid ratio " + ratio + " (the truth's: " + truthRatio + ")");
		assertTrue(Quality.psnr(estimate, truth, 2) > psnrBefore + 20, "PSNR " + psnrBefore + " dB -> "
			+ Quality.psnr(estimate, truth, 2));
	}

	/** CG's convergence does not depend on the image's size (condition number ≤ 225): a large plane is exact too. */
	@Test
	void aLargePlaneIsExact() {
		Random r = new Random(9);
		FloatPlanes truth = smooth(1, 1024, 768, 1), estimate = random(r, 1, 1024, 768);
		FloatPlanes low = Consistency.areaDownsample(truth, 4);
		Consistency.enforce(estimate, low, 4);
		assertReproduces(low, estimate, 4);
		assertTrue(Quality.gridRatio(estimate, 4) < 1.05, "grid ratio " + Quality.gridRatio(estimate, 4));
	}

	/** The Python twin (models/ldm_models/consistency.py, tests/test_consistency.py) gives the same values. */
	@Test
	void agreesWithThePythonTwin() {
		FloatPlanes x = FloatPlanes.zeros(1, 16, 20), low = FloatPlanes.zeros(1, 4, 5);
		for (int y = 0; y < 16; y++)
			for (int i = 0; i < 20; i++) x.set(0, y, i, (float) Math.sin(0.9 * y + 0.4 * i));
		for (int j = 0; j < 4; j++)
			for (int i = 0; i < 5; i++) low.set(0, j, i, (float) (0.1 * j - 0.2 * i + 0.05 * j * i));
		Consistency.enforce(x, low, 4);
		double[][] golden = {{0, 0, -1.0968927597356493}, {5, 7, -0.06021886413129594}, {15, 19, 0.4822619685392251},
			{8, 3, 1.204349684417561}};
		for (double[] g : golden)
			assertEquals(g[2], x.get(0, (int) g[0], (int) g[1]), 2e-5, "pixel (" + g[0] + ", " + g[1] + ")");
	}
}
