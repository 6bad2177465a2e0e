package org.ldmfiji.diffusion;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The exact ε-predictor for data x_0 ~ N(μ_c, s²) per channel c: with x_t = √ᾱ·x_0 + √(1−ᾱ)·ε,
 * E[ε | x_t] = √(1−ᾱ)·(x_t − √ᾱ·μ_c) / (ᾱ·s² + 1 − ᾱ). Optionally records every call (t, x_t) so a
 * test can compare the whole trajectory.
 */
final class GaussianDenoiser implements Denoiser {

	final List<Integer> calledTimesteps = new ArrayList<>();
	final List<float[]> calledInputs = new ArrayList<>();
	private final NoiseSchedule schedule;
	private final double[] mu;
	private final double s;
	private final boolean record;

	GaussianDenoiser(NoiseSchedule schedule, double[] mu, double s, boolean record) {
		this.schedule = schedule;
		this.mu = mu;
		this.s = s;
		this.record = record;
	}

	@Override
	public NDArray eps(NDArray x, int t) {
		if (record) {
			calledTimesteps.add(t);
			calledInputs.add(x.toFloatArray());
		}
		double a = schedule.alphaBar(t);
		double gain = Math.sqrt(1 - a) / (a * s * s + 1 - a);
		float[] offset = new float[mu.length];
		for (int c = 0; c < mu.length; c++) offset[c] = (float) (-gain * Math.sqrt(a) * mu[c]);
		try (NDArray b = x.getManager().create(offset, new Shape(1, mu.length, 1, 1))) {
			return x.mul((float) gain).add(b); // ε = gain·x − gain·√ᾱ·μ_c
		}
	}
}
