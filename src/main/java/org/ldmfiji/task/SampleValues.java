package org.ldmfiji.task;

/**
 * How a sampled image's values, in the model's range [a, b], become pixel values: mapped linearly onto [0, top]
 * (0…255 for 8-bit, 0…65535 for 16-bit, 0…1 for float), rounded and clamped for integer types. Float values are
 * not clamped: the decoder can overshoot the model's range (a 20-step demo sample reaches about −0.14 … 1.24), and a
 * 32-bit image keeps that. Shared by the ImageJ job ({@code imagej.SampleImage}) and the ImgLib2 path
 * ({@link ImgSampling}).
 */
public final class SampleValues {

	private final double a, b, top;
	private final boolean integer;

	public SampleValues(double[] modelRange, double top, boolean integer) {
		this.a = modelRange[0];
		this.b = modelRange[1];
		this.top = top;
		this.integer = integer;
	}

	/** The largest pixel value (the model range's top maps there). */
	double top() {
		return top;
	}

	/** The pixel value of a model value x: (x − a)/(b − a)·top, rounded and clamped to [0, top] for integer types. */
	public double pixel(float x) {
		double v = (x - a) / (b - a) * top;
		return integer ? Math.max(0, Math.min(top, Math.round(v))) : v;
	}
}
