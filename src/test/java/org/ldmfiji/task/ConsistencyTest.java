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

	/** ||∇(a − b)||², forward differences inside the image. */
	private static double gradientEnergy(FloatPlanes a, FloatPlanes b) {
		double s = 0;
		int w = a.width(), h = a.height();
		for (int c = 0; c < a.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					double v = a.get(c, y, x) - b.get(c, y, x);
					if (x + 1 < w) s += Math.pow(a.get(c, y, x + 1) - b.get(c, y, x + 1) - v, 2);
					if (y + 1 < h) s += Math.pow(a.get(c, y + 1, x) - b.get(c, y + 1, x) - v, 2);
				}
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
	 * The correction is the projection in the gradient norm: for any image z consistent with the input (the truth
	 * plus anything with zero block means), ||∇(x' − z)||² = ||∇(x − z)||² − ||∇(x' − x)||², so the result is never
	 * further from z; and no other consistent result (the blockwise L2 projection included) changes x with less
	 * gradient energy.
	 */
	@Test
	void theResultIsNeverFurtherFromAnyConsistentImageInTheGradientNorm() {
		Random r = new Random(7);
		for (int trial = 0; trial < 4; trial++) {
			FloatPlanes truth = random(r, 1, 32, 28), estimate = random(r, 1, 32, 28);
			FloatPlanes low = Consistency.areaDownsample(truth, 4), after = estimate.copy();
			Consistency.enforce(after, low, 4);
			double moved = gradientEnergy(after, estimate);
			for (int z = 0; z < 5; z++) {
				FloatPlanes other = truth.copy(), wiggle = random(r, 1, 32, 28);
				Consistency.project(wiggle.data(), 28, 32, 4);
				for (int i = 0; i < other.data().length; i++) other.data()[i] += z * 0.5f * wiggle.data()[i];
				double before = gradientEnergy(estimate, other), now = gradientEnergy(after, other);
				assertTrue(now <= before, "further from a consistent image: " + now + " > " + before);
				assertEquals(before - moved, now, 1e-4 * before, "Pythagoras in the gradient norm");
			}
			FloatPlanes blockwise = estimate.copy();
			FloatPlanes residual = Consistency.residual(blockwise, low, 4);
			for (int y = 0; y < 32; y++)
				for (int x = 0; x < 28; x++) blockwise.set(0, y, x, blockwise.get(0, y, x) + residual.get(0, y / 4, x / 4));
			assertTrue(moved < gradientEnergy(blockwise, estimate), "the blockwise correction moved less: " + moved);
		}
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

	/** CG's convergence does not depend on the image's size: a large plane is exact too. */
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
		double[][] golden = {{0, 0, -0.8184809595117775}, {5, 7, 0.09215420290058067}, {15, 19, 0.6215299611034779},
			{8, 3, 1.1056380886922512}};
		for (double[] g : golden)
			assertEquals(g[2], x.get(0, (int) g[0], (int) g[1]), 2e-5, "pixel (" + g[0] + ", " + g[1] + ")");
	}
}
