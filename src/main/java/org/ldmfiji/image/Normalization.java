package org.ldmfiji.image;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * How source values are mapped to [0, 1]: a policy that is {@link #fit fitted} on an image's values
 * (NaN ignored) to give a {@link ValueMap} {@code (x − lo)/(hi − lo)} with an exact inverse.
 * <ul>
 * <li>{@link #percentile(double, double)}: lo, hi = the low and high percentiles of the values
 * (linear interpolation between order statistics, numpy's default). The default for scientific
 * data is {@link #DEFAULT_LOW_PERCENTILE} = 0.1 and {@link #DEFAULT_HIGH_PERCENTILE} = 99.9: robust
 * to a few hot or dead pixels, yet it keeps nearly the whole dynamic range inside [0, 1] (only the
 * 0.1 % most extreme pixels on each side fall outside, and they are not clipped, so the inverse
 * restores them). CSBDeep's 1 / 99.8 saturates more of the range, which suits restoration
 * networks trained that way but not a generative model that must give back the untouched pixels.</li>
 * <li>{@link #minMax()}: lo, hi = the smallest and largest value.</li>
 * <li>{@link #fixed(double, double)}: given lo, hi, independent of the image; 0…255 for 8-bit and
 * RGB natural images, so that the model sees the intensities it was trained on.</li>
 * <li>{@link #forBitDepth}: for 8-bit and RGB images fixed(0, 255) unless the image is dim (its percentiles span
 * fewer than {@link #DIM_SPAN} levels), then its percentiles, fitted on all channels together.</li>
 * </ul>
 * Degenerate ranges never divide by zero: if the percentiles coincide (an image that is more than
 * 99.8 % one value) the fit falls back to min/max; if min = max (a constant image, or no finite
 * values) it uses the unit range [v − 0.5, v + 0.5], which maps the constant to 0.5 (mid-range)
 * and back to exactly v.
 */
public final class Normalization {

	/** Default low percentile for scientific data (see the class comment). */
	public static final double DEFAULT_LOW_PERCENTILE = 0.1;
	/** Default high percentile for scientific data (see the class comment). */
	public static final double DEFAULT_HIGH_PERCENTILE = 99.9;

	/**
	 * Below this span of levels between its 0.1 and 99.9 % percentiles an 8-bit image is a dim acquisition
	 * ({@link #forBitDepth}); the 8-bit and RGB images of the real-image evaluation span 51 to 255.
	 */
	public static final double DIM_SPAN = 48;

	private enum Kind { PERCENTILE, MIN_MAX, FIXED, FIXED_UNLESS_DIM }

	private final Kind kind;
	private final double p, q;

	private Normalization(Kind kind, double p, double q) {
		this.kind = kind;
		this.p = p;
		this.q = q;
	}

	/** Percentile normalisation; {@code 0 ≤ lowPct < highPct ≤ 100}. */
	public static Normalization percentile(double lowPct, double highPct) {
		if (!(lowPct >= 0 && lowPct < highPct && highPct <= 100)) {
			throw new IllegalArgumentException("percentiles must satisfy 0 <= low < high <= 100, got low "
				+ lowPct + ", high " + highPct + " (default 0.1 and 99.9)");
		}
		return new Normalization(Kind.PERCENTILE, lowPct, highPct);
	}

	/** {@link #percentile(double, double)} with the defaults 0.1 and 99.9. */
	public static Normalization percentile() {
		return percentile(DEFAULT_LOW_PERCENTILE, DEFAULT_HIGH_PERCENTILE);
	}

	/** Min/max normalisation. */
	public static Normalization minMax() {
		return new Normalization(Kind.MIN_MAX, 0, 0);
	}

	/** A fixed range, e.g. {@code fixed(0, 255)} for 8-bit natural images; {@code hi > lo}. */
	public static Normalization fixed(double lo, double hi) {
		if (!(hi > lo) || Double.isInfinite(hi - lo)) {
			throw new IllegalArgumentException("fixed range needs finite lo < hi, got [" + lo + ", " + hi + "]");
		}
		return new Normalization(Kind.FIXED, lo, hi);
	}

	/**
	 * The default for an ImageJ bit depth ({@code ImagePlus.getBitDepth()}): 8 and 24 (RGB) → {@code fixed(0, 255)},
	 * unless the values span fewer than {@link #DIM_SPAN} levels (a dim acquisition, levels 0-38 say): then their 0.1 /
	 * 99.9 % percentiles, fitted on all channels together (colours keep their balance), as for a 16-bit image. Given
	 * 0-255, the model sees such an image as nearly black, its own grain as large as the image's detail: the 23 8-bit
	 * and RGB images of the real-image evaluation at 0.15 of their values lost 0.21 dB to bicubic in super-resolution
	 * on average, 8 of them more than 0.3 dB; stretched, +0.65 dB, 3 (models/demo/EVALUATION.md, session 25). 16 and
	 * 32 → {@code percentile(0.1, 99.9)}.
	 */
	public static Normalization forBitDepth(int bitDepth) {
		switch (bitDepth) {
			case 8:
			case 24:
				return new Normalization(Kind.FIXED_UNLESS_DIM, 0, 255);
			case 16:
			case 32:
				return percentile();
			default:
				throw new IllegalArgumentException("unknown bit depth " + bitDepth + ": expected 8, 16, 24 (RGB) or 32");
		}
	}

	/** Fits on all values of all channels together and returns the map onto [0, 1]. */
	public ValueMap fit(FloatPlanes image) {
		return fit(image.data());
	}

	/** Fits each channel on its own values (8-bit and RGB: all together, the same map): one map per channel. */
	public List<ValueMap> fitChannels(FloatPlanes image) {
		if (kind == Kind.FIXED_UNLESS_DIM) return Collections.nCopies(image.channels(), fit(image)); // all together
		List<ValueMap> maps = new ArrayList<>(image.channels());
		for (int c = 0; c < image.channels(); c++) maps.add(fit(image.channel(c).data()));
		return maps;
	}

	/** Fits on {@code values} (NaN ignored; the array is not modified) and returns the map onto [0, 1]. */
	public ValueMap fit(float[] values) {
		if (kind == Kind.FIXED) return ValueMap.unit(p, q);
		float[] finite = finiteCopy(values);
		if (finite.length == 0) return kind == Kind.FIXED_UNLESS_DIM ? ValueMap.unit(p, q) : ValueMap.unit(-0.5, 0.5);
		double lo, hi;
		if (kind == Kind.FIXED_UNLESS_DIM) {
			double[] dim = dimRange(finite);
			return dim != null ? ValueMap.unit(dim[0], dim[1]) : ValueMap.unit(p, q);
		}
		if (kind == Kind.PERCENTILE) {
			lo = Percentiles.of(finite, p);
			hi = Percentiles.of(finite, q);
			if (hi > lo) return ValueMap.unit(lo, hi);
		}
		// min/max, also the fallback for coinciding percentiles
		lo = hi = finite[0];
		for (float v : finite) {
			if (v < lo) lo = v;
			if (v > hi) hi = v;
		}
		if (hi > lo) return ValueMap.unit(lo, hi);
		return ValueMap.unit(lo - 0.5, lo + 0.5); // constant: unit span centred on the value
	}

	/**
	 * Whether values normalised by lo…hi (a fitted {@link ValueMap}'s, in the type's levels) span fewer than
	 * {@link #DIM_SPAN} levels, and more than none: a dim acquisition, whose levels are coarse steps of its detail.
	 */
	public static boolean isDim(double lo, double hi) {
		return hi > lo && hi - lo < DIM_SPAN;
	}

	/** The 0.1 and 99.9 % percentiles of finite values where they are {@link #isDim}, else null. */
	private static double[] dimRange(float[] finite) {
		if (finite.length == 0) return null;
		double lo = Percentiles.of(finite, DEFAULT_LOW_PERCENTILE), hi = Percentiles.of(finite, DEFAULT_HIGH_PERCENTILE);
		return isDim(lo, hi) ? new double[] {lo, hi} : null;
	}

	/** The finite values (NaN and ±∞ dropped; ∞ would make the span infinite). */
	private static float[] finiteCopy(float[] values) {
		int n = 0;
		for (float v : values) if (!Float.isNaN(v) && !Float.isInfinite(v)) n++;
		float[] out = new float[n];
		int i = 0;
		for (float v : values) if (!Float.isNaN(v) && !Float.isInfinite(v)) out[i++] = v;
		return out;
	}

	@Override
	public String toString() {
		switch (kind) {
			case PERCENTILE:
				return String.format(Locale.ROOT, "percentile(%s, %s)", p, q);
			case MIN_MAX:
				return "minMax()";
			case FIXED_UNLESS_DIM:
				return String.format(Locale.ROOT, "fixed(%s, %s), or percentile(%s, %s) of all channels together where "
					+ "they span fewer than %.0f levels", p, q, DEFAULT_LOW_PERCENTILE, DEFAULT_HIGH_PERCENTILE, DIM_SPAN);
			default:
				return String.format(Locale.ROOT, "fixed(%s, %s)", p, q);
		}
	}
}
