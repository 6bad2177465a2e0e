package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import org.ldmfiji.image.ValueMap;

import java.util.Arrays;
import java.util.List;

/**
 * The block means that an integer input stands for: a pixel y of an integer type is the rounding of a true f × f mean
 * somewhere in [y − ½, y + ½] (a level), and where the image is smooth at the scale of a level (a sky, a wallpaper's
 * gradient, a dim background: plateaus of one level with steps between them) the smoothest means within those
 * intervals are much nearer the truth than the plateaus. Super-resolution is made consistent with these means instead
 * of y itself ({@link Consistency}), and the model sees them.
 * <p>
 * With z the low-resolution image and ℓ one level (in its units), the result is
 * <pre>
 *   z° = argmin Σ (z_xx² + 2 z_xy² + z_yy²)   subject to   |z − y| ≤ ℓ s / 2,     z* = y + κ (z° − y)
 * </pre>
 * the thin-plate energy (second differences inside the image) under a box constraint, by FISTA (Beck &amp; Teboulle
 * 2009: projected gradient steps 1/L with Nesterov's momentum; L = 128 bounds twice the largest eigenvalue of the
 * squared Laplacian). s ∈ [0, 1] is the local smoothness at the level's scale: with r the RMS of y's 5-point Laplacian
 * over a {@link #WINDOW}² window, in levels, s = 1 for r ≤ {@link #SMOOTH}, 0 for r ≥ {@link #TEXTURED}, linear
 * between. A textured region's means are as likely anywhere in their interval (the centre, y, is their mean), and
 * the thin-plate energy would push each of them to a bound. κ = {@link #SHARE} takes z° part of the way from y:
 * where z° lies on a bound (a contour's block), rounding the stored result there is a coin toss, and within 3/8 of a
 * level of y its block means round back to y but for the mean of their pixels' rounding errors. (An interval shrunk
 * instead, ±15/32, makes the problem ill-posed on a slow ramp: two plateaus' bounds no longer meet, the minimiser
 * must step at every level change, and FISTA drifted to an RMS error of 0.55 levels from the ramp, more than the
 * plateaus' 0.29.)
 * <p>
 * Chosen on the real-image evaluation's crops elsewhere in the images (evaluate_real.py {@code --at}, the 8-bit and
 * RGB images; the smooth consistent interpolation of the means, rounded): against the plateaus, mean gain over
 * bicubic +0.270 → +0.305 dB and worst −1.15 → −0.75 dB ({@code --at 0.15,0.85}), +0.295 → +0.299 on the table's
 * crops, +0.350 → +0.354 and worst −0.25 → −0.17 ({@code --at 0.85,0.15}). κ from 1/2 to 7/8 gives the same within
 * 0.01 dB on average; κ = 1 lost 0.03 dB and its worst image 0.6 dB; s = 1 everywhere lost up to 0.33 dB on a wood
 * texture (models/demo/EVALUATION.md, session 28).
 */
public final class Dequantisation {

	/** How far the means go from y toward the smoothest ones. */
	static final double SHARE = 0.75;
	/** Local RMS Laplacian (levels) up to which the means are free within the whole interval. */
	static final double SMOOTH = 2;
	/** Local RMS Laplacian (levels) from which the means stay as they are. */
	static final double TEXTURED = 4;
	/** Side of the window of the smoothness measure (px of the input). */
	static final int WINDOW = 5;
	/** FISTA iterations at most; it stops earlier when no value moves by more than {@link #TOLERANCE} levels. */
	static final int MAX_ITERATIONS = 1000;
	static final double TOLERANCE = 1e-4;
	/** Lipschitz constant of the energy's gradient: 2 · max |Laplacian symbol|² = 2 · 8². */
	private static final double LIPSCHITZ = 128;

	private Dequantisation() {}

	/**
	 * Replaces {@code x} (C × H × W, the model's units) by the means that the values of an integer type stand for:
	 * within a level, within the model's range and the type's, the type's least and largest values kept.
	 *
	 * @param toModel per channel, the map from the source's values to the model's units
	 * @param typeRange the least and largest value the type stores
	 * @param modelRange the model's image range
	 * @return s per pixel and channel (C × H × W): how smooth x is at the scale of a level ({@link #smoothShare})
	 */
	public static FloatPlanes ofType(FloatPlanes x, List<ValueMap> toModel, double[] typeRange, double[] modelRange) {
		int c = toModel.size();
		double[] level = new double[c], lo = new double[c], hi = new double[c];
		for (int k = 0; k < c; k++) {
			ValueMap map = toModel.get(k);
			double a = map.forward(typeRange[0]), b = map.forward(typeRange[1]);
			level[k] = Math.abs(map.forward(1) - map.forward(0));
			lo[k] = Math.max(modelRange[0], Math.min(a, b));
			hi[k] = Math.min(modelRange[1], Math.max(a, b));
		}
		return apply(x, level, lo, hi);
	}

