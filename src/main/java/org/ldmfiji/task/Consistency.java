package org.ldmfiji.task;

import org.ldmfiji.image.BandedCholesky;
import org.ldmfiji.image.ConjugateGradients;
import org.ldmfiji.image.FloatPlanes;

import java.util.Arrays;

/**
 * Consistency of a super-resolved image with its input: a smooth correction that makes it reproduce the input exactly.
 * With A the f × f area average, R the f × f replication (A R = I) and y the input, the result is x + c with
 * <pre>
 *   c = K R λ,   (A K R) λ = r = y − A(x)
 * </pre>
 * K is the separable convolution with the discrete B-spline of degree 2m − 1 (the f-tap box convolved 2m times,
 * centred on the block centres; m = {@link #PASSES} = 3, the quintic, 6f − 5 taps), mirrored at the image's edges
 * (half-sample symmetric), so K is symmetric, positive semi-definite and keeps constants. This is Irani &amp; Peleg's
 * (1991) iterative back-projection with a smooth kernel, run to convergence: c lies in a smooth, shift-invariant
 * basis, so it adds no gradient peculiar to the block borders. A K R is the separable low-resolution convolution with
 * g[d] = (1/f) Σ_{a,b&lt;f} k[df + b − a] (7 taps for f = 4), mirrored likewise: symmetric positive definite with its
 * eigenvalues in [ĝ(π), ĝ(0)] = [0.067, 1], so condition number ≤ 225 whatever the image's size, and conjugate
 * gradients (Hestenes &amp; Stiefel 1952) converge in about a hundred low-resolution iterations of O(pixels / f²) each.
 * A last plain step x ← x + R(y − A(x)) removes the float rounding left in the block means; it is of rounding size.
 * <p>
 * What holds: afterwards A(x) = y up to float rounding. c minimises ⟨c, K⁺c⟩ among the corrections in range(K) that
 * satisfy the constraint (K⁺c = Rλ is constant on each block, so it is orthogonal to every d with zero block means):
 * for every image z consistent with y such that z − x lies in range(K), ||x + c − z||²_K⁺ = ||x − z||²_K⁺ − ||c||²_K⁺,
 * the result is never further from z in that norm. It is not the projection in L2 (the plain x + R(y − A(x)), which
 * moves every block by its own constant and leaves a step at every border) nor in the gradient norm (the correction of
 * least gradient energy: piecewise quadratic, steepest at the borders). On bicubic upsamplings of eight scikit-image
 * pictures (astronaut, chelsea, coffee, rocket, brick, grass, gravel, page; area-downsampled by 4) the grid ratio
 * (Quality.gridRatio) after this step is 1.13 on average, after the least-gradient correction 1.29, after the
 * blockwise step 1.86, bicubic alone 1.06, the true images 1.01; PSNR 25.20 dB, 25.22, 25.17, 24.94. A residual that
 * alternates from block to block still needs a correction that alternates with period 2f, steepest at the borders
 * in any basis centred on the blocks; what the step cannot do is remove a grid the decoder left.
 * Python twin: {@code models/ldm_models/consistency.py: project}, used by {@code models/evaluate.py} (of the unweighted
 * correction; the weighted one, {@link #enforce(FloatPlanes, FloatPlanes, int, FloatPlanes)}, has none).
 */
public final class Consistency {

	/** K's triangle (box * box) passes: the B-spline of degree 2 · PASSES − 1. */
	static final int PASSES = 3;
	/** CG stops when the residual's norm is this fraction of the first one (or after {@link #MAX_ITERATIONS}). */
	static final double TOLERANCE = 1e-6;
	/** Far above the ~110 iterations the condition-number bound needs for {@link #TOLERANCE}. */
	static final int MAX_ITERATIONS = 500;

	private Consistency() {}

