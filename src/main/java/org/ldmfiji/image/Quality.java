package org.ldmfiji.image;

/** Image quality figures used by the demo, the benchmarks and the tests. */
public final class Quality {

	private Quality() {}

	/** PSNR = 10·log10(range² / MSE) in dB over all channels and pixels; +∞ for identical images. */
	public static double psnr(FloatPlanes a, FloatPlanes b, double range) {
		a.requireSameSize(b);
		if (a.channels() != b.channels()) throw new IllegalArgumentException("channel counts differ: " + a.channels()
			+ " and " + b.channels());
		float[] x = a.data(), y = b.data();
		double sum = 0;
		for (int i = 0; i < x.length; i++) {
			double d = x[i] - y[i];
			sum += d * d;
		}
		double mse = sum / x.length;
		return 10 * Math.log10(range * range / mse);
	}
}
