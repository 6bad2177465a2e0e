package org.ldmfiji.diffusion;

import java.util.Locale;

/**
 * A discrete DDPM noise schedule, computed once in double precision on the Java heap
 * (CompVis {@code make_beta_schedule}). Names and parameters come from the bundle manifest.
 */
public final class NoiseSchedule {

	private final double[] alphasCumprod;

	private NoiseSchedule(double[] betas) {
		alphasCumprod = new double[betas.length];
		double prod = 1;
		for (int i = 0; i < betas.length; i++) {
			prod *= 1 - betas[i]; // ᾱ_t = Π_{i≤t} (1 − β_i)
			alphasCumprod[i] = prod;
		}
	}

	/**
	 * @param type "linear" (linear in √β, CompVis's default), "sqrt_linear" (linear in β) or "cosine"
	 * @param linearStart β_0 for the linear schedules
	 * @param linearEnd β_{T−1} for the linear schedules
	 * @param timesteps T
	 * @param cosineS the offset s of the cosine schedule
	 */
	public static NoiseSchedule of(String type, double linearStart, double linearEnd, int timesteps, double cosineS) {
		if (timesteps < 2) throw new IllegalArgumentException("schedule needs at least 2 timesteps, got " + timesteps);
		double[] betas = new double[timesteps];
		switch (type.toLowerCase(Locale.ROOT)) {
			case "linear": // β_t = linspace(√β_0, √β_end, T)²
				for (int i = 0; i < timesteps; i++) {
					double s = lerp(Math.sqrt(linearStart), Math.sqrt(linearEnd), i, timesteps);
					betas[i] = s * s;
				}
				break;
			case "sqrt_linear": // β_t = linspace(β_0, β_end, T)
				for (int i = 0; i < timesteps; i++) betas[i] = lerp(linearStart, linearEnd, i, timesteps);
				break;
			case "cosine": // Nichol & Dhariwal eq. (17): ᾱ(t) = cos²(((t/T + s)/(1 + s))·π/2)
				for (int i = 0; i < timesteps; i++) {
					double a0 = cosineAlphaBar(i, timesteps, cosineS);
					double a1 = cosineAlphaBar(i + 1, timesteps, cosineS);
					betas[i] = Math.min(1 - a1 / a0, 0.999);
				}
				break;
			default:
				throw new IllegalArgumentException("unknown beta_schedule '" + type
					+ "': use linear, sqrt_linear or cosine (see models/README.md)");
		}
		return new NoiseSchedule(betas);
	}

	private static double lerp(double a, double b, int i, int n) {
		return a + (b - a) * i / (n - 1);
	}

	private static double cosineAlphaBar(int t, int n, double s) {
		double c = Math.cos((t / (double) n + s) / (1 + s) * Math.PI / 2);
		return c * c;
	}

	/** T, the number of discrete timesteps. */
	public int timesteps() {
		return alphasCumprod.length;
	}

	/** ᾱ_t. */
	public double alphaBar(int t) {
		return alphasCumprod[t];
	}

	/** σ_t = √((1 − ᾱ_t)/ᾱ_t), the noise level in the Karras/k-diffusion parameterisation. */
	public double sigma(int t) {
		return Math.sqrt((1 - alphasCumprod[t]) / alphasCumprod[t]);
	}
}