	/** Makes {@code high} (C × fH × fW) reproduce {@code low} (C × H × W) under the f × f area average, in place. */
	public static void enforce(FloatPlanes high, FloatPlanes low, int f) {
		requireMatch(high, low, f);
		int w = high.width(), h = high.height(), n = w * h;
		double[] k = splineKernel(f), g = lowKernel(f);
		float[] c = new float[n];
		for (int ch = 0; ch < high.channels(); ch++) {
			float[] x = high.channel(ch).data(), y = low.channel(ch).data();
			float[] lambda = solve(blockResidual(x, y, w, h, f), w / f, h / f, g);
			for (int p = 0; p < n; p++) c[p] = lambda[(p / w / f) * (w / f) + (p % w) / f];
			convolve(c, w, h, k);
			for (int p = 0; p < n; p++) x[p] += c[p];
			// the last plain step: the block means' rounding error
			float[] r = blockResidual(x, y, w, h, f);
			for (int p = 0; p < n; p++) x[p] += r[(p / w / f) * (w / f) + (p % w) / f];
			System.arraycopy(x, 0, high.data(), ch * n, n);
		}
	}

	/**
	 * The same with the correction placed where {@code weight} (C × fH × fW, positive) is large: with D = diag(weight),
	 * <pre>
	 *   c = D K D R λ,   (A D K D R) λ = r = y − A(x),
	 * </pre>
	 * the correction of least ⟨c, (D K D)⁺ c⟩ that satisfies the constraint: the conditional mean, given A(x + c) = y,
	 * of a Gaussian error of covariance D K D about x (the Kalman update with an exact observation). With D = I it is
	 * {@link #enforce(FloatPlanes, FloatPlanes, int)}. A D K D R is symmetric positive definite: conjugate gradients,
	 * one high-resolution convolution by K per iteration, preconditioned by M = E⁻¹ (A K R)⁻¹ E⁻¹ with E the diagonal
	 * that gives E (A K R) E the diagonal of A D K D R (exact where D is constant over K's reach). A K R is separable
	 * (g along x, then along y, mirrored), so its inverse is a banded Cholesky solve ({@link BandedCholesky}) along each
	 * row and column. Null weights: the unweighted correction.
	 */
	public static void enforce(FloatPlanes high, FloatPlanes low, int f, FloatPlanes weight) {
		if (weight == null) {
			enforce(high, low, f);
			return;
		}
		requireMatch(high, low, f);
		weight.requireSameSize(high);
		int w = high.width(), n = w * high.height(), lw = low.width(), lh = low.height();
		double[] k = splineKernel(f), g = lowKernel(f);
		BandedCholesky rows = lowMatrix(lw, g), columns = lowMatrix(lh, g);
		float[] u = new float[n];
		for (int ch = 0; ch < high.channels(); ch++) {
			float[] x = high.channel(ch).data(), y = low.channel(ch).data(), d = weight.channel(ch).data();
			float[] r = blockResidual(x, y, w, high.height(), f);
			double[] b = new double[r.length], scale = blockDiagonal(d, w, f, k);
			for (int i = 0; i < r.length; i++) {
				b[i] = r[i];
				scale[i] = Math.sqrt(scale[i] / (lowEntry(g, i % lw, i % lw, lw) * lowEntry(g, i / lw, i / lw, lh)));
			}
			double[] lambda = ConjugateGradients.solve((in, out) -> {
				weightedSpline(in, d, u, w, f, k);
				Arrays.fill(out, 0);
				for (int p = 0; p < n; p++) out[(p / w / f) * lw + (p % w) / f] += u[p];
				for (int i = 0; i < out.length; i++) out[i] /= f * f;
			}, b, (in, out) -> {
				for (int i = 0; i < in.length; i++) out[i] = in[i] / scale[i];
				for (int by = 0; by < lh; by++) rows.solve(out, by * lw, 1);
				for (int bx = 0; bx < lw; bx++) columns.solve(out, bx, lw);
				for (int i = 0; i < in.length; i++) out[i] /= scale[i];
			}, TOLERANCE, MAX_ITERATIONS);
			weightedSpline(lambda, d, u, w, f, k);
			for (int p = 0; p < n; p++) x[p] += u[p];
			float[] rest = blockResidual(x, y, w, high.height(), f); // the block means' rounding error
			for (int p = 0; p < n; p++) x[p] += rest[(p / w / f) * lw + (p % w) / f];
			System.arraycopy(x, 0, high.data(), ch * n, n);
		}
	}

