package org.ldmfiji.image;

import java.util.Random;

/**
 * A texture for the masked pixels of a plane, quilted from the fine band of its known ones (image quilting, Efros
 * &amp; Freeman, SIGGRAPH 2001): where one exemplar cannot cover the whole mask (a large or scattered mask), tiles of
 * {@link #TILE} px every {@link #TILE}/2 px each take a source tile from the known pixels, chosen in scan order among
 * {@link #CANDIDATES} seeded random sources by the least squared difference over the pixels the tile already has
 * values for: the known ones (their own fine band) and the masked ones that earlier tiles covered. Overlapping tiles
 * are summed with weights sin(π (i + ½) / T) · sin(π (j + ½) / T), whose squares add to 1 at half overlap, so that
 * the texture keeps its sources' energy. All channels take the same sources: a colour image's texture keeps the
 * colours of its own, where independent noise per channel is a speckle of every colour.
 */
final class TextureQuilt {

	/** Side of a tile, px (several times the fine band's blur, σ = 1.5 px). */
	static final int TILE = 16;
	/** Random source tiles compared for each tile. */
	static final int CANDIDATES = 128;

	private TextureQuilt() {}

	/**
	 * @param fine per channel the fine band of the known image (w·h row-major), read only at {@code source} pixels
	 *             and at known ones
	 * @param mask true on the pixels to texture
	 * @param source true where a pixel may be copied (known, no masked pixel within the fine band's reach, a value
	 *               the surroundings make plausible)
	 * @return per channel the texture on the masked pixels, 0 elsewhere; null when no whole tile of sources exists
	 */
	static float[][] quilt(float[][] fine, boolean[] mask, boolean[] source, int w, int h, Random random) {
		int t = Math.min(TILE, Math.min(w, h)), half = t / 2, channels = fine.length;
		int[] starts = sourceTiles(source, w, h, t);
		if (starts.length == 0) return null;
		int x0 = w, y0 = h, x1 = -1, y1 = -1;
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				if (mask[y * w + x]) {
					x0 = Math.min(x0, x);
					y0 = Math.min(y0, y);
					x1 = Math.max(x1, x);
					y1 = Math.max(y1, y);
				}
		float[][] out = new float[channels][w * h];
		float[][] placed = new float[channels][w * h];
		boolean[] covered = new boolean[w * h];
		double[] weight = new double[t];
		for (int i = 0; i < t; i++) weight[i] = Math.sin(Math.PI * (i + 0.5) / t);
		int[] tile = new int[t * t];
		// the tiles start half a tile before the mask, so that every masked pixel lies under two tiles a side
		for (int ty = y0 - half; ty <= y1; ty += half)
			for (int tx = x0 - half; tx <= x1; tx += half) {
				int n = 0;
				boolean masked = false;
				for (int j = 0; j < t; j++)
					for (int i = 0; i < t; i++) {
						int x = tx + i, y = ty + j;
						if (x < 0 || y < 0 || x >= w || y >= h) continue;
						tile[n++] = j * t + i;
						masked |= mask[y * w + x];
					}
				if (!masked) continue;
				int best = bestSource(fine, mask, placed, covered, tile, n, tx, ty, t, w, starts, random);
				int sx = best % w, sy = best / w;
				for (int k = 0; k < n; k++) {
					int i = tile[k] % t, j = tile[k] / t, p = (ty + j) * w + tx + i, q = (sy + j) * w + sx + i;
					if (!mask[p]) continue;
					for (int c = 0; c < channels; c++) {
						out[c][p] += (float) (weight[i] * weight[j] * fine[c][q]);
						placed[c][p] = fine[c][q];
					}
					covered[p] = true;
				}
			}
		return out;
	}

	/**
	 * The start (y·w + x) of the candidate source tile, among {@link #CANDIDATES} random ones, that differs least from
	 * what the tile at (tx, ty) already holds: the known pixels' fine band and the last tile's values on covered masked
	 * pixels (the first candidate when the tile holds nothing yet).
	 */
	private static int bestSource(float[][] fine, boolean[] mask, float[][] placed, boolean[] covered, int[] tile, int n,
		int tx, int ty, int t, int w, int[] starts, Random random)
	{
		int best = -1;
		double bestCost = Double.POSITIVE_INFINITY;
		for (int k = 0; k < Math.min(CANDIDATES, starts.length); k++) {
			int start = starts[random.nextInt(starts.length)], sx = start % w, sy = start / w;
			double cost = 0;
			for (int m = 0; m < n && cost < bestCost; m++) {
				int i = tile[m] % t, j = tile[m] / t, p = (ty + j) * w + tx + i, q = (sy + j) * w + sx + i;
				if (mask[p] && !covered[p]) continue;
				for (int c = 0; c < fine.length; c++) {
					double d = fine[c][q] - (mask[p] ? placed[c][p] : fine[c][p]);
					cost += d * d;
				}
			}
			if (cost < bestCost) {
				bestCost = cost;
				best = start;
			}
		}
		return best;
	}

	/** The starts (y·w + x) of every t × t tile made only of source pixels. */
	private static int[] sourceTiles(boolean[] source, int w, int h, int t) {
		long[] sat = new long[(w + 1) * (h + 1)];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++)
				sat[(y + 1) * (w + 1) + x + 1] = (source[y * w + x] ? 0 : 1) + sat[y * (w + 1) + x + 1]
					+ sat[(y + 1) * (w + 1) + x] - sat[y * (w + 1) + x];
		int[] starts = new int[w * h];
		int count = 0;
		for (int y = 0; y + t <= h; y++)
			for (int x = 0; x + t <= w; x++) {
				long bad = sat[(y + t) * (w + 1) + x + t] - sat[y * (w + 1) + x + t] - sat[(y + t) * (w + 1) + x]
					+ sat[y * (w + 1) + x];
				if (bad == 0) starts[count++] = y * w + x;
			}
		return java.util.Arrays.copyOf(starts, count);
	}
}
