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

	/**
	 * The f-pixel grid ratio: the mean |difference| of horizontally and vertically adjacent pixels across the borders
	 * of the f × f blocks (x ≡ 0 mod f, the pair (x − 1, x)) over that of the pairs inside the blocks, all channels.
	 * A natural image gives about 1; a result with steps at every block border (a latent grid, a blockwise correction)
	 * gives more. NaN when there are no pairs of either kind.
	 */
	public static double gridRatio(FloatPlanes a, int f) {
		double across = 0, inside = 0;
		long nAcross = 0, nInside = 0;
		int w = a.width(), h = a.height();
		float[] d = a.data();
		for (int c = 0; c < a.channels(); c++)
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					int p = (c * h + y) * w + x;
					if (x > 0) {
						double g = Math.abs(d[p] - d[p - 1]);
						if (x % f == 0) { across += g; nAcross++; } else { inside += g; nInside++; }
					}
					if (y > 0) {
						double g = Math.abs(d[p] - d[p - w]);
						if (y % f == 0) { across += g; nAcross++; } else { inside += g; nInside++; }
					}
				}
		return nAcross == 0 || nInside == 0 ? Double.NaN : (across / nAcross) / (inside / nInside);
	}
}
