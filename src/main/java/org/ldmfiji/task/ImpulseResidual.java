package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import java.util.Arrays;

/**
 * The part of a super-resolved image's consistency residual that is an impulse, put back inside its own block before
 * the smooth correction ({@link Consistency}) takes the rest.
 * <p>
 * With r = y − A(x) the residual at the input's resolution, m the median of r over each block's 3 × 3 neighbourhood
 * and s 1.4826 times the median of |r − m| over its 5 × 5 neighbourhood (a robust spread, at least {@link #MIN_SPREAD}),
 * the impulsive part is r_i = r − clamp(r, m − T s, m + T s), T = {@link #THRESHOLD}. Each block with r_i ≠ 0 gets it
 * back over its own pixels, shaped by the image's own detail there: x_p ← x_p + r_i w_p / mean(w), w_p = x_p − min(x)
 * over the block for r_i &gt; 0 (max(x) − x_p for r_i &lt; 0; flat where the block is). The block's mean is then
 * y's up to r − r_i, which the smooth correction adds.
 * <p>
 * Why: exactness with a smooth kernel rings. Where the model spreads a point source (a star, a cosmic ray) over the
 * neighbouring blocks, the residual is a sharp peak ringed by a dip, and its smooth correction has negative lobes
 * that reach the sky two blocks away: a synthetic star field (models/validate_star_field.py) had its darkest pixel at
 * −199 counts in a sky of 100 ± 5, whatever the kernel (cubic B-spline −133, least-gradient −109), while the model's
 * own mean had 83. The block itself is where such a residual belongs: a point source is narrower than a block. With
 * this step: darkest −93, pixels below the truth's darkest 1345 → 957, gain over bicubic +1.77 → +2.08 dB (the rest
 * is the residual's dip around the star, within the threshold: T = 3 gives −84). On the 32 real images: the six 16-
 * and 32-bit ones with bright points −0.002 to +0.18 dB each, grid ratio +0.002 to +0.017, the others within 0.001;
 * mean gain +1.136 → +1.144 dB (models/demo/EVALUATION.md, session 19). Session 17's split of the input's impulses (seen by
 * the model clamped, added back flat) made those images worse: here the model sees everything and only the part of
 * the residual that the smooth correction would ring on is placed, in the shape the model gave.
 */
final class ImpulseResidual {

	/** Robust spreads beyond the neighbourhood's median from which a block's residual counts as an impulse. */
	static final double THRESHOLD = 6;
	/** The least spread, in the model's units (a range 2 wide): no impulse within a hundredth of the range's half. */
	static final double MIN_SPREAD = 0.01;

	private ImpulseResidual() {}

	/** Puts the impulsive part of y − A(x) into its own blocks of {@code high} (C × fH × fW), in place. */
	static void putBack(FloatPlanes high, FloatPlanes low, int f) {
		FloatPlanes r = low.copy();
		FloatPlanes down = Consistency.areaDownsample(high, f);
		for (int i = 0; i < r.data().length; i++) r.data()[i] -= down.data()[i];
		int lw = low.width(), lh = low.height(), w = high.width();
		for (int c = 0; c < low.channels(); c++) {
			float[] res = r.channel(c).data();
			float[] med = medians(res, lw, lh, 1), dev = new float[res.length];
			for (int i = 0; i < res.length; i++) dev[i] = Math.abs(res[i] - med[i]);
			float[] spread = medians(dev, lw, lh, 2);
			for (int by = 0; by < lh; by++)
				for (int bx = 0; bx < lw; bx++) {
					int k = by * lw + bx;
					double s = Math.max(MIN_SPREAD, 1.4826 * spread[k]), lo = med[k] - THRESHOLD * s, hi = med[k] + THRESHOLD * s;
					double impulse = res[k] - Math.max(lo, Math.min(hi, res[k]));
					if (impulse != 0) shapeInto(high, c, by * f * w + bx * f, w, f, impulse);
				}
		}
	}

	/** Adds {@code amount} on average to the f × f block at {@code base} of channel c, where its own detail is. */
	private static void shapeInto(FloatPlanes high, int c, int base, int w, int f, double amount) {
		float[] x = high.data();
		int off = c * high.planeSize() + base;
		double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
		for (int j = 0; j < f; j++)
			for (int i = 0; i < f; i++) {
				min = Math.min(min, x[off + j * w + i]);
				max = Math.max(max, x[off + j * w + i]);
			}
		double[] weight = new double[f * f];
		double sum = 0;
		for (int j = 0; j < f; j++)
			for (int i = 0; i < f; i++) {
				double v = x[off + j * w + i];
				sum += weight[j * f + i] = amount > 0 ? v - min : max - v;
			}
		if (!(sum > 0)) { // a flat block: flat
			Arrays.fill(weight, 1);
			sum = f * f;
		}
		double scale = amount * f * f / sum;
		for (int j = 0; j < f; j++)
			for (int i = 0; i < f; i++) x[off + j * w + i] += (float) (scale * weight[j * f + i]);
	}

	/** The median over each pixel's (2 radius + 1)² neighbourhood, the edges clamped. */
	private static float[] medians(float[] u, int w, int h, int radius) {
		float[] out = new float[u.length], window = new float[(2 * radius + 1) * (2 * radius + 1)];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				int n = 0;
				for (int dy = -radius; dy <= radius; dy++)
					for (int dx = -radius; dx <= radius; dx++)
						window[n++] = u[Math.max(0, Math.min(h - 1, y + dy)) * w + Math.max(0, Math.min(w - 1, x + dx))];
				Arrays.sort(window, 0, n);
				out[y * w + x] = window[n / 2];
			}
		return out;
	}
}
