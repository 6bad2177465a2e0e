package org.ldmfiji.task;

import net.imglib2.FinalInterval;
import net.imglib2.Interval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.ImageTensors;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * f× super-resolution written into a caller's image block by block, so that the output may be larger than one array
 * (a cell image of more than 2^31 pixels): Rombach et al. (2022, Sec. 4.4) run the SR model convolutionally; here the
 * source is cut into a grid of {@code block}-pixel blocks, each super-resolved in a window with a {@code halo} of
 * context on every side (clipped at the image's edges) and its own seed ({@link #seed}: a function of the run's seed
 * and the block's grid position only), and the windows' results are blended with weights that ramp linearly across
 * the 2·halo wide overlap of two neighbours and sum to one (a partition of unity), so there is no seam.
 * <p>
 * The output is written in <em>write tiles</em>: the block grid shifted up and left by the halo, so that write tile
 * (r, c) takes contributions from blocks (r − 1…r, c − 1…c) only and is final as soon as block (r, c) is done (blocks run
 * row by row). Every target pixel is written exactly once. Memory: the source (read once, for the normalisation), one
 * window's result and the pending overlap strips of one block row (2·halo·f output rows by the output's width), never
 * the whole output.
 * <p>
 * What is exact and what is blockwise: the normalisation into the model's range is fitted once on the whole source (all
 * blocks agree on brightness); the {@link Consistency} correction (a global conjugate-gradient solve) runs exactly on
 * each window, so each window's result area-averages to its input; the weights are constant on each source pixel's
 * f × f cell, so their blend area-averages to the source too: with consistency on, the whole output reproduces the
 * source under the f × f area average up to float rounding, as the one-buffer result does. What is blockwise is the
 * sampling and the smooth correction field: each window has its own noise and its own correction, blended in the
 * halos, so a result of several blocks differs from the one-window result of the same image (not in quality: the
 * model sees the same context of {@code halo} pixels around every block). A source that fits one block is one window
 * with the run's own seed: bit for bit the one-buffer result ({@link ImgSuperResolution#run}).
 */
final class BlockwiseSuperResolution {

	/** Default block side in source pixels: a window of (512 + 2·32)·4 = 2304² output pixels per sample. */
	static final int BLOCK = 512;
	/** Default halo in source pixels: the context around each block and half the width of the blend ramp. */
	static final int HALO = 32;

	/** Super-resolves one window (C × h × w in the source's values) with a seed: C × fh × fw, the source's values. */
	interface Window {
		FloatPlanes superResolve(FloatPlanes low, long seed, long stepsDone);
	}

	private final int block, halo, f;

	BlockwiseSuperResolution(int block, int halo, int factor) {
		if (block < 1 || halo < 0 || 2 * halo > block) throw new IllegalArgumentException("block " + block + " and halo "
			+ halo + ": the halo must be at most half the block (the blend ramps of two neighbours must not overlap)");
		this.block = block;
		this.halo = halo;
		this.f = factor;
	}

	/** Blocks along an axis of n source pixels. */
	int count(long n) {
		return (int) ((n + block - 1) / block);
	}

	/**
	 * The seed of block (row, col): the run's own seed for block (0, 0), so that a one-block image is the one-buffer
	 * run; otherwise SplitMix64's finaliser (Steele et al. 2014) of the seed and the position, folded into 0…2^52 − 1 (within
	 * the seed option's range). The same block gets the same noise whatever the order of the blocks.
	 */
	static long seed(long seed, int row, int col) {
		if (row == 0 && col == 0) return seed;
		long z = seed * 0x9E3779B97F4A7C15L + (row + 1L) * 0xBF58476D1CE4E5B9L + (col + 1L) * 0x94D049BB133111EBL;
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		z ^= z >>> 31;
		return z & ((1L << 52) - 1);
	}

