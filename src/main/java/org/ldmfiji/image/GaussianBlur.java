package org.ldmfiji.image;

/**
 * Separable Gaussian smoothing of a plane as {@code scipy.ndimage.gaussian_filter} does it by default: weights
 * exp(−x²/2σ²) normalised to sum 1 out to round(4σ) pixels, the plane mirrored about its edges (mode "reflect":
 * … c b a | a b c …).
 */
public final class GaussianBlur {

	private GaussianBlur() {}

	/** A blurred copy of the w·h row-major {@code plane}. */
	public static float[] blur(float[] plane, int w, int h, double sigma) {
		double[] k = kernel(sigma);
		int r = k.length / 2;
		float[] rows = new float[plane.length], out = new float[plane.length];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double s = 0;
				for (int i = -r; i <= r; i++) s += k[i + r] * plane[y * w + reflect(x + i, w)];
				rows[y * w + x] = (float) s;
			}
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double s = 0;
				for (int i = -r; i <= r; i++) s += k[i + r] * rows[reflect(y + i, h) * w + x];
				out[y * w + x] = (float) s;
			}
		return out;
	}

	/** The normalised weights at −r … r, r = ⌊4σ + ½⌋. */
	static double[] kernel(double sigma) {
		if (!(sigma > 0)) throw new IllegalArgumentException("sigma must be positive, got " + sigma);
		int r = (int) (4 * sigma + 0.5);
		double[] k = new double[2 * r + 1];
		double sum = 0;
		for (int i = -r; i <= r; i++) sum += k[i + r] = Math.exp(-0.5 * i * i / (sigma * sigma));
		for (int i = 0; i < k.length; i++) k[i] /= sum;
		return k;
	}

	/** Index i folded into [0, n) by mirroring about the edges, the edge pixel repeated (period 2n). */
	static int reflect(int i, int n) {
		int m = Math.floorMod(i, 2 * n);
		return m < n ? m : 2 * n - 1 - m;
	}
}
