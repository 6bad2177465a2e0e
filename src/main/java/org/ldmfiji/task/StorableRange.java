package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ValueMap;

import java.util.Arrays;
import java.util.List;

/**
 * The values a super-resolved result can store, in the model's units, one interval [lo_c, hi_c] per model channel: an
 * integer output type's min and max through the channel's value map (8-bit: the model's whole range); no bound for a
 * float output.
 * <p>
 * Why it matters: writing clamps to the type, and a consistent result that leaves the type's range does not stay
 * consistent once clamped. On a black background (input blocks of 0) the smooth correction ({@link Consistency})
 * makes every block average exactly 0 with values scattered around it; clamping the negative ones raised the block
 * means (8-bit night-time satellite crop, 256 px: 18 % of the pixels of the all-black blocks non-zero, up to 13, the
 * area average off the input by up to 1.5 levels, grid ratio 1.10 from the speckle).
 * <p>
 * {@link #project} finds a result that is consistent and within the bounds: alternating projections (POCS, Youla
 * &amp; Webb 1982) between the box lo ≤ x ≤ hi (clamping) and the consistent images (the smooth correction),
 * {@link #ROUNDS} rounds, then the per-block projection for what is left (each f × f block still outside becomes
 * clamp(x + μ, lo, hi) with μ such that its mean is the input's: the L2 projection onto that block's constraint).
 * The block step alone would be exact but leaves a step at the border of every block it moves (the same crop: grid
 * 1.17); after 20 rounds what it moves is below one 8-bit level (grid 1.02; at 512 px 1.08 → 1.02). Both sets are
 * convex and the true image lies in both (up to the rounding of its stored input), so they meet.
 * <p>
 * A result whose blocks will get an input's dark excess added back last ({@link OutOfRange#addEven}: x + R e)
 * is projected with its bounds shifted by that excess block by block ({@link #lessExcess}), so that the sum is the one
 * that stays storable: a 16-bit block of missing data at 0, below the 0.1 % percentile, comes out at 0. A bright
 * excess is added before the projection ({@link OutOfRange#addBright}), which brings it within the bounds with the
 * rest: a 16-bit block saturated at 65535 above the 99.9 % percentile is flat at 65535, not a block whose pixels
 * above the percentile's value get clamped when written while one below it stays (one pixel 211 levels dark in each
 * saturated block of a 16-bit fluorescence field before).
 */
public final class StorableRange {

	/** Rounds of alternating projections before the exact block step. */
	static final int ROUNDS = 20;

	private final double[] lo, hi;
	/** C × H × W at the input's resolution: subtracted from both bounds of each f × f block; null for none. */
	private final FloatPlanes shift;

	private StorableRange(double[] lo, double[] hi) {
		this(lo, hi, null);
	}

	private StorableRange(double[] lo, double[] hi, FloatPlanes shift) {
		this.lo = lo;
		this.hi = hi;
		this.shift = shift;
	}

	/**
	 * The bounds of the part of a result to which {@code excess} (C × H × W, one value per f × f block; null for none)
	 * is added afterwards: [lo − e, hi − e] on each block.
	 */
	StorableRange lessExcess(FloatPlanes excess) {
		return excess == null ? this : new StorableRange(lo, hi, excess);
	}

	/** No bound on any of {@code channels} channels (a float output). */
	static StorableRange unbounded(int channels) {
		double[] lo = new double[channels], hi = new double[channels];
		Arrays.fill(lo, Double.NEGATIVE_INFINITY);
		Arrays.fill(hi, Double.POSITIVE_INFINITY);
		return new StorableRange(lo, hi);
	}

	/**
	 * The interval [typeMin, typeMax] through each channel's map into the model's units.
	 *
	 * @param typeRange the output type's min and max, or null for a float type (unbounded)
	 * @param maps one increasing map per channel (source values → the model's range)
	 */
	public static StorableRange of(double[] typeRange, List<ValueMap> maps) {
		if (typeRange == null) return unbounded(maps.size());
		double[] lo = new double[maps.size()], hi = new double[maps.size()];
		for (int c = 0; c < lo.length; c++) {
			lo[c] = maps.get(c).forward(typeRange[0]);
			hi[c] = maps.get(c).forward(typeRange[1]);
		}
		return new StorableRange(lo, hi);
	}

	/** The largest value channel c stores (+∞ for a float type). */
	double top(int c) {
		return hi[c];
	}

	/** Lower bounds as a C × 1 × 1 image (to follow a {@code ChannelMapping} like the pixels). */
	FloatPlanes lower() {
		return column(lo);
	}

