package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.Arrays;
import java.util.List;

/**
 * The samples' detail shrunk toward the smooth consistent interpolation where the samples disagree about it: a
 * Wiener-like estimate of the posterior mean for a model that is out of its domain.
 * <p>
 * With s_1 … s_N the (consistent) samples, m their mean, v their per-pixel variance (unbiased) and b the smoothest
 * image consistent with the input (b = K R λ with A K R λ = y, {@link Consistency} applied to zero: the quintic
 * B-spline interpolation of the block means), d = m − b is the detail the model adds. Each sample becomes
 * <pre>
 *   s_i ← b + w (s_i − b),   w = D / (D + κ V),   D = box(d²),  V = box(v)
 * </pre>
 * with box the mean over a {@link #WINDOW} × {@link #WINDOW} window (mirrored at the edges) and κ = {@link #KAPPA},
 * then made consistent again ({@link Consistency}, affine, so the mean of the results is the consistent b + w d).
 * w is the Wiener gain for a signal of power D seen through noise of power κ V: where the samples agree on their
 * detail (V ≪ D) it is kept, where they scatter as much as the detail itself (a smooth photograph, a defocused page,
 * a retina: the model invents detail, differently in every sample) it goes toward b. κ = 1/N would count only the
 * Monte-Carlo error of the mean of N samples; κ = 1/2 counts the samples' spread as doubt about the model's own bias.
 * KAPPA was chosen on 38 crops (128 px, two per picture) of 20 scikit-image pictures, none from the real-image
 * evaluation's packages: mean gain over bicubic +0.56 dB without the shrinkage, +1.08 dB with it (κ = 1/4: +1.04,
 * κ = 1: +1.03), crops below bicubic by more than 0.3 dB 6 → 1 (1/4: 3, 1: 2). One sample is returned as it is (no
 * spread to judge by). The standard-deviation map of several samples is that of the shrunk samples.
 * <p>
 * The relief. On an aliased texture (wood, sand ripples, grass, a woven pattern: detail finer than the input's
 * pixels) the samples disagree about the texture's phase, w goes toward 0 and the mean toward b; but b, like any
 * smooth interpolation of aliased block means, has its steepest slopes at the block borders (grid ratio
 * {@link Quality#gridRatio} 1.13 to 1.18 on such photographs, where the samples' own consistent mean has 0.95 to
 * 1.0), so the shrunk mean shows the f-px grid (1.07 to 1.11). The shrinkage is therefore scaled down uniformly,
 * <pre>
 *   w' = t + (1 − t) w,
 * </pre>
 * with t the least multiple of 1/{@link #RELIEF_STEPS} for which the (consistent) mean has a grid ratio of at most
 * {@link #GRID_LIMIT} ({@link #relief}); t = 0 (the plain shrinkage) wherever that holds already. GRID_LIMIT = 1.03
 * is issue #18's bound 1.05 less the largest rise of the grid ratio from rounding the result to 8 bits seen on
 * scikit-image crops (cell: +0.015; a flat synthetic drawing, clock, rose by 0.07 and is left out). On 37 crops
 * (scikit-image pictures and three synthetic gratings, none from the real-image evaluation's packages) the relief
 * acted on 8: grid ratios above 1.05 9 → 2 (a 2.7-px grating and clock, whose samples' own mean is as gridded), mean
 * gain over bicubic +0.73 → +0.71 dB; its cost where it acted: grass −0.04 and −0.05 dB, rocket −0.11 and −0.45,
 * retina −0.15, page +0.06 and +0.04, immunohistochemistry 0. One t for the whole plane: a large image super-resolved
 * block by block (BlockwiseSuperResolution) has one per window, blended across the halos like the rest.
 */
final class SpreadShrinkage {

	/** Weight of the samples' variance against the detail's power. */
	static final double KAPPA = 0.5;
	/** Side of the window over which detail power and variance are averaged (px of the result). */
	static final int WINDOW = 5;
	/** The largest f-px grid ratio the shrinkage may leave in the mean (see the class comment: the relief). */
	static final double GRID_LIMIT = 1.03;
	/** The relief's steps: t in multiples of 1 / RELIEF_STEPS. */
	static final int RELIEF_STEPS = 16;

	private SpreadShrinkage() {}