	/**
	 * The weight of block i (of count) at source pixel p: 1 inside the block, and across each inner edge e a linear
	 * ramp over [e − halo, e + halo] evaluated at the pixel's centre, which with its neighbour's sums to one.
	 */
	double weight(int i, int count, long p) {
		double c = p + 0.5, s = (double) i * block, e = (double) (i + 1) * block;
		double left = i == 0 ? 1 : ramp(c - (s - halo));
		double right = i == count - 1 ? 1 : ramp((e + halo) - c);
		return left * right;
	}

	private double ramp(double d) {
		if (halo == 0) return d > 0 ? 1 : 0;
		return Math.max(0, Math.min(1, d / (2.0 * halo)));
	}

	/** The window of block i along an axis of n source pixels: [start, end) with the halo, clipped. */
	long windowStart(int i) {
		return Math.max(0, (long) i * block - halo);
	}

	long windowEnd(int i, long n) {
		return Math.min(n, (long) (i + 1) * block + halo);
	}

	/** The write tile i along an axis of n source pixels: [start, end), the grid shifted back by the halo. */
	long tileStart(int i) {
		return i == 0 ? 0 : (long) i * block - halo;
	}

	long tileEnd(int i, int count, long n) {
		return i == count - 1 ? n : (long) (i + 1) * block - halo;
	}

	/** Steps of the whole run: one window's steps per block. */
	long blocks(long width, long height) {
		return (long) count(width) * count(height);
	}

	/**
	 * Super-resolves {@code source} (C × H × W, the source's values) into {@code target} (zero-min X, Y[, C] of f·W ×
	 * f·H[× C]) write tile by write tile.
	 *
	 * @param runSeed the run's seed ({@link #seed} of each block)
	 * @param stepsPerWindow the steps one window reports (the next window's {@code stepsDone} advances by it)
	 */
	<T extends RealType<T>> void run(FloatPlanes source, RandomAccessibleInterval<T> target, Window sr,
		UnaryOperator<FloatPlanes> stored, long runSeed, long stepsPerWindow, Progress progress)
	{
		int w = source.width(), h = source.height(), ch = source.channels();
		int rows = count(h), cols = count(w);
		Map<Long, List<Piece>> pending = new HashMap<>();
		long done = 0;
		for (int r = 0; r < rows; r++)
			for (int c = 0; c < cols; c++) {
				progress.checkCancelled();
				long y0 = windowStart(r), y1 = windowEnd(r, h), x0 = windowStart(c), x1 = windowEnd(c, w);
				FloatPlanes low = crop(source, (int) x0, (int) y0, (int) (x1 - x0), (int) (y1 - y0));
				FloatPlanes high = sr.superResolve(low, seed(runSeed, r, c), done);
				done += stepsPerWindow;
				for (int tr = r; tr <= Math.min(r + 1, rows - 1); tr++)
					for (int tc = c; tc <= Math.min(c + 1, cols - 1); tc++) {
						Piece p = weighted(high, r, rows, c, cols, y0, x0, tileStart(tr), tileEnd(tr, rows, h), tileStart(tc),
							tileEnd(tc, cols, w));
						if (p != null) pending.computeIfAbsent((long) tr * cols + tc, k -> new ArrayList<>()).add(p);
					}
				write(pending.remove((long) r * cols + c), ch, tileStart(r), tileEnd(r, rows, h), tileStart(c),
					tileEnd(c, cols, w), stored, target);
			}
	}

	/** A weighted part of one window's result, in output pixels: [x0, x0 + width) × [y0, y0 + height). */
	private static final class Piece {
		final long x0, y0;
		final FloatPlanes values;

		Piece(long x0, long y0, FloatPlanes values) {
			this.x0 = x0;
			this.y0 = y0;
			this.values = values;
		}
	}