	/** Upper bounds as a C × 1 × 1 image. */
	FloatPlanes upper() {
		return column(hi);
	}

	/** The same bounds lo … hi for each of {@code channels} channels (a type's range in the source's values). */
	static StorableRange of(double lo, double hi, int channels) {
		double[] l = new double[channels], h = new double[channels];
		Arrays.fill(l, lo);
		Arrays.fill(h, hi);
		return new StorableRange(l, h);
	}

	/** The bounds read back from {@link #lower} and {@link #upper} images (mapped to a model's channels). */
	static StorableRange of(FloatPlanes lower, FloatPlanes upper) {
		double[] lo = new double[lower.channels()], hi = new double[upper.channels()];
		for (int c = 0; c < lo.length; c++) {
			lo[c] = lower.get(c, 0, 0);
			hi[c] = upper.get(c, 0, 0);
		}
		return new StorableRange(lo, hi);
	}

	private static FloatPlanes column(double[] v) {
		FloatPlanes p = FloatPlanes.zeros(v.length, 1, 1);
		for (int c = 0; c < v.length; c++) p.set(c, 0, 0, (float) v[c]);
		return p;
	}

	private boolean bounded() {
		for (int c = 0; c < lo.length; c++) if (lo[c] > Double.NEGATIVE_INFINITY || hi[c] < Double.POSITIVE_INFINITY) return true;
		return false;
	}

	/** {@code high} (C × fH × fW, consistent with {@code low}) kept consistent and brought within the bounds, in place. */
	void project(FloatPlanes high, FloatPlanes low, int f) {
		if (high.channels() != lo.length) throw new IllegalArgumentException("bounds for " + lo.length
			+ " channel(s) but the result has " + high.channels());
		if (!bounded()) return;
		if (shift != null) shift.requireSameSize(low); // one excess per input pixel
		for (int round = 0; round < ROUNDS && clamp(high, f); round++) Consistency.enforce(high, low, f);
		projectBlocks(high, low, f);
	}

	/** The amount by which block (bx, by) of channel c has its bounds lowered. */
	private double shift(int c, int by, int bx) {
		return shift == null ? 0 : shift.get(c, by, bx);
	}

	/** Clamps every channel to its bounds; whether any value was outside. */
	private boolean clamp(FloatPlanes x, int f) {
		float[] d = x.data();
		int w = x.width(), h = x.height(), n = x.planeSize();
		boolean outside = false;
		for (int c = 0; c < lo.length; c++)
			for (int y = 0; y < h; y++)
				for (int i = 0; i < w; i++) {
					int p = c * n + y * w + i;
					double e = shift(c, y / f, i / f), l = lo[c] - e, u = hi[c] - e;
					if (d[p] >= l && d[p] <= u) continue;
					d[p] = (float) Math.max(l, Math.min(u, d[p]));
					outside = true;
				}
		return outside;
	}

	/** Each block with a value outside the bounds ← clamp(x + μ, lo, hi), μ by bisection so that its mean is y's. */
	private void projectBlocks(FloatPlanes high, FloatPlanes low, int f) {
		int w = high.width(), lw = low.width();
		float[] x = high.data();
		for (int c = 0; c < lo.length; c++)
			for (int by = 0; by < low.height(); by++)
				for (int bx = 0; bx < lw; bx++) {
					int base = c * high.planeSize() + by * f * w + bx * f;
					double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) {
							min = Math.min(min, x[base + j * w + i]);
							max = Math.max(max, x[base + j * w + i]);
						}
					double e = shift(c, by, bx), l = lo[c] - e, u = hi[c] - e;
					if (min >= l && max <= u) continue;
					double target = Math.max(l, Math.min(u, low.get(c, by, bx)));
					double a = l - max, b = u - min; // the block's mean is l at μ = a and u at μ = b
					for (int it = 0; it < 60 && b - a > 1e-9; it++) {
						double mu = 0.5 * (a + b);
						if (clampedMean(x, base, w, f, mu, l, u) < target) a = mu;
						else b = mu;
					}
					double mu = 0.5 * (a + b);
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) {
							int p = base + j * w + i;
							x[p] = (float) Math.max(l, Math.min(u, x[p] + mu));
						}
				}
	}

	private static double clampedMean(float[] x, int base, int w, int f, double mu, double l, double u) {
		double s = 0;
		for (int j = 0; j < f; j++)
			for (int i = 0; i < f; i++) s += Math.max(l, Math.min(u, x[base + j * w + i] + mu));
		return s / (f * f);
	}
}