	/**
	 * Shrinks {@code samples} (each C × fH × fW in the model's range) in place toward the smooth interpolation of
	 * {@code low} (C × H × W); with {@code consistency} (the samples consistent on entry) each result reproduces
	 * {@code low} exactly afterwards, and their mean does within {@code storable} ({@link StorableRange#project}: the
	 * relief judges the mean as it will be stored, and every sample is moved by the same correction, so the spread
	 * is unchanged); one sample is itself projected.
	 */
	static void apply(List<FloatPlanes> samples, FloatPlanes low, int f, boolean consistency, StorableRange storable) {
		int n = samples.size();
		if (n < 2) {
			if (consistency) storable.project(samples.get(0), low, f);
			return;
		}
		FloatPlanes first = samples.get(0);
		FloatPlanes b = FloatPlanes.zeros(first.channels(), first.height(), first.width());
		Consistency.enforce(b, low, f);
		int w = first.width(), h = first.height(), plane = w * h;
		FloatPlanes mean = FloatPlanes.zeros(first.channels(), h, w), gain = FloatPlanes.zeros(first.channels(), h, w);
		double[] box = new double[WINDOW];
		Arrays.fill(box, 1.0 / WINDOW);
		float[] bd = b.data(), md = mean.data(), gd = gain.data();
		for (int c = 0; c < first.channels(); c++) {
			float[] power = new float[plane], spread = new float[plane];
			for (int p = 0; p < plane; p++) {
				int i = c * plane + p;
				double m = 0, sq = 0;
				for (FloatPlanes s : samples) m += s.data()[i];
				m /= n;
				for (FloatPlanes s : samples) sq += (s.data()[i] - m) * (s.data()[i] - m);
				md[i] = (float) m;
				power[p] = (float) ((m - bd[i]) * (m - bd[i]));
				spread[p] = (float) (sq / (n - 1));
			}
			Consistency.convolve(power, w, h, box);
			Consistency.convolve(spread, w, h, box);
			for (int p = 0; p < plane; p++) {
				double den = power[p] + KAPPA * spread[p];
				gd[c * plane + p] = (float) (den > 0 ? power[p] / den : 1);
			}
		}
		FloatPlanes shrunk = mean.copy();
		shrink(shrunk, b, gain, 0);
		if (!consistency) {
			double t = relief(mean, shrunk, f);
			for (FloatPlanes s : samples) shrink(s, b, gain, t);
			return;
		}
		Consistency.enforce(shrunk, low, f);
		FloatPlanes meanStored = mean.copy(), shrunkStored = shrunk.copy();
		storable.project(meanStored, low, f);
		storable.project(shrunkStored, low, f);
		double t = relief(meanStored, shrunkStored, f);
		for (FloatPlanes s : samples) {
			shrink(s, b, gain, t);
			Consistency.enforce(s, low, f);
		}
		// the samples' mean is now (1 − t) shrunk + t mean (shrink and enforce are affine); move every sample by the
		// same correction so that it is the stored blend the relief chose
		float[] m = mean.data(), ms = meanStored.data(), sh = shrunk.data(), ss = shrunkStored.data();
		for (FloatPlanes s : samples) {
			float[] x = s.data();
			for (int i = 0; i < x.length; i++) x[i] += (float) ((1 - t) * (ss[i] - sh[i]) + t * (ms[i] - m[i]));
		}
	}

	/** x ← b + w' (x − b), in place, with the gain w' = t + (1 − t) w: the shrinkage (1 − w) scaled by (1 − t). */
	private static void shrink(FloatPlanes x, FloatPlanes b, FloatPlanes gain, double t) {
		float[] o = x.data(), bd = b.data(), gd = gain.data();
		for (int i = 0; i < o.length; i++) o[i] = (float) (bd[i] + (t + (1 - t) * gd[i]) * (o[i] - bd[i]));
	}

	/**
	 * The relief t: the least of 0, 1/{@link #RELIEF_STEPS}, …, 1 for which (1 − t) {@code shrunk} + t {@code mean}
	 * has a grid ratio ({@link Quality#gridRatio}) of at most {@link #GRID_LIMIT}; where none has, the one of the
	 * lowest grid ratio (the samples' own mean can be more gridded than the shrunk one). Both are consistent when the
	 * samples are, and so is every such blend (A is linear).
	 */
	static double relief(FloatPlanes mean, FloatPlanes shrunk, int f) {
		FloatPlanes blend = shrunk.copy();
		float[] x = blend.data(), m = mean.data(), s = shrunk.data();
		double best = 0, lowest = Double.POSITIVE_INFINITY;
		for (int k = 0; k <= RELIEF_STEPS; k++) {
			double t = (double) k / RELIEF_STEPS;
			for (int i = 0; i < x.length; i++) x[i] = (float) ((1 - t) * s[i] + t * m[i]);
			double grid = Quality.gridRatio(blend, f);
			if (!(grid > GRID_LIMIT)) return t;
			if (grid < lowest) {
				lowest = grid;
				best = t;
			}
		}
		return best;
	}
}
