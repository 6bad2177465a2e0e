package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import java.util.List;

/**
 * The part of a low-resolution input beyond the model's image range, kept out of the model and put back afterwards.
 * A percentile normalisation (16- and 32-bit images: 0.1 / 99.9 %) leaves some values outside [lo, hi] on purpose:
 * hot pixels, cosmic rays, missing-data blocks at 0 in an astronomy frame. A denoiser trained on [lo, hi] has never
 * seen such values as its condition; given them, it spreads them into wrong structure around them (on a 32-bit EIT
 * frame with a 4 × 4 block of zeros among values near 900, at −5 in the model's units: 2.3 dB below bicubic, nearly
 * all of it within 16 px of that block). So the input is split, y = clamp(y) + e, the model super-resolves clamp(y),
 * and e is added back within each f × f block ({@link #addExcess}), so the result reproduces y exactly under the area
 * average A: spreading it smoothly into the neighbouring blocks, as the consistency step would, puts it where it is
 * not. Values inside the range are untouched (8-bit and RGB images, normalised by their fixed range, never have an
 * excess).
 */
final class OutOfRange {

	/** clamp(y) into the range, what the model sees. */
	final FloatPlanes inRange;
	/** y − clamp(y): zero except at the values beyond the range; null when there are none. */
	private final FloatPlanes excess;
	/** y, the input as given. */
	private final FloatPlanes input;
	/** lo: the background that a bright excess stands on. */
	private final double bottom;

	private OutOfRange(FloatPlanes inRange, FloatPlanes excess, FloatPlanes input, double bottom) {
		this.inRange = inRange;
		this.excess = excess;
		this.input = input;
		this.bottom = bottom;
	}

	/** Splits {@code low} (C × H × W) at {@code range} = [lo, hi]; {@code low} is not modified. */
	static OutOfRange split(FloatPlanes low, double[] range) {
		float[] d = low.data();
		boolean any = false;
		for (float v : d) any |= v < range[0] || v > range[1];
		if (!any) return new OutOfRange(low, null, low, range[0]);
		FloatPlanes in = low.copy(), e = FloatPlanes.zeros(low.channels(), low.height(), low.width());
		float[] ind = in.data(), ed = e.data();
		for (int i = 0; i < d.length; i++) {
			ind[i] = (float) Math.max(range[0], Math.min(range[1], d[i]));
			ed[i] = d[i] - ind[i];
		}
		return new OutOfRange(in, e, low, range[0]);
	}

	/**
	 * The dark part of e, min(e, 0), one value per input pixel, or null when the input has none below the range: what
	 * {@link #addExcess} adds evenly over a block, so that bounds on the rest can be lowered by it
	 * ({@link StorableRange#lessExcess}). A bright excess is added in the result's own shape and kept within the bounds
	 * there.
	 */
	FloatPlanes evenExcess() {
		if (excess == null) return null;
		FloatPlanes dark = excess.copy();
		float[] d = dark.data();
		boolean any = false;
		for (int i = 0; i < d.length; i++) {
			d[i] = Math.min(0, d[i]);
			any |= d[i] < 0;
		}
		return any ? dark : null;
	}

	/**
	 * Each sample x ← x + E, the same E for all (their spread, the standard-deviation map, is unchanged): in each f × f
	 * block E = e w, w ≥ 0 of mean 1 in the block, so A(x) gains e exactly. A dark excess (e < 0: missing data, a dead
	 * pixel) is spread evenly, w = 1, the least-squares estimate of an excess whose place in its block is unknown. A
	 * bright one (e > 0: the peak of a star or a fluorescent spot above the range, a cosmic ray) follows the profile of
	 * the samples' mean m above the range's bottom lo, w = (m − lo) / (A(m) − lo): the multiplicative correction of a
	 * positive signal on a background at lo, m − lo ← (m − lo)(y − lo) / (A(m) − lo), so a point source keeps the peak
	 * the model gave it instead of becoming a plateau with a step at every border of its block
	 * ({@code validate_star_field.py}). A smooth bright region changes little against an even excess: its profile
	 * varies little against its height above lo. With {@code consistency}, a block that m + E would take beyond
	 * {@code storable} is brought back within it, keeping its mean ({@link StorableRange#keepBlocks}).
	 */
	void addExcess(List<FloatPlanes> samples, int f, boolean consistency, StorableRange storable) {
		if (excess == null) return;
		FloatPlanes mean = SampleStatistics.mean(samples);
		int w = mean.width(), h = mean.height(), lw = excess.width(), lh = excess.height();
		if (w != lw * f || h != lh * f || mean.channels() != excess.channels())
			throw new IllegalArgumentException("the result is " + mean.channels() + "x" + h + "x" + w + " but the input "
				+ excess.channels() + "x" + lh + "x" + lw + " times " + f + ": they must match");
		FloatPlanes target = mean.copy();
		float[] x = target.data(), e = excess.data();
		double[] weight = new double[f * f];
		for (int c = 0; c < target.channels(); c++)
			for (int by = 0; by < lh; by++)
				for (int bx = 0; bx < lw; bx++) {
					float ex = e[(c * lh + by) * lw + bx];
					if (ex == 0) continue;
					int base = (c * h + by * f) * w + bx * f;
					weights(x, base, w, f, ex > 0, weight);
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) x[base + j * w + i] += (float) (ex * weight[j * f + i]);
				}
		if (consistency) storable.keepBlocks(target, input, f, excess);
		float[] m = mean.data();
		for (FloatPlanes s : samples) {
			float[] d = s.data();
			for (int i = 0; i < d.length; i++) d[i] += x[i] - m[i];
		}
	}

	/** The block's weights (mean 1): (x − lo) / (A(x) − lo) for a bright excess, else (or on a block at lo) 1. */
	private void weights(float[] x, int base, int w, int f, boolean bright, double[] weight) {
		double sum = 0;
		for (int j = 0; j < f; j++)
			for (int i = 0; i < f; i++) sum += weight[j * f + i] = Math.max(0, x[base + j * w + i] - bottom);
		boolean even = !bright || !(sum > 1e-6 * f * f);
		for (int k = 0; k < weight.length; k++) weight[k] = even ? 1 : weight[k] * weight.length / sum;
	}
}