	/** The 1-D mirrored convolution by g on n samples as a banded matrix, factorised. */
	private static BandedCholesky lowMatrix(int n, double[] g) {
		return new BandedCholesky(n, Math.min(n - 1, g.length - 1), (i, j) -> lowEntry(g, i, j, n));
	}

	/** Entry (i, j) of the 1-D mirrored convolution by g (odd length, centred) on n samples: the weight of u_j in (g * u)_i. */
	private static double lowEntry(double[] g, int i, int j, int n) {
		double s = 0;
		int r = g.length / 2;
		for (int t = 0; t < g.length; t++) if (mirror(i + t - r, n) == j) s += g[t];
		return s;
	}

	/** u ← D K D R λ for one plane (w wide). */
	private static void weightedSpline(double[] lambda, float[] d, float[] u, int w, int f, double[] k) {
		int lw = w / f;
		for (int p = 0; p < u.length; p++) u[p] = (float) (d[p] * lambda[(p / w / f) * lw + (p % w) / f]);
		convolve(u, w, u.length / w, k);
		for (int p = 0; p < u.length; p++) u[p] *= d[p];
	}

	/** The diagonal of A D K D R: (1/f²) Σ_{p,q in block b} d_p K_pq d_q, K_pq = k[Δy] k[Δx] (centred taps). */
	private static double[] blockDiagonal(float[] d, int w, int f, double[] k) {
		int lw = w / f, lh = d.length / w / f, c = k.length / 2;
		double[] out = new double[lw * lh];
		for (int by = 0; by < lh; by++)
			for (int bx = 0; bx < lw; bx++) {
				double sum = 0;
				for (int p = 0; p < f * f; p++)
					for (int q = 0; q < f * f; q++)
						sum += d[(by * f + p / f) * w + bx * f + p % f] * d[(by * f + q / f) * w + bx * f + q % f]
							* k[c + p / f - q / f] * k[c + p % f - q % f];
				out[by * lw + bx] = sum / (f * f);
			}
		return out;
	}

	/** {@code high} (C × fH × fW) and {@code low} (C × H × W) match under the factor f. */
	static void requireMatch(FloatPlanes high, FloatPlanes low, int f) {
		int w = high.width(), h = high.height();
		if (w != low.width() * f || h != low.height() * f || high.channels() != low.channels())
			throw new IllegalArgumentException("the result is " + high.channels() + "x" + h + "x" + w + " but the input "
				+ low.channels() + "x" + low.height() + "x" + low.width() + " times " + f + ": they must match");
	}

	/** λ with (A K R) λ = r on the lw × lh grid: CG with the mirrored separable convolution by g. */
	static float[] solve(float[] r, int lw, int lh, double[] g) {
		int n = r.length;
		float[] plane = new float[n];
		double[] b = new double[n];
		for (int p = 0; p < n; p++) b[p] = r[p];
		double[] lambda = ConjugateGradients.solve((in, out) -> {
			for (int p = 0; p < n; p++) plane[p] = (float) in[p];
			convolve(plane, lw, lh, g);
			for (int p = 0; p < n; p++) out[p] = plane[p];
		}, b, null, TOLERANCE, MAX_ITERATIONS);
		float[] out = new float[n];
		for (int p = 0; p < n; p++) out[p] = (float) lambda[p];
		return out;
	}

