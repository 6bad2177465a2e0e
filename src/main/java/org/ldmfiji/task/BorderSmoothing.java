package org.ldmfiji.task;

import org.ldmfiji.image.ConjugateGradients;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Quality;

import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Steps across the f × f block borders of a super-resolved image smoothed away without changing any block's mean: a
 * deblocking filter that keeps the consistency exact.
 * <p>
 * With A the f × f area average, P = I − R A the projection onto the images whose every block has mean zero, and
 * B the differences between neighbouring pixels in different blocks (rows and columns fk − 1 and fk), the result is
 * x + n with
 * <pre>
 *   n = argmin_{A n = 0} ||n||² + μ ||B (x + n)||²,   i.e.   (I + μ P BᵀB P) n = −μ P BᵀB x,   n = P n,
 * </pre>
 * solved by conjugate gradients in the null space of A (Hestenes &amp; Stiefel 1952; the operator's eigenvalues lie in
 * [1, 1 + 8μ], so a few dozen iterations). n moves mass inside each block toward the border it shares with a
 * neighbour that is higher, so a step between two blocks becomes a ramp across both, and A(x + n) = A(x).
 * <p>
 * Why: every smooth consistent interpolation of block means that vary from block to block like noise (dark noisy
 * astronomy frames, an aliased canvas) has its steepest slopes between the block centres, on the borders: the quintic
 * B-spline interpolation of white-noise means has a grid ratio ({@link Quality#gridRatio}) of 1.23, bicubic 1.26-1.42
 * on such crops, the band-limited (sinc) one 1.03 at 1.0 dB less. μ is the least of {@link #MU_MIN}·2^k (up to
 * {@link #MU_MAX}), refined by {@link #REFINEMENTS} geometric bisections, for which the result, as it will be stored,
 * has a grid ratio of at most {@link #GRID_LIMIT}; 0 (nothing moves) where that holds already. On the three crops of
 * the training packages whose default result exceeded 1.05 (models/validate_training_crops.py: two dark noisy nebulae,
 * an aliased canvas; 1.12-1.16) it gives 1.02-1.03 at −0.02 to +0.12 dB (models/demo/EVALUATION.md, session 19).
 */
final class BorderSmoothing {

	/**
	 * The largest f-px grid ratio left in the stored mean: issue #18's bound 1.05 less the largest rise of the grid
	 * ratio from rounding the result to 8 bits seen on scikit-image crops (cell: +0.015; a flat synthetic drawing,
	 * clock, rose by 0.07 and is left out).
	 */
	static final double GRID_LIMIT = 1.03;

	/** The first μ tried. */
	static final double MU_MIN = 1.0 / 256;
	/** The last μ tried (ratios fall to about 0.2 there: far past any limit). */
	static final double MU_MAX = 16;
	/** CG stops when the residual's norm is this fraction of the first one. */
	static final double TOLERANCE = 1e-6;
	/** Far above the iterations that TOLERANCE needs at MU_MAX (condition number 1 + 8 MU_MAX). */
	static final int MAX_ITERATIONS = 300;
	/** Geometric bisections of μ between the last failing and the first passing step of the ladder. */
	static final int REFINEMENTS = 4;

	private BorderSmoothing() {}

	/**
	 * The samples' mean as it will be stored, with its block borders smoothed just enough for its grid ratio to be
	 * at most {@link #GRID_LIMIT}: with {@code consistency} (the samples consistent with {@code low} on entry) the
	 * mean is brought within {@code storable} and stays consistent ({@link StorableRange#project}), so writing it
	 * keeps the consistency. Every sample gets the same correction, so their spread (the standard-deviation map) is
	 * unchanged and their mean is the stored one. Without consistency the block means are kept as they are.
	 *
	 * @return the μ used (0: the stored mean was within the limit already)
	 */
	static double apply(List<FloatPlanes> samples, FloatPlanes low, int f, boolean consistency, StorableRange storable) {
		FloatPlanes mean = SampleStatistics.mean(samples).copy(); // mean() returns a single sample itself
		Least least = leastSmoothed(mean, f, GRID_LIMIT, x -> stored(x, low, f, consistency, storable));
		float[] m = mean.data(), b = least.result.data();
		for (FloatPlanes x : samples) {
			float[] d = x.data();
			for (int i = 0; i < d.length; i++) d[i] += b[i] - m[i];
		}
		return least.mu;
	}

	/** A result of {@link #leastSmoothed}: the image as it will be stored and the μ it was smoothed with. */
	static final class Least {
		final FloatPlanes result;
		final double mu;

		private Least(FloatPlanes result, double mu) {
			this.result = result;
			this.mu = mu;
		}
	}

	/**
	 * {@code x} smoothed ({@link #smooth}) with the least μ for which {@code stored} of it has a grid ratio of at most
	 * {@code limit}: μ = 0 when stored(x) has, else the least μ of the doubling ladder from {@link #MU_MIN},
	 * refined by {@link #REFINEMENTS} geometric bisections against the last failing one; where no μ up to
	 * {@link #MU_MAX} passes, the one of the lowest ratio (μ reported as MU_MAX). {@code x} is not modified.
	 */
	static Least leastSmoothed(FloatPlanes x, int f, double limit, UnaryOperator<FloatPlanes> stored) {
		FloatPlanes best = stored.apply(x.copy());
		double lowest = Quality.gridRatio(best, f), passing = lowest > limit ? Double.NaN : 0, failing = 0;
		for (double mu = MU_MIN; mu <= MU_MAX && Double.isNaN(passing); mu *= 2) {
			FloatPlanes s = smoothed(x, f, mu, stored);
			double grid = Quality.gridRatio(s, f);
			if (grid <= limit) passing = mu;
			else failing = mu;
			if (grid < lowest) {
				lowest = grid;
				best = s;
			}
		}
		for (int k = 0; k < REFINEMENTS && failing > 0 && passing > 0; k++) {
			double mu = Math.sqrt(failing * passing);
			FloatPlanes s = smoothed(x, f, mu, stored);
			if (Quality.gridRatio(s, f) <= limit) {
				passing = mu;
				best = s;
			}
			else failing = mu;
		}
		return new Least(best, Double.isNaN(passing) ? MU_MAX : passing);
	}

	/** x smoothed with this μ, as it will be stored. */
	private static FloatPlanes smoothed(FloatPlanes x, int f, double mu, UnaryOperator<FloatPlanes> stored) {
		FloatPlanes s = x.copy();
		smooth(s, f, mu);
		return stored.apply(s);
	}

	/** x as it will be stored: within the bounds and, with consistency, still consistent ({@link StorableRange}). */
	private static FloatPlanes stored(FloatPlanes x, FloatPlanes low, int f, boolean consistency, StorableRange storable) {
		FloatPlanes s = x.copy();
		if (consistency) storable.project(s, low, f);
		return s;
	}

	/** x ← x + n with n the minimiser above for this μ, channel by channel, in place; A(x) unchanged. */
	static void smooth(FloatPlanes x, int f, double mu) {
		int w = x.width(), h = x.height(), n = w * h;
		if (w % f != 0 || h % f != 0) throw new IllegalArgumentException("the image is " + w + "x" + h
			+ " px, not a multiple of the block size " + f);
		for (int c = 0; c < x.channels(); c++) {
			float[] plane = x.data();
			double[] xc = new double[n], b = new double[n];
			for (int p = 0; p < n; p++) xc[p] = plane[c * n + p];
			across(xc, b, w, h, f);
			for (int p = 0; p < n; p++) b[p] *= -mu;
			blockFree(b, w, h, f);
			double[] sol = solve(b, w, h, f, mu);
			for (int p = 0; p < n; p++) plane[c * n + p] += (float) sol[p];
		}
	}

	/** CG for (I + μ P BᵀB P) v = rhs with rhs and every iterate in the null space of A. */
	private static double[] solve(double[] rhs, int w, int h, int f, double mu) {
		return ConjugateGradients.solve((d, q) -> {
			across(d, q, w, h, f);
			blockFree(q, w, h, f);
			for (int p = 0; p < d.length; p++) q[p] = d[p] + mu * q[p];
		}, rhs, null, TOLERANCE, MAX_ITERATIONS);
	}

	/** out ← BᵀB u: for each pair of neighbours in different blocks, their difference added to one, taken from the other. */
	private static void across(double[] u, double[] out, int w, int h, int f) {
		Arrays.fill(out, 0);
		for (int y = 0; y < h; y++)
			for (int x = f; x < w; x += f) {
				int p = y * w + x;
				double g = u[p] - u[p - 1];
				out[p] += g;
				out[p - 1] -= g;
			}
		for (int y = f; y < h; y += f)
			for (int x = 0; x < w; x++) {
				int p = y * w + x;
				double g = u[p] - u[p - w];
				out[p] += g;
				out[p - w] -= g;
			}
	}

	/** u ← P u: each f × f block less its mean. */
	private static void blockFree(double[] u, int w, int h, int f) {
		for (int by = 0; by < h; by += f)
			for (int bx = 0; bx < w; bx += f) {
				double s = 0;
				for (int j = 0; j < f; j++)
					for (int i = 0; i < f; i++) s += u[(by + j) * w + bx + i];
				s /= f * f;
				for (int j = 0; j < f; j++)
					for (int i = 0; i < f; i++) u[(by + j) * w + bx + i] -= s;
			}
	}
}
