package org.ldmfiji.image;

/**
 * A fitted affine map from source values to a target range and its exact inverse:
 * <pre>
 *   forward(x) = a + (x − lo)/(hi − lo) · (b − a)      [lo, hi] → [a, b]
 *   inverse(y) = lo + (y − a)/(b − a) · (hi − lo)
 * </pre>
 * With the target [0, 1] this is the normalisation {@code (x − lo)/(hi − lo)}; {@link #onto} then
 * composes it with the linear map [0, 1] → the model's range (the manifest's {@code image.range},
 * usually [−1, 1]). Values outside [lo, hi] map outside [a, b] and are not clipped: clamping
 * happens only when writing back to an integer pixel type ({@link ImageTensors#write}).
 * <p>
 * Arithmetic is in double, results are stored as float. For 8- and 16-bit sources the round trip
 * forward → inverse → round is exact: the float error is below |x − lo|·2⁻²³ ≤ 0.008 for
 * |x − lo| ≤ 65535, far from the 0.5 that rounding tolerates.
 */
public final class ValueMap {

	private final double lo, hi, a, b;

	/**
	 * @param lo source value mapped to {@code a}
	 * @param hi source value mapped to {@code b}; must be greater than {@code lo}
	 */
	public ValueMap(double lo, double hi, double a, double b) {
		if (!(hi > lo) || Double.isInfinite(hi - lo)) {
			throw new IllegalArgumentException("source range [" + lo + ", " + hi + "] must be finite with hi > lo");
		}
		if (!(b != a) || Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(b - a)) {
			throw new IllegalArgumentException("target range [" + a + ", " + b + "] must be finite and not empty");
		}
		this.lo = lo;
		this.hi = hi;
		this.a = a;
		this.b = b;
	}

	/** The normalisation [lo, hi] → [0, 1]. */
	public static ValueMap unit(double lo, double hi) {
		return new ValueMap(lo, hi, 0, 1);
	}

	/**
	 * The same source range mapped onto [a, b] instead: for a model whose images live in
	 * {@code image.range = [a, b]}, {@code fit(...).onto(a, b)} goes source → [0, 1] → [a, b] in one step.
	 */
	public ValueMap onto(double targetLo, double targetHi) {
		return new ValueMap(lo, hi, targetLo, targetHi);
	}

	public double lo() {
		return lo;
	}

	public double hi() {
		return hi;
	}

	public double targetLo() {
		return a;
	}

	public double targetHi() {
		return b;
	}

	/** forward(x) = a + (x − lo)/(hi − lo)·(b − a). */
	public double forward(double x) {
		return a + (x - lo) * ((b - a) / (hi - lo));
	}

	/** inverse(y) = lo + (y − a)/(b − a)·(hi − lo). */
	public double inverse(double y) {
		return lo + (y - a) * ((hi - lo) / (b - a));
	}

	/** {@link #forward(double)} on every value (rounded to float), into a new image. */
	public FloatPlanes forward(FloatPlanes in) {
		float[] src = in.data(), dst = new float[src.length];
		double s = (b - a) / (hi - lo);
		for (int i = 0; i < src.length; i++) dst[i] = (float) (a + (src[i] - lo) * s);
		return new FloatPlanes(in.channels(), in.height(), in.width(), dst);
	}

	/** {@link #inverse(double)} on every value (rounded to float), into a new image. */
	public FloatPlanes inverse(FloatPlanes in) {
		float[] src = in.data(), dst = new float[src.length];
		double s = (hi - lo) / (b - a);
		for (int i = 0; i < src.length; i++) dst[i] = (float) (lo + (src[i] - a) * s);
		return new FloatPlanes(in.channels(), in.height(), in.width(), dst);
	}

	@Override
	public String toString() {
		return "ValueMap[" + lo + ", " + hi + "] -> [" + a + ", " + b + "]";
	}
}
