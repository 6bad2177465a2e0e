package org.ldmfiji.image;

/**
 * The discrete Fourier transform of a plane whose sides are powers of two, in place on its real and imaginary parts
 * (iterative radix-2 Cooley–Tukey: bit-reversal permutation, then log₂ n butterfly passes, rows then columns). The
 * inverse includes the 1 / (w·h).
 */
final class Fft2 {

	private Fft2() {}

	static boolean isPowerOfTwo(int n) {
		return n > 0 && (n & (n - 1)) == 0;
	}

	static int ceilPowerOfTwo(int n) {
		return n <= 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
	}

	/** X[k] = Σ_n x[n] e^(∓2πi kn/N) along both axes (− forward, + inverse), {@code re} and {@code im} w·h. */
	static void transform(double[] re, double[] im, int w, int h, boolean inverse) {
		if (!isPowerOfTwo(w) || !isPowerOfTwo(h)) throw new IllegalArgumentException("sides " + w + "x" + h
			+ " must be powers of two");
		double[] lr = new double[Math.max(w, h)], li = new double[lr.length];
		for (int y = 0; y < h; y++) {
			System.arraycopy(re, y * w, lr, 0, w);
			System.arraycopy(im, y * w, li, 0, w);
			line(lr, li, w, inverse);
			System.arraycopy(lr, 0, re, y * w, w);
			System.arraycopy(li, 0, im, y * w, w);
		}
		for (int x = 0; x < w; x++) {
			for (int y = 0; y < h; y++) {
				lr[y] = re[y * w + x];
				li[y] = im[y * w + x];
			}
			line(lr, li, h, inverse);
			for (int y = 0; y < h; y++) {
				re[y * w + x] = lr[y];
				im[y * w + x] = li[y];
			}
		}
		if (inverse) {
			double s = 1.0 / ((double) w * h);
			for (int i = 0; i < w * h; i++) {
				re[i] *= s;
				im[i] *= s;
			}
		}
	}

	private static void line(double[] re, double[] im, int n, boolean inverse) {
		for (int i = 1, j = 0; i < n; i++) { // bit-reversal permutation
			int bit = n >> 1;
			for (; (j & bit) != 0; bit >>= 1) j ^= bit;
			j ^= bit;
			if (i < j) {
				double t = re[i];
				re[i] = re[j];
				re[j] = t;
				t = im[i];
				im[i] = im[j];
				im[j] = t;
			}
		}
		for (int len = 2; len <= n; len <<= 1) {
			double angle = 2 * Math.PI / len * (inverse ? 1 : -1);
			double wr = Math.cos(angle), wi = Math.sin(angle);
			for (int start = 0; start < n; start += len) {
				double cr = 1, ci = 0;
				for (int k = 0; k < len / 2; k++) {
					int a = start + k, b = a + len / 2;
					double tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
					re[b] = re[a] - tr;
					im[b] = im[a] - ti;
					re[a] += tr;
					im[a] += ti;
					double next = cr * wr - ci * wi;
					ci = cr * wi + ci * wr;
					cr = next;
				}
			}
		}
	}
}
