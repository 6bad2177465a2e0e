package org.ldmfiji.image;

import java.util.Arrays;

/**
 * The exact Euclidean distance from every pixel of a plane to the nearest known pixel (Felzenszwalb &amp; Huttenlocher,
 * "Distance Transforms of Sampled Functions", Theory of Computing 8, 2012: the squared distance is the lower envelope
 * of the parabolas (q − p)² + f(q), one 1-D pass along the rows, then one along the columns). Known pixels are at 0;
 * pixels outside the plane are not known (as {@code scipy.ndimage.distance_transform_edt}).
 */
public final class DistanceTransform {

	private DistanceTransform() {}

	/**
	 * @param unknown w·h row-major, true for the pixels whose distance is measured
	 * @return w·h distances, 0 on the known pixels; infinite everywhere when no pixel is known
	 */
	public static float[] toKnown(boolean[] unknown, int w, int h) {
		double[] sq = new double[w * h];
		for (int i = 0; i < sq.length; i++) sq[i] = unknown[i] ? Double.POSITIVE_INFINITY : 0;
		int n = Math.max(w, h);
		double[] line = new double[n], out = new double[n], z = new double[n + 1];
		int[] v = new int[n];
		for (int y = 0; y < h; y++) {
			System.arraycopy(sq, y * w, line, 0, w);
			envelope(line, w, out, v, z);
			System.arraycopy(out, 0, sq, y * w, w);
		}
		for (int x = 0; x < w; x++) {
			for (int y = 0; y < h; y++) line[y] = sq[y * w + x];
			envelope(line, h, out, v, z);
			for (int y = 0; y < h; y++) sq[y * w + x] = out[y];
		}
		float[] d = new float[w * h];
		for (int i = 0; i < d.length; i++) d[i] = (float) Math.sqrt(sq[i]);
		return d;
	}

	/** The distance from every pixel to the nearest {@code unknown} one: 0 on those, infinite when there are none. */
	public static float[] toUnknown(boolean[] unknown, int w, int h) {
		boolean[] known = new boolean[unknown.length];
		for (int i = 0; i < known.length; i++) known[i] = !unknown[i];
		return toKnown(known, w, h);
	}

	/** out[p] = min_q (p − q)² + f[q] over the n samples with finite f (Felzenszwalb &amp; Huttenlocher, Alg. 1). */
	private static void envelope(double[] f, int n, double[] out, int[] v, double[] z) {
		int k = -1;
		for (int q = 0; q < n; q++) {
			if (f[q] == Double.POSITIVE_INFINITY) continue; // no parabola of its own
			double s = Double.NEGATIVE_INFINITY;
			while (k >= 0) { // where parabola q starts to lie below the envelope's last one
				s = ((f[q] + (double) q * q) - (f[v[k]] + (double) v[k] * v[k])) / (2.0 * (q - v[k]));
				if (s > z[k]) break;
				k--;
			}
			if (k < 0) s = Double.NEGATIVE_INFINITY;
			k++;
			v[k] = q;
			z[k] = s;
			z[k + 1] = Double.POSITIVE_INFINITY;
		}
		if (k < 0) {
			Arrays.fill(out, 0, n, Double.POSITIVE_INFINITY);
			return;
		}
		for (int p = 0, j = 0; p < n; p++) {
			while (z[j + 1] < p) j++;
			out[p] = (double) (p - v[j]) * (p - v[j]) + f[v[j]];
		}
	}
}
