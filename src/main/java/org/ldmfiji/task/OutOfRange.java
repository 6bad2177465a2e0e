package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

import java.util.List;

/**
 * The part of a low-resolution input beyond the model's image range, kept out of the model and put back afterwards.
 * A percentile normalisation (16- and 32-bit images: 0.1 / 99.9 %) leaves some values outside [lo, hi] on purpose:
 * hot pixels, cosmic rays, the peaks of the brightest stars or spots, missing-data blocks at 0 in an astronomy frame.
 * A denoiser trained on [lo, hi] has never seen such values as its condition; given them, it spreads them into wrong
 * structure around them (on a 32-bit EIT frame with a 4 × 4 block of zeros among values near 900, at −5 in the
 * model's units: 2.3 dB below bicubic, nearly all of it within 16 px of that block). So the input is split, y =
 * clamp(y) + e, the model super-resolves clamp(y), and e is added back within each f × f block, so the result
 * reproduces y exactly under the area average A: a bright excess in the shape of the result ({@link #addBright}), a
 * dark (or absurdly bright) one evenly ({@link #addEven}). Values inside the range are untouched (8-bit and RGB images
 * normalised by their fixed range never have an excess; a dim one, normalised by its percentiles, may).
 */
final class OutOfRange {

	/**
	 * The largest excess (in the model's units, half the input's range) added in the result's shape: beyond it, a value
	 * no image holds beside its 0.1-99.9 % range (a hostile 3·10^38 in a 32-bit file) is added evenly, last, so that
	 * no smoothing step sums such values into infinity.
	 */
	static final double SHAPED_LIMIT = 1e12;

	/** clamp(y) into the range, what the model sees. */
	final FloatPlanes inRange;
	/** y − clamp(y): zero except at the values beyond the range; null when there are none. */
	private final FloatPlanes excess;
	/** lo: the background that a bright excess stands on. */
	private final double bottom;

	private OutOfRange(FloatPlanes inRange, FloatPlanes excess, double bottom) {
		this.inRange = inRange;
		this.excess = excess;
		this.bottom = bottom;
	}

	/** Splits {@code low} (C × H × W) at {@code range} = [lo, hi]; {@code low} is not modified. */
	static OutOfRange split(FloatPlanes low, double[] range) {
		float[] d = low.data();
		boolean any = false;
		for (float v : d) any |= v < range[0] || v > range[1];
		if (!any) return new OutOfRange(low, null, range[0]);
		FloatPlanes in = low.copy(), e = FloatPlanes.zeros(low.channels(), low.height(), low.width());
		float[] ind = in.data(), ed = e.data();
		for (int i = 0; i < d.length; i++) {
			ind[i] = (float) Math.max(range[0], Math.min(range[1], d[i]));
			ed[i] = d[i] - ind[i];
		}
		return new OutOfRange(in, e, range[0]);
	}

	/** y with only its even excess clamped: what the result averages to once {@link #addBright} is done. */
	FloatPlanes withBright() {
		return excess == null ? inRange : sum(inRange, excess, true);
	}

	/** Whether an excess goes back in the result's shape ({@link #addBright}), not evenly. */
	private static boolean shaped(float e) {
		return e > 0 && e <= SHAPED_LIMIT;
	}

	/**
	 * The part of e added evenly (dark, or beyond {@link #SHAPED_LIMIT}), one value per input pixel, or null when the
	 * input has none: what {@link #addEven} adds at the end, so that bounds on the rest can be shifted by it
	 * ({@link StorableRange#lessExcess}).
	 */
	FloatPlanes evenExcess() {
		if (excess == null) return null;
		FloatPlanes even = sum(FloatPlanes.zeros(excess.channels(), excess.height(), excess.width()), excess, false);
		for (float v : even.data()) if (v != 0) return even;
		return null;
	}

	/** base + the shaped or the even part of e. */
	private static FloatPlanes sum(FloatPlanes base, FloatPlanes e, boolean shapedPart) {
		FloatPlanes out = base.copy();
		float[] d = out.data(), x = e.data();
		for (int i = 0; i < d.length; i++) if (shaped(x[i]) == shapedPart) d[i] += x[i];
		return out;
	}

	/**
	 * Each sample x ← x + E for the bright excess (e > 0: the peak of a star or a fluorescent spot above the range, a
	 * cosmic ray), the same E for all (their spread, the standard-deviation map, is unchanged): in each f × f block
	 * E = e w, w = (m − lo) / (A(m) − lo) from the samples' mean m (mean 1 in the block, so A(x) gains e exactly). That
	 * is the multiplicative correction of a positive signal on a background at lo, m − lo ← (m − lo)(y − lo) / (A(m) −
	 * lo): a point source keeps the peak the model gave it instead of becoming a plateau with a step at every border of
	 * its block ({@code validate_star_field.py}). A smooth bright region changes little against an even excess: its
	 * profile varies little against its height above lo.
	 */
	void addBright(List<FloatPlanes> samples, int f) {
		if (excess == null) return;
		FloatPlanes mean = SampleStatistics.mean(samples);
		Consistency.requireMatch(mean, excess, f);
		int w = mean.width(), h = mean.height(), lw = excess.width(), lh = excess.height();
		float[] m = mean.data(), e = excess.data();
		float[] add = new float[m.length];
		double[] weight = new double[f * f];
		for (int c = 0; c < mean.channels(); c++)
			for (int by = 0; by < lh; by++)
				for (int bx = 0; bx < lw; bx++) {
					float ex = e[(c * lh + by) * lw + bx];
					if (!shaped(ex)) continue;
					int base = (c * h + by * f) * w + bx * f;
					weights(m, base, w, f, weight);
					for (int j = 0; j < f; j++)
						for (int i = 0; i < f; i++) add[base + j * w + i] = (float) (ex * weight[j * f + i]);
				}
		for (FloatPlanes s : samples) {
			float[] d = s.data();
			for (int i = 0; i < d.length; i++) d[i] += add[i];
		}
	}

	/**
	 * Each sample x ← x + R e for the even part of e ({@link #evenExcess}): a dark excess (missing data, a dead pixel)
	 * replicated over its block, the least-squares estimate of an excess whose place in its block is unknown.
	 */
	void addEven(List<FloatPlanes> samples, int f) {
		FloatPlanes dark = evenExcess();
		if (dark == null) return;
		for (FloatPlanes s : samples) {
			Consistency.requireMatch(s, dark, f);
			float[] x = s.data(), e = dark.data();
			int w = s.width(), h = s.height(), lw = dark.width();
			for (int c = 0; c < s.channels(); c++)
				for (int y = 0; y < h; y++)
					for (int i = 0; i < w; i++) x[(c * h + y) * w + i] += e[(c * (h / f) + y / f) * lw + i / f];
		}
	}

	/** The block's weights (mean 1): (m − lo) / (A(m) − lo), or 1 on a block at lo. */
	private void weights(float[] m, int base, int w, int f, double[] weight) {
		double sum = 0;
		for (int j = 0; j < f; j++)
			for (int i = 0; i < f; i++) sum += weight[j * f + i] = Math.max(0, m[base + j * w + i] - bottom);
		boolean even = !(sum > 1e-6 * f * f);
		for (int k = 0; k < weight.length; k++) weight[k] = even ? 1 : weight[k] * weight.length / sum;
	}
}
