package org.ldmfiji.diffusion;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/**
 * Data x_0 ~ N(μ, s²) with the exact ε-predictor: a sampler should return samples with mean μ and
 * variance s². x_T is 4096 values of {@link GaussianNoise} standardised to mean 0 and variance 1, so
 * what is left is the solver's discretisation error (plus a start error of about 0.0025 in the mean:
 * x_T ~ N(0, 1) is not exactly the marginal at t = T−1).
 */
class AnalyticGaussianTest {

	private static final double MU = 0.5;
	private static final double S = 0.5;
	private static final NoiseSchedule SCHEDULE = NoiseSchedule.of("linear", 0.0015, 0.0205, 1000, 0);

	@Test
	void dpmSolver20StepsIsAtLeastAsGoodAsDdim50() {
		double[] dpm = meanAndVarianceError(new DpmSolverPP2M(20));
		double[] ddim = meanAndVarianceError(new Ddim(50));
		// measured: DPM-Solver++(2M) 20 steps (-0.0025, +0.014), DDIM 50 steps (-0.0032, -0.030)
		assertTrue(Math.abs(dpm[0]) < 0.004, "DPM-Solver++(2M), 20 steps: expected mean error < 0.004, got " + dpm[0]);
		assertTrue(Math.abs(dpm[1]) < 0.02, "DPM-Solver++(2M), 20 steps: expected variance error < 0.02, got " + dpm[1]);
		assertTrue(Math.abs(ddim[0]) < 0.005, "DDIM, 50 steps: expected mean error < 0.005, got " + ddim[0]);
		assertTrue(Math.abs(ddim[1]) < 0.04, "DDIM, 50 steps: expected variance error < 0.04, got " + ddim[1]);
		assertTrue(Math.abs(dpm[0]) <= Math.abs(ddim[0]), "expected DPM-Solver++(2M) 20 steps to match the mean at least as well as DDIM 50: "
			+ dpm[0] + " vs " + ddim[0]);
		assertTrue(Math.abs(dpm[1]) <= Math.abs(ddim[1]), "expected DPM-Solver++(2M) 20 steps to match the variance at least as well as DDIM 50: "
			+ dpm[1] + " vs " + ddim[1]);
	}

	@Test
	void moreStepsConverge() {
		// both are consistent solvers of the probability-flow ODE: 250 steps get close to the target
		double[] dpm = meanAndVarianceError(new DpmSolverPP2M(250));
		double[] ddim = meanAndVarianceError(new Ddim(250));
		assertTrue(Math.abs(dpm[1]) < 0.002, "DPM-Solver++(2M), 250 steps: expected variance error < 0.002, got " + dpm[1]);
		assertTrue(Math.abs(ddim[1]) < 0.01, "DDIM, 250 steps: expected variance error < 0.01, got " + ddim[1]);
	}

	/** {mean − μ, variance − s²} of 4096 samples. */
	private static double[] meanAndVarianceError(Sampler sampler) {
		int n = 4096;
		float[] z = new GaussianNoise(2026).values(0, 0, n);
		double m = 0, v = 0;
		for (float f : z) m += f;
		m /= n;
		for (float f : z) v += (f - m) * (f - m);
		double sd = Math.sqrt(v / n);
		float[] standard = new float[n];
		for (int i = 0; i < n; i++) standard[i] = (float) ((z[i] - m) / sd);
		try (NDManager manager = NDManager.newBaseManager()) {
			NDArray x = manager.create(standard, new Shape(1, 1, 64, 64));
			float[] out = sampler.sample(new GaussianDenoiser(SCHEDULE, new double[] {MU}, S, false), x, SCHEDULE,
				StepListener.NONE).toFloatArray();
			double mean = 0, var = 0;
			for (float f : out) mean += f;
			mean /= n;
			for (float f : out) var += (f - mean) * (f - mean);
			return new double[] {mean - MU, var / n - S * S};
		}
	}
}
