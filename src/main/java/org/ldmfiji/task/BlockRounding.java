package org.ldmfiji.task;

import org.ldmfiji.image.FloatPlanes;

/**
 * A super-resolved result rounded to the integers its type stores one f × f block at a time, by error diffusion inside
 * the block: Floyd and Steinberg's weights (7, 3, 5, 1)/16 on a serpentine path, renormalised over the neighbours that
 * lie in the same block, so that the block's rounding errors add up to the last pixel's alone (|Σ error| ≤ 1/2 where
 * nothing is clamped) and the block's mean, which consistency made the input pixel, stays within 1/(2f²) of it.
 * <p>
 * Plain rounding of each pixel keeps each block mean only within 1/2 and, where the result is smooth at the scale of
 * a level (a dim image: an 8-bit background of 6 ± 2 levels, a 12-bit camera's dark counts), turns it into plateaus of
 * the block's own level: every level change falls on a block border, a 4-pixel grid (ratio 1.19 on such a background,
 * 1.03 before the rounding). Diffused, the fractions of a level become a fine pattern inside the blocks (0.86), at a
 * cost in error of a fraction of a level (models/demo/EVALUATION.md, session 26). Images with many levels are rounded
 * pixel by pixel ({@link PlaneSuperResolution#storage}).
 */
public final class BlockRounding {

	private final double lo, hi;
	private final int f;

	/**
	 * @param range the smallest and largest value the type stores (integers); null for a float type
	 * @return null for a float type (nothing to round)
	 */
	public static BlockRounding of(double[] range, int f) {
		return range == null ? null : new BlockRounding(range[0], range[1], f);
	}

	private BlockRounding(double lo, double hi, int f) {
		this.lo = lo;
		this.hi = hi;
		this.f = f;
	}

	/** {@code x} (C × H × W, the source's values; H and W multiples of f) rounded, as a new image; NaN stays NaN. */
	public FloatPlanes apply(FloatPlanes x) {
		FloatPlanes out = x.copy();
		int w = x.width(), h = x.height();
		float[] d = out.data();
		double[] block = new double[f * f];
		for (int c = 0; c < x.channels(); c++)
			for (int by = 0; by + f <= h; by += f)
				for (int bx = 0; bx + f <= w; bx += f) {
					int base = c * x.planeSize() + by * w + bx;
					for (int r = 0; r < f; r++)
						for (int k = 0; k < f; k++) block[r * f + k] = d[base + r * w + k];
					diffuse(block);
					for (int r = 0; r < f; r++)
						for (int k = 0; k < f; k++) d[base + r * w + k] = (float) block[r * f + k];
				}
		return out;
	}

	/** Rounds one f × f block in place (row-major), carrying each pixel's error to its unvisited neighbours. */
	private void diffuse(double[] b) {
		for (int r = 0; r < f; r++) {
			int dir = r % 2 == 0 ? 1 : -1;
			for (int k = 0; k < f; k++) {
				int col = dir > 0 ? k : f - 1 - k, i = r * f + col;
				if (Double.isNaN(b[i])) continue;
				double v = Math.max(lo, Math.min(hi, b[i])), q = Math.floor(v + 0.5), e = v - q;
				b[i] = q;
				boolean ahead = inside(col + dir), back = inside(col - dir), below = r + 1 < f;
				double total = (ahead ? 7 : 0) + (below ? 5 + (back ? 3 : 0) + (ahead ? 1 : 0) : 0);
				if (total == 0) continue; // the block's last pixel: its error is the block's
				if (ahead) spread(b, r * f + col + dir, 7 * e / total);
				if (below) {
					spread(b, (r + 1) * f + col, 5 * e / total);
					if (back) spread(b, (r + 1) * f + col - dir, 3 * e / total);
					if (ahead) spread(b, (r + 1) * f + col + dir, e / total);
				}
			}
		}
	}

	private boolean inside(int col) {
		return col >= 0 && col < f;
	}

	private static void spread(double[] b, int i, double e) {
		if (!Double.isNaN(b[i])) b[i] += e;
	}
}
