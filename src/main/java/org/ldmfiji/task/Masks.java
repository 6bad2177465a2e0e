package org.ldmfiji.task;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Fill masks on a W × H pixel grid (row-major {@code boolean[]}, true = fill): growing, the feather weights that
 * blend a fill into its surroundings (only inside the mask), and the connected regions that inpainting processes
 * as separate windows. Distances are two-pass chamfer distances with weights 1 and √2 (Borgefors 1986), within
 * about 8 % of the Euclidean distance, computed only over the rectangle that the mask can reach.
 */
public final class Masks {

	private static final float DIAGONAL = (float) Math.sqrt(2);

	private Masks() {}

	/** One 8-connected region of a mask: its pixel indices (y·W + x) and bounds [x0, y0, x1, y1). */
	public static final class Region {

		public final int[] pixels;
		public final int x0, y0, x1, y1;

		Region(int[] pixels, int x0, int y0, int x1, int y1) {
			this.pixels = pixels;
			this.x0 = x0;
			this.y0 = y0;
			this.x1 = x1;
			this.y1 = y1;
		}

		public int width() {
			return x1 - x0;
		}

		public int height() {
			return y1 - y0;
		}
	}

	/** [x0, y0, x1, y1) of the true pixels, or null when there are none. */
	public static int[] bounds(boolean[] mask, int w, int h) {
		int x0 = w, y0 = h, x1 = -1, y1 = -1;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				if (!mask[y * w + x]) continue;
				if (x < x0) x0 = x;
				if (x > x1) x1 = x;
				if (y < y0) y0 = y;
				y1 = y;
			}
		return x1 < 0 ? null : new int[] {x0, y0, x1 + 1, y1 + 1};
	}

	/** Number of true pixels. */
	public static long count(boolean[] mask) {
		long n = 0;
		for (boolean b : mask) if (b) n++;
		return n;
	}

	/** The mask dilated by a disc of {@code radius} pixels (chamfer distance ≤ radius); a copy for radius 0. */
	public static boolean[] grow(boolean[] mask, int w, int h, int radius) {
		if (radius < 0) throw new IllegalArgumentException("grow must be >= 0 pixels, got " + radius);
		boolean[] out = mask.clone();
		int[] b = bounds(mask, w, h);
		if (radius == 0 || b == null) return out;
		int[] rect = {Math.max(0, b[0] - radius), Math.max(0, b[1] - radius), Math.min(w, b[2] + radius),
			Math.min(h, b[3] + radius)};
		float[] d = chamfer(mask, w, rect);
		int rw = rect[2] - rect[0];
		for (int y = rect[1]; y < rect[3]; y++)
			for (int x = rect[0]; x < rect[2]; x++)
				if (d[(y - rect[1]) * rw + (x - rect[0])] <= radius + 1e-3f) out[y * w + x] = true;
		return out;
	}

	/**
	 * The blend weight alpha of the fill at each pixel: 0 outside the mask; inside, d/(feather + 1) capped at 1,
	 * with d the distance to the nearest unmasked pixel of the image (the image's own border is not a boundary).
	 * The result at a pixel is alpha·fill + (1 − alpha)·source, so the band of {@code feather} pixels along the
	 * mask's edge blends and nothing outside the mask changes. feather 0: alpha = 1 on the whole mask.
	 */
	public static float[] featherWeights(boolean[] mask, int w, int h, int feather) {
		if (feather < 0) throw new IllegalArgumentException("feather must be >= 0 pixels, got " + feather);
		float[] alpha = new float[mask.length];
		int[] b = bounds(mask, w, h);
		if (b == null) return alpha;
		if (feather == 0) {
			for (int i = 0; i < mask.length; i++) if (mask[i]) alpha[i] = 1;
			return alpha;
		}
		int[] rect = {Math.max(0, b[0] - 1), Math.max(0, b[1] - 1), Math.min(w, b[2] + 1), Math.min(h, b[3] + 1)};
		boolean[] outside = new boolean[mask.length];
		for (int y = rect[1]; y < rect[3]; y++)
			for (int x = rect[0]; x < rect[2]; x++) outside[y * w + x] = !mask[y * w + x];
		float[] d = chamfer(outside, w, rect);
		int rw = rect[2] - rect[0];
		for (int y = rect[1]; y < rect[3]; y++)
			for (int x = rect[0]; x < rect[2]; x++) {
				int i = y * w + x;
				if (mask[i]) alpha[i] = Math.min(1f, d[(y - rect[1]) * rw + (x - rect[0])] / (feather + 1));
			}
		return alpha;
	}

	/**
	 * Chamfer distance from every pixel of {@code rect} = [x0, y0, x1, y1) to the nearest {@code source} pixel
	 * inside it (+∞ where there is none): a forward and a backward raster pass.
	 */
	static float[] chamfer(boolean[] source, int w, int[] rect) {
		int rw = rect[2] - rect[0], rh = rect[3] - rect[1];
		float[] d = new float[rw * rh];
		for (int y = 0; y < rh; y++)
			for (int x = 0; x < rw; x++) d[y * rw + x] = source[(y + rect[1]) * w + x + rect[0]] ? 0 : Float.POSITIVE_INFINITY;
		for (int y = 0; y < rh; y++)
			for (int x = 0; x < rw; x++) {
				int i = y * rw + x;
				float v = d[i];
				if (x > 0) v = Math.min(v, d[i - 1] + 1);
				if (y > 0) {
					v = Math.min(v, d[i - rw] + 1);
					if (x > 0) v = Math.min(v, d[i - rw - 1] + DIAGONAL);
					if (x < rw - 1) v = Math.min(v, d[i - rw + 1] + DIAGONAL);
				}
				d[i] = v;
			}
		for (int y = rh - 1; y >= 0; y--)
			for (int x = rw - 1; x >= 0; x--) {
				int i = y * rw + x;
				float v = d[i];
				if (x < rw - 1) v = Math.min(v, d[i + 1] + 1);
				if (y < rh - 1) {
					v = Math.min(v, d[i + rw] + 1);
					if (x < rw - 1) v = Math.min(v, d[i + rw + 1] + DIAGONAL);
					if (x > 0) v = Math.min(v, d[i + rw - 1] + DIAGONAL);
				}
				d[i] = v;
			}
		return d;
	}

	/** The 8-connected regions of the mask, in raster order of their first pixel. */
	public static List<Region> regions(boolean[] mask, int w, int h) {
		List<Region> out = new ArrayList<>();
		int[] b = bounds(mask, w, h);
		if (b == null) return out;
		boolean[] seen = new boolean[mask.length];
		ArrayDeque<Integer> queue = new ArrayDeque<>();
		for (int y = b[1]; y < b[3]; y++)
			for (int x = b[0]; x < b[2]; x++) {
				int start = y * w + x;
				if (!mask[start] || seen[start]) continue;
				seen[start] = true;
				queue.add(start);
				int n = 0, x0 = x, y0 = y, x1 = x, y1 = y;
				int[] pixels = new int[64];
				while (!queue.isEmpty()) {
					int p = queue.poll(), px = p % w, py = p / w;
					if (n == pixels.length) pixels = java.util.Arrays.copyOf(pixels, 2 * n);
					pixels[n++] = p;
					x0 = Math.min(x0, px);
					x1 = Math.max(x1, px);
					y0 = Math.min(y0, py);
					y1 = Math.max(y1, py);
					for (int dy = -1; dy <= 1; dy++)
						for (int dx = -1; dx <= 1; dx++) {
							int qx = px + dx, qy = py + dy;
							if (qx < 0 || qy < 0 || qx >= w || qy >= h) continue;
							int q = qy * w + qx;
							if (mask[q] && !seen[q]) {
								seen[q] = true;
								queue.add(q);
							}
						}
				}
				out.add(new Region(java.util.Arrays.copyOf(pixels, n), x0, y0, x1 + 1, y1 + 1));
			}
		return out;
	}
}
