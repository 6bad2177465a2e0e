package org.ldmfiji.diffusion;

import java.util.Arrays;

/**
 * Which discrete timesteps a sampler visits, in sampling order (from noisy to clean). Each sampler's
 * spacing lives here once, so the samplers themselves only hold their update rule.
 */
public final class Timesteps {

	private Timesteps() {}

	/**
	 * CompVis {@code make_ddim_timesteps(..., 'uniform')}: {@code range(0, T, T // S) + 1}, reversed. As in CompVis
	 * the count is {@code ceil(T / (T // S))}, which exceeds S when S does not divide T (S = 30 of T = 1000 gives 31
	 * steps).
	 * <p>
	 * That rule selects the non-existent timestep T whenever T // S divides T − 1 (S = 3, 9, 36, 105, 300 or 501 to
	 * 1000 of T = 1000), where CompVis's own code indexes out of bounds. Those counts get S timesteps spaced
	 * uniformly over (0, T − 1] instead ({@link #ddimFromTop}): they start at the noisiest timestep, T − 1, and where
	 * S divides T − 1 they are CompVis's grid moved down by one (S = 3: 999, 666, 333). S = T gets T − 1 steps, every
	 * timestep but 0: the last step already ends at ᾱ_0 (as in CompVis), so a step from t = 0 would change nothing.
	 */
	public static int[] ddimUniform(int steps, int timesteps) {
		if (steps < 1 || steps > timesteps) {
			throw new IllegalArgumentException("DDIM steps must be in [1, " + timesteps + "], got " + steps);
		}
		int c = timesteps / steps;
		int n = (timesteps + c - 1) / c;
		if ((n - 1) * c + 1 >= timesteps) return ddimFromTop(steps, timesteps);
		int[] t = new int[n];
		for (int i = 0; i < n; i++) t[i] = (n - 1 - i) * c + 1; // descending: T//S·k + 1
		return t;
	}

	/**
	 * S' = min(S, T − 1) timesteps t_i = T − 1 − round(i·(T − 1)/S'), i = 0 … S' − 1: descending from T − 1 by
	 * steps of at least 1 (so distinct), the last at least 1 (so every step moves towards ᾱ_0).
	 */
	private static int[] ddimFromTop(int steps, int timesteps) {
		int last = timesteps - 1;
		int n = Math.max(1, Math.min(steps, last));
		int[] t = new int[n];
		for (int i = 0; i < n; i++) t[i] = last - (int) Math.round(i * (double) last / n);
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