	/**
	 * Block (r, c)'s result {@code high} (window at source (y0, x0)) times its weights, over the part of write tile
	 * [ty0, ty1) × [tx0, tx1) (source pixels) where the weights are not zero; null where there is none.
	 */
	private Piece weighted(FloatPlanes high, int r, int rows, int c, int cols, long y0, long x0, long ty0, long ty1,
		long tx0, long tx1)
	{
		long sy0 = Math.max(y0, ty0), sy1 = Math.min(y0 + high.height() / f, ty1);
		long sx0 = Math.max(x0, tx0), sx1 = Math.min(x0 + high.width() / f, tx1);
		if (sy0 >= sy1 || sx0 >= sx1) return null;
		int ph = (int) ((sy1 - sy0) * f), pw = (int) ((sx1 - sx0) * f), ch = high.channels();
		double[] wy = new double[ph], wx = new double[pw];
		boolean any = false;
		for (int y = 0; y < ph; y++) wy[y] = weight(r, rows, sy0 + y / f);
		for (int x = 0; x < pw; x++) wx[x] = weight(c, cols, sx0 + x / f);
		for (double a : wy) any |= a > 0;
		if (!any) return null;
		FloatPlanes out = FloatPlanes.zeros(ch, ph, pw);
		float[] o = out.data(), in = high.data();
		int oy = (int) ((sy0 - y0) * f), ox = (int) ((sx0 - x0) * f), hw = high.width(), plane = high.planeSize();
		for (int k = 0; k < ch; k++)
			for (int y = 0; y < ph; y++) {
				int src = k * plane + (oy + y) * hw + ox, dst = (k * ph + y) * pw;
				for (int x = 0; x < pw; x++) o[dst + x] = (float) (wy[y] * wx[x] * in[src + x]);
			}
		return new Piece(sx0 * f, sy0 * f, out);
	}

	/** Sums the pieces of write tile [ty0, ty1) × [tx0, tx1) (source pixels) and writes it into the target. */
	private <T extends RealType<T>> void write(List<Piece> pieces, int ch, long ty0, long ty1, long tx0, long tx1,
		UnaryOperator<FloatPlanes> stored, RandomAccessibleInterval<T> target)
	{
		int th = (int) ((ty1 - ty0) * f), tw = (int) ((tx1 - tx0) * f);
		FloatPlanes acc;
		if (pieces.size() == 1 && pieces.get(0).values.width() == tw && pieces.get(0).values.height() == th) {
			acc = pieces.get(0).values; // one window (a one-block image): its values as they are
		}
		else {
			acc = FloatPlanes.zeros(ch, th, tw);
			float[] a = acc.data();
			for (Piece p : pieces) {
				float[] v = p.values.data();
				int py = (int) (p.y0 - ty0 * f), px = (int) (p.x0 - tx0 * f), ph = p.values.height(), pw = p.values.width();
				for (int k = 0; k < ch; k++)
					for (int y = 0; y < ph; y++) {
						int src = (k * ph + y) * pw, dst = (k * th + py + y) * tw + px;
						for (int x = 0; x < pw; x++) a[dst + x] += v[src + x];
					}
			}
		}
		long[] min = new long[target.numDimensions()], max = target.maxAsLongArray();
		min[0] = tx0 * f;
		min[1] = ty0 * f;
		max[0] = tx1 * f - 1;
		max[1] = ty1 * f - 1;
		ImageTensors.write(stored.apply(acc), Views.interval(target, new FinalInterval(min, max)));
	}

	/** Source pixels [x, x + w) × [y, y + h) of all channels. */
	private static FloatPlanes crop(FloatPlanes s, int x, int y, int w, int h) {
		if (x == 0 && y == 0 && w == s.width() && h == s.height()) return s;
		FloatPlanes out = FloatPlanes.zeros(s.channels(), h, w);
		float[] in = s.data(), o = out.data();
		for (int k = 0; k < s.channels(); k++)
			for (int r = 0; r < h; r++)
				System.arraycopy(in, k * s.planeSize() + (y + r) * s.width() + x, o, (k * h + r) * w, w);
		return out;
	}

	/** The interval of write tile (r, c) in output pixels of a zero-min target (for tests and logs). */
	Interval writeTile(int r, int c, long width, long height) {
		int rows = count(height), cols = count(width);
		return Intervals.createMinMax(tileStart(c) * f, tileStart(r) * f, tileEnd(c, cols, width) * f - 1,
			tileEnd(r, rows, height) * f - 1);
	}
}