	/** K's 1-D taps: the f-tap box convolved 2 · {@link #PASSES} times, normalised to sum 1. */
	static double[] splineKernel(int f) {
		double[] k = {1};
		for (int pass = 0; pass < 2 * PASSES; pass++) {
			double[] next = new double[k.length + f - 1];
			for (int i = 0; i < k.length; i++)
				for (int j = 0; j < f; j++) next[i + j] += k[i] / f;
			k = next;
		}
		return k;
	}

	/** The 1-D taps of A K R at low resolution: g[d] = (1/f) Σ_{a,b&lt;f} k[df + b − a]. */
	static double[] lowKernel(int f) {
		double[] k = splineKernel(f);
		int r = k.length / 2, lr = (r + f - 1) / f;
		double[] g = new double[2 * lr + 1];
		for (int d = -lr; d <= lr; d++)
			for (int a = 0; a < f; a++)
				for (int b = 0; b < f; b++) {
					int t = d * f + b - a + r;
					if (t >= 0 && t < k.length) g[d + lr] += k[t] / f;
				}
		return g;
	}

	/** u ← u convolved with the symmetric taps k along x, then along y, mirrored (half-sample symmetric) at the edges. */
	static void convolve(float[] u, int w, int h, double[] k) {
		int r = k.length / 2;
		float[] line = new float[Math.max(w, h) + 2 * r];
		for (int y = 0; y < h; y++) {
			for (int i = -r; i < w + r; i++) line[i + r] = u[y * w + mirror(i, w)];
			for (int x = 0; x < w; x++) u[y * w + x] = (float) tap(line, x, k);
		}
		for (int x = 0; x < w; x++) {
			for (int i = -r; i < h + r; i++) line[i + r] = u[mirror(i, h) * w + x];
			for (int y = 0; y < h; y++) u[y * w + x] = (float) tap(line, y, k);
		}
	}

	private static double tap(float[] line, int at, double[] k) {
		double s = 0;
		for (int t = 0; t < k.length; t++) s += k[t] * line[at + t];
		return s;
	}

	/** The index i reflected into [0, n) about the half-sample points −½ and n − ½ (any i, any n ≥ 1). */
	private static int mirror(int i, int n) {
		int m = Math.floorMod(i, 2 * n);
		return m < n ? m : 2 * n - 1 - m;
	}

	/** y − A(x) for one plane (w × h high, (w/f) × (h/f) low), in double before the float result. */
	private static float[] blockResidual(float[] x, float[] y, int w, int h, int f) {
		int lw = w / f;
		float[] r = new float[y.length];
		for (int by = 0; by < h / f; by++)
			for (int bx = 0; bx < lw; bx++) {
				double sum = 0;
				for (int j = 0; j < f; j++)
					for (int i = 0; i < f; i++) sum += x[(by * f + j) * w + bx * f + i];
				r[by * lw + bx] = (float) (y[by * lw + bx] - sum / (f * f));
			}
		return r;
	}

	/** y − A(x), with A the f × f area average. */
	static FloatPlanes residual(FloatPlanes high, FloatPlanes low, int f) {
		FloatPlanes r = areaDownsample(high, f);
		for (int c = 0; c < low.channels(); c++)
			for (int y = 0; y < low.height(); y++)
				for (int x = 0; x < low.width(); x++) r.set(c, y, x, low.get(c, y, x) - r.get(c, y, x));
		return r;
	}

	/** The f × f area average (what "area-downsampled by f" means throughout this project). */
	public static FloatPlanes areaDownsample(FloatPlanes high, int f) {
		int h = high.height() / f, w = high.width() / f;
		FloatPlanes out = FloatPlanes.zeros(high.channels(), h, w);
		for (int c = 0; c < high.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					double sum = 0;
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) sum += high.get(c, y * f + j, x * f + i);
					out.set(c, y, x, (float) (sum / (f * f)));
				}
		return out;
	}
}