	/**
	 * Replaces {@code y} (C × H × W) by the smoothest means within its rounding intervals, in place.
	 *
	 * @param level per channel, one level of the integer type in y's units; 0 leaves the channel as it is
	 * @param lo per channel, the least value a mean may take: the larger of the model's range's bottom and the type's
	 *           least value; a value at or below it stays as it is (black stays black; below the model's range, an
	 *           outlier of a percentile normalisation, {@link OutOfRange})
	 * @param hi the same at the top (a saturated pixel's mean is not within a level of it: it stays saturated)
	 * @return s of every channel (0 where the level is 0)
	 */
	static FloatPlanes apply(FloatPlanes y, double[] level, double[] lo, double[] hi) {
		int w = y.width(), h = y.height(), n = w * h;
		FloatPlanes smooth = FloatPlanes.zeros(y.channels(), h, w);
		for (int c = 0; c < y.channels(); c++) {
			if (!(level[c] > 0)) continue;
			float[] d = y.data();
			double[] y0 = new double[n], below = new double[n], above = new double[n];
			for (int i = 0; i < n; i++) y0[i] = d[c * n + i];
			float[] share = smoothShare(y0, w, h, level[c]);
			System.arraycopy(share, 0, smooth.data(), c * n, n);
			for (int i = 0; i < n; i++) {
				boolean kept = y0[i] <= lo[c] || y0[i] >= hi[c];
				double delta = level[c] * share[i] / 2;
				below[i] = kept ? y0[i] : Math.max(lo[c], y0[i] - delta);
				above[i] = kept ? y0[i] : Math.min(hi[c], y0[i] + delta);
			}
			double[] z = minimise(y0, below, above, w, h, TOLERANCE * level[c]);
			for (int i = 0; i < n; i++) d[c * n + i] = (float) (y0[i] + SHARE * (z[i] - y0[i]));
		}
		return smooth;
	}

	/** s per pixel: 1 where y is smooth at the scale of a level, 0 where it is textured (see the class comment). */
	static float[] smoothShare(double[] y, int w, int h, double level) {
		float[] r = new float[w * h];
		for (int py = 0; py < h; py++)
			for (int px = 0; px < w; px++) {
				int i = py * w + px;
				double lap = y[py * w + Math.max(px - 1, 0)] + y[py * w + Math.min(px + 1, w - 1)]
					+ y[Math.max(py - 1, 0) * w + px] + y[Math.min(py + 1, h - 1) * w + px] - 4 * y[i];
				r[i] = (float) (lap * lap / (level * level));
			}
		double[] box = new double[WINDOW];
		Arrays.fill(box, 1.0 / WINDOW);
		Consistency.convolve(r, w, h, box);
		for (int i = 0; i < r.length; i++) {
			double rms = Math.sqrt(Math.max(0, r[i]));
			r[i] = (float) Math.max(0, Math.min(1, (TEXTURED - rms) / (TEXTURED - SMOOTH)));
		}
		return r;
	}

	/** FISTA for the thin-plate energy within [lo, hi], from z = y. */
	private static double[] minimise(double[] y, double[] lo, double[] hi, int w, int h, double tolerance) {
		int n = w * h;
		double[] z = y.clone(), v = y.clone(), g = new double[n], prev = new double[n];
		double t = 1;
		for (int it = 0; it < MAX_ITERATIONS; it++) {
			gradient(v, g, w, h);
			System.arraycopy(z, 0, prev, 0, n);
			double moved = 0;
			for (int i = 0; i < n; i++) {
				z[i] = Math.max(lo[i], Math.min(hi[i], v[i] - g[i] / LIPSCHITZ));
				moved = Math.max(moved, Math.abs(z[i] - prev[i]));
			}
			if (moved <= tolerance) break;
			double next = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
			for (int i = 0; i < n; i++) v[i] = z[i] + (t - 1) / next * (z[i] - prev[i]);
			t = next;
		}
		return z;
	}

	/** g = ∇ Σ (z_xx² + 2 z_xy² + z_yy²), the differences taken inside the image. */
	static void gradient(double[] z, double[] g, int w, int h) {
		Arrays.fill(g, 0);
		for (int y = 0; y < h; y++)
			for (int x = 0; x + 2 < w; x++) {
				int i = y * w + x;
				double e = z[i] - 2 * z[i + 1] + z[i + 2];
				g[i] += 2 * e;
				g[i + 1] -= 4 * e;
				g[i + 2] += 2 * e;
			}
		for (int y = 0; y + 2 < h; y++)
			for (int x = 0; x < w; x++) {
				int i = y * w + x;
				double e = z[i] - 2 * z[i + w] + z[i + 2 * w];
				g[i] += 2 * e;
				g[i + w] -= 4 * e;
				g[i + 2 * w] += 2 * e;
			}
		for (int y = 0; y + 1 < h; y++)
			for (int x = 0; x + 1 < w; x++) {
				int i = y * w + x;
				double e = z[i] - z[i + 1] - z[i + w] + z[i + w + 1];
				g[i] += 4 * e;
				g[i + 1] -= 4 * e;
				g[i + w] -= 4 * e;
				g[i + w + 1] += 4 * e;
			}
	}
}
