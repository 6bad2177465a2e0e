package org.ldmfiji.diffusion;

import java.util.Arrays;

/**
 * Which discrete timesteps a sampler visits, in sampling order (from noisy to clean). Each sampler's
 * spacing lives here once, so the samplers themselves only hold their update rule.
 */
public final class Timesteps {

	private Timesteps() {}

	/**
	 * CompVis {@code make_ddim_timesteps(..., 'uniform')}: {@code range(0, T, T // S) + 1}, reversed.
	 * As in CompVis the count is {@code ceil(T / (T // S))}, which exceeds S when S does not divide T
	 * (S = 30 of T = 1000 gives 31 steps).
	 *
	 * @throws IllegalArgumentException when the rule would select the non-existent timestep T (for
	 *         example S = T, or S = 3 of T = 1000), which CompVis's code would index out of bounds
	 */
	public static int[] ddimUniform(int steps, int timesteps) {
		if (steps < 1 || steps > timesteps) {
			throw new IllegalArgumentException("DDIM steps must be in [1, " + timesteps + "], got " + steps);
		}
		int c = timesteps / steps;
		int n = (timesteps + c - 1) / c;
		int[] t = new int[n];
		for (int i = 0; i < n; i++) t[i] = (n - 1 - i) * c + 1; // descending: T//S·k + 1
		if (t[0] >= timesteps) {
			throw new IllegalArgumentException("DDIM with " + steps + " steps on a " + timesteps
				+ "-step schedule would use timestep " + t[0] + " (CompVis uniform spacing range(0, T, T//S) + 1),"
				+ " which does not exist: choose another number of steps, e.g. " + nearestValidDdimSteps(steps, timesteps));
		}
		return t;
	}

	/**
	 * The timesteps of {@code ts} (descending) that do not exceed {@code max}: a run that starts part-way.
	 *
	 * @throws IllegalArgumentException when none is left
	 */
	public static int[] upTo(int[] ts, int max) {
		int first = 0;
		while (first < ts.length && ts[first] > max) first++;
		if (first == ts.length) throw new IllegalArgumentException("no timestep of the schedule's " + ts.length
			+ " steps is at or below " + max + ": start from a larger timestep (a larger strength) or use more steps");
		return Arrays.copyOfRange(ts, first, ts.length);
	}

	private static int nearestValidDdimSteps(int steps, int timesteps) {
		for (int d = 1; d < timesteps; d++) {
			for (int s : new int[] {steps - d, steps + d}) {
				if (s >= 1 && s <= timesteps && (timesteps - 1) % (timesteps / s) != 0) return s;
			}
		}
		return 1;
	}

	/**
	 * Karras et al. 2022, eq. (5) (k-diffusion {@code get_sigmas_karras}, diffusers
	 * {@code use_karras_sigmas=True}): σ_i = (σ_max^{1/ρ} + i/(S−1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ between
	 * σ_max = σ(T−1) and σ_min = σ(0), each mapped to the discrete timestep nearest in log σ (the
	 * ε-model only knows integer t). Repeats, which occur near t = 0 for large S, are dropped, so the
	 * result can be shorter than S. The sampler's final step goes from the last of these to σ = 0.
	 */
	public static int[] karras(NoiseSchedule schedule, int steps, double rho) {
		if (steps < 1) throw new IllegalArgumentException("sampler needs at least 1 step, got " + steps);
		int last = schedule.timesteps() - 1;
		double maxInv = Math.pow(schedule.sigma(last), 1 / rho);
		double minInv = Math.pow(schedule.sigma(0), 1 / rho);
		int[] t = new int[steps];
		int n = 0;
		for (int i = 0; i < steps; i++) {
			double ramp = steps == 1 ? 0 : i / (double) (steps - 1);
			int ti = nearestTimestep(schedule, Math.pow(maxInv + ramp * (minInv - maxInv), rho));
			if (n == 0 || ti != t[n - 1]) t[n++] = ti;
		}
		return Arrays.copyOf(t, n);
	}

	/** The timestep whose σ_t is nearest to {@code sigma} in log σ (σ_t increases with t). */
	public static int nearestTimestep(NoiseSchedule schedule, double sigma) {
		double target = Math.log(sigma);
		int best = 0;
		double bestDist = Double.POSITIVE_INFINITY;
		for (int t = 0; t < schedule.timesteps(); t++) {
			double d = Math.abs(Math.log(schedule.sigma(t)) - target);
			if (d < bestDist) {
				bestDist = d;
				best = t;
			}
		}
		return best;
	}
}
