package org.ldmfiji.tiling;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Overlapping tiles covering a W × H grid (latent or pixel space), the product of one {@link Axis} per direction,
 * with normalised blending weights. Tiles are listed row-major (all tiles of the top row first, left to right);
 * that order is also the order in which tiled operations accumulate, so results do not depend on batching.
 * <p>
 * Along an axis of length n with tile length L (≤ n) and requested overlap o, the tiles are spread evenly from 0 to
 * n − L (the last tile ends exactly at the border: nothing is padded), with as few tiles as keep every overlap ≥ o,
 * starts rounded to multiples of {@code unit}. A grid shorter than a tile gets one tile of the grid's length.
 * <p>
 * Since the 2-D weight of a tile is the outer product of its two axis weights, w(x, y) = wₓ(x)·w_y(y), and each
 * axis' weights are normalised to sum to 1 over its tiles, the 2-D weights sum to (Σwₓ)(Σw_y) = 1 at every position:
 * normalisation costs two 1-D arrays, not a full-size weight buffer.
 */
public final class TileGrid {

	public final Axis x, y;
	private final List<Tile> tiles;

	private TileGrid(Axis x, Axis y) {
		this.x = x;
		this.y = y;
		List<Tile> list = new ArrayList<>(x.count() * y.count());
		for (int row = 0; row < y.count(); row++)
			for (int col = 0; col < x.count(); col++)
				list.add(new Tile(list.size(), col, row, x.start(col), y.start(row), x.tile, y.tile));
		tiles = Collections.unmodifiableList(list);
	}

	/**
	 * @param width the grid's width W (a multiple of {@code unit}, except where a tile is never smaller than W)
	 * @param tile the tile side L (a multiple of {@code unit}); tiles are min(L, W) × min(L, H)
	 * @param overlap the least overlap between neighbouring tiles, 0 ≤ overlap &lt; tile; also the blending ramp
	 * @param unit tile starts are multiples of this (the denoiser's latent_multiple)
	 */
	public static TileGrid of(int width, int height, int tile, int overlap, int unit, Blend blend) {
		return of(width, height, tile, overlap, unit, blend, 0);
	}

	/**
	 * As {@link #of(int, int, int, int, int, Blend)}, with a {@code margin} of positions next to every shared edge that
	 * get only a token weight (ε = 10⁻³, so that every position still has one): the ramp runs over the rest of the
	 * overlap, overlap − 2·margin positions centred in it. For parts whose outputs are wrong near a tile's edge
	 * (receptive fields and zero padding in an autoencoder).
	 */
	public static TileGrid of(int width, int height, int tile, int overlap, int unit, Blend blend, int margin) {
		return new TileGrid(Axis.of(width, tile, overlap, unit, blend, margin),
			Axis.of(height, tile, overlap, unit, blend, margin));
	}

	/**
	 * Tiles fitted to the grid: per axis the fewest tiles of at most {@code maxTile} that keep every overlap ≥
	 * {@code overlap}, each as short as covers the axis with that overlap (rounded up to {@code unit}). With k tiles of
	 * side L on an axis of n, the work per axis is k·L ≈ n + (k − 1)·overlap: the redundancy (latent pixels processed
	 * over the grid's own) stays close to 1 whatever n is, where tiles of a fixed side may need one more tile for a
	 * few pixels (n = 512, L = 64, overlap 8: 9 tiles, 1.125 per axis; fitted with at most 128: 5 tiles of 112, 1.09).
	 * Every tile of the grid has the same size, so the tiles of a step batch into one forward.
	 */
	public static TileGrid fitted(int width, int height, int maxTile, int overlap, int unit, Blend blend, int margin) {
		return new TileGrid(Axis.fitted(width, maxTile, overlap, unit, blend, margin),
			Axis.fitted(height, maxTile, overlap, unit, blend, margin));
	}

	/**
	 * Tiles on a torus (for a grid that shifts circularly from step to step, where the wrapping tile already joins
	 * opposite edges): per axis of n longer than {@code maxStride}, k = ⌈n / maxStride⌉ tiles, all of one side
	 * (the largest stride + {@code overlap}), starting at i·n/k (rounded to {@code unit}); the last ones reach past n
	 * and wrap to the start. Every tile ramps down at both ends, and the weights are normalised modulo n, so they sum
	 * to 1 at every position of the torus; no tile is an edge tile. The redundancy is ((n/k + overlap)/(n/k))² (64²
	 * strides with 8 latent px of overlap: 1.27; with 4: 1.13). A tile's rectangle may reach past the grid: its
	 * positions are taken modulo the grid's sides ({@link Axis#period}). An axis no longer than {@code maxStride} +
	 * 2·{@code overlap} has one tile of its length, without wrap or overlap (two tiles would process at least n + 2·overlap
	 * positions, and with the tile side rounded to the unit up to (1.15)² of the latent for n just above
	 * {@code maxStride}: 132 latent px, 128 + 8, unit 4).
	 */
	public static TileGrid torus(int width, int height, int maxStride, int overlap, int unit, Blend blend) {
		return new TileGrid(Axis.torus(width, maxStride, overlap, unit, blend), Axis.torus(height, maxStride, overlap, unit,
			blend));
	}

	/** Whether a tile's rectangle reaches past the grid on some axis (a {@link #torus} grid): positions wrap. */
	public boolean wraps() {
		return x.pastEnd() > 0 || y.pastEnd() > 0;
	}

	/** Latent pixels the tiles cover together over the grid's own: Σ tile areas / (W · H) (1 for one tile). */
	public double redundancy() {
		return (double) x.count() * x.tile * y.count() * y.tile / ((double) x.length * y.length);
	}

	/** This grid with every length multiplied by {@code factor} (latent → pixel space for a decoder with f). */
	public TileGrid scaled(int factor) {
		return new TileGrid(x.scaled(factor), y.scaled(factor));
	}

	public int width() {
		return x.length;
	}

	public int height() {
		return y.length;
	}

	public List<Tile> tiles() {
		return tiles;
	}

	public int count() {
		return tiles.size();
	}

	/** The normalised 2-D weights of a tile, row-major tile.height × tile.width: wₓ ⊗ w_y. */
	public float[] weights(Tile t) {
		float[] wx = x.weights(t.col), wy = y.weights(t.row);
		float[] out = new float[t.width * t.height];
		for (int j = 0; j < t.height; j++)
			for (int i = 0; i < t.width; i++) out[j * t.width + i] = wx[i] * wy[j];
		return out;
	}

	@Override
	public String toString() {
		return x.count() + "x" + y.count() + " tiles of " + x.tile + "x" + y.tile + " over " + x.length + "x" + y.length
			+ " (overlap >= " + Math.min(x.overlap, y.overlap) + ")";
	}

	/** One tile: its place in the grid and its rectangle [x, x + width) × [y, y + height). */
	public static final class Tile {

		public final int index, col, row, x, y, width, height;

		Tile(int index, int col, int row, int x, int y, int width, int height) {
			this.index = index;
			this.col = col;
			this.row = row;
			this.x = x;
			this.y = y;
			this.width = width;
			this.height = height;
		}

		@Override
		public String toString() {
			return "tile " + index + " (" + col + "," + row + ") " + width + "x" + height + "+" + x + "+" + y;
		}
	}

	/** The tiling of one direction: tile starts and, per tile, weights normalised over all tiles. */
	public static final class Axis {

		/** Weight of the positions within the margin of a shared edge. */
		static final double MARGIN_WEIGHT = 1e-3;

		public final int length, tile, overlap, margin;
		/** The period of a torus axis ({@link TileGrid#torus}): positions are taken modulo it; 0 on a plain axis. */
		public final int period;
		private final int[] starts;
		private final Blend blend;
		private final float[][] weights;

		private Axis(int length, int tile, int overlap, int margin, int[] starts, Blend blend) {
			this(length, tile, overlap, margin, starts, blend, 0);
		}

		private Axis(int length, int tile, int overlap, int margin, int[] starts, Blend blend, int period) {
			this.period = period;
			this.length = length;
			this.tile = tile;
			this.overlap = overlap;
			this.margin = margin;
			this.starts = starts;
			this.blend = blend;
			this.weights = normalisedWeights();
		}

		static Axis of(int length, int tile, int overlap, int unit, Blend blend) {
			return of(length, tile, overlap, unit, blend, 0);
		}

		static Axis of(int length, int tile, int overlap, int unit, Blend blend, int margin) {
			if (margin < 0 || 2 * margin > overlap) throw new IllegalArgumentException("edge margin " + margin
				+ " must be between 0 and half the overlap " + overlap);
			if (length < 1) throw new IllegalArgumentException("cannot tile an empty axis (length " + length + ")");
			if (unit < 1) throw new IllegalArgumentException("unit must be >= 1, got " + unit);
			if (tile < unit || tile % unit != 0) throw new IllegalArgumentException("tile size " + tile
				+ " must be a positive multiple of " + unit + " (the model's latent_multiple)");
			if (overlap < 0 || overlap >= tile) throw new IllegalArgumentException("overlap " + overlap
				+ " must be at least 0 and smaller than the tile size " + tile);
			if (length <= tile) return new Axis(length, length, 0, 0, new int[] {0}, blend);
			if (length % unit != 0) throw new IllegalArgumentException("a length of " + length
				+ " cannot be tiled on a grid of " + unit + ": pad it to a multiple of " + unit + " first");
			// the largest stride (a multiple of unit) that keeps the overlap >= the requested one
			int maxStride = Math.max(unit, (tile - overlap) / unit * unit);
			int span = length - tile;
			int k = (span + maxStride - 1) / maxStride + 1;
			int[] starts = new int[k];
			for (int i = 0; i < k; i++) {
				// evenly spread, rounded to the unit: neighbours stay <= maxStride apart since maxStride is a multiple of unit
				starts[i] = (int) Math.round((double) i * span / (k - 1) / unit) * unit;
			}
			return new Axis(length, tile, overlap, margin, starts, blend);
		}

		/** The axis of {@link TileGrid#fitted}: k = ⌈(n − o)/(L_max − o)⌉ tiles of side ⌈(n + (k − 1)·o)/k⌉ (to the unit). */
		static Axis fitted(int length, int maxTile, int overlap, int unit, Blend blend, int margin) {
			if (length <= maxTile || overlap >= maxTile) return of(length, maxTile, overlap, unit, blend, margin);
			int k = (int) Math.ceil((double) (length - overlap) / (maxTile - overlap));
			int side = (length + (k - 1) * overlap + k - 1) / k;
			int tile = Math.min(maxTile, Math.max(unit, (side + unit - 1) / unit * unit));
			return of(length, Math.max(tile, overlap + unit), overlap, unit, blend, margin);
		}

		/** The axis of {@link TileGrid#torus}. */
		static Axis torus(int length, int maxStride, int overlap, int unit, Blend blend) {
			// one tile of the whole axis where two would process more: 2·(n/2 + overlap) ≥ n + 2·overlap positions
			if (length <= maxStride + 2 * Math.max(0, overlap))
				return of(length, Math.max(unit, (length + unit - 1) / unit * unit), 0, unit, blend);
			if (length % unit != 0) throw new IllegalArgumentException("a length of " + length
				+ " cannot be tiled on a grid of " + unit + ": pad it to a multiple of " + unit + " first");
			if (overlap < 0) throw new IllegalArgumentException("overlap must be >= 0, got " + overlap);
			int k = (length + maxStride - 1) / maxStride;
			int[] starts = new int[k];
			for (int i = 0; i < k; i++) starts[i] = (int) Math.round((double) i * length / k / unit) * unit;
			int maxGap = 0, minGap = Integer.MAX_VALUE;
			for (int i = 0; i < k; i++) {
				int gap = (i + 1 < k ? starts[i + 1] : length) - starts[i];
				maxGap = Math.max(maxGap, gap);
				minGap = Math.min(minGap, gap);
			}
			if (overlap >= minGap) throw new IllegalArgumentException("overlap " + overlap + " must be smaller than the "
				+ "stride " + minGap + " of a torus grid of " + k + " tiles over " + length + ": choose a smaller overlap");
			return new Axis(length, maxGap + overlap, overlap, 0, starts, blend, length);
		}

		/** How far the last tile reaches past the axis' end (wrapping on a torus axis; 0 on a plain one). */
		public int pastEnd() {
			return Math.max(0, starts[starts.length - 1] + tile - length);
		}

		Axis scaled(int factor) {
			int[] s = starts.clone();
			for (int i = 0; i < s.length; i++) s[i] *= factor;
			return new Axis(length * factor, tile * factor, overlap * factor, margin * factor, s, blend, period * factor);
		}

		public int count() {
			return starts.length;
		}

		public int start(int i) {
			return starts[i];
		}

		/** The weights of tile {@code i} at its positions 0 … tile−1, normalised: Σ over tiles = 1 at every position. */
		public float[] weights(int i) {
			return weights[i];
		}

		/**
		 * The positions where tile contributions meet: every tile start and end inside the axis and, for hard cuts,
		 * the cut in each overlap. A seam, if any, lies next to one of these.
		 */
		public List<Integer> borders() {
			if (period > 0) {
				java.util.TreeSet<Integer> set = new java.util.TreeSet<>();
				for (int i = 0; i < starts.length; i++) {
					set.add(starts[i] % period);
					set.add((starts[i] + tile) % period);
				}
				return new ArrayList<>(set);
			}
			List<Integer> out = new ArrayList<>();
			for (int i = 0; i < starts.length; i++) {
				if (starts[i] > 0) out.add(starts[i]);
				if (starts[i] + tile < length) out.add(starts[i] + tile);
				if (i + 1 < starts.length) out.add(cut(i));
			}
			Collections.sort(out);
			return out;
		}

		/** The middle of the overlap of tiles i and i + 1: where {@link Blend#NONE} switches from one to the other. */
		private int cut(int i) {
			return (starts[i] + tile + starts[i + 1]) / 2;
		}

		/**
		 * Weights on a torus: every tile ramps at both ends (or, for {@link Blend#NONE}, owns the positions from its
		 * start to the next tile's), normalised by their sum modulo the period.
		 */
		private float[][] torusWeights() {
			int k = starts.length;
			double[][] raw = new double[k][tile];
			for (int i = 0; i < k; i++) {
				int gap = (i + 1 < k ? starts[i + 1] : period) - starts[i];
				for (int d = 0; d < tile; d++)
					raw[i][d] = blend == Blend.NONE ? (d < gap ? 1 : 0) : Math.min(edge(d), edge(tile - 1 - d));
			}
			double[] sum = new double[period];
			for (int i = 0; i < k; i++)
				for (int d = 0; d < tile; d++) sum[(starts[i] + d) % period] += raw[i][d];
			float[][] out = new float[k][tile];
			for (int i = 0; i < k; i++)
				for (int d = 0; d < tile; d++) out[i][d] = (float) (raw[i][d] / sum[(starts[i] + d) % period]);
			return out;
		}

		/** The unnormalised weight at distance d from a shared edge: ε in the margin, then the ramp. */
		private double edge(int d) {
			if (d < margin) return MARGIN_WEIGHT;
			return Math.max(MARGIN_WEIGHT, blend.ramp(d - margin, overlap - 2 * margin));
		}

		private float[][] normalisedWeights() {
			if (period > 0) return torusWeights();
			int k = starts.length;
			double[][] raw = new double[k][tile];
			for (int i = 0; i < k; i++) {
				boolean left = starts[i] > 0, right = starts[i] + tile < length;
				int from = i == 0 ? 0 : cut(i - 1), to = i + 1 == k ? length : cut(i);
				for (int d = 0; d < tile; d++) {
					if (blend == Blend.NONE) {
						int p = starts[i] + d;
						raw[i][d] = p >= from && p < to ? 1 : 0;
					}
					else {
						double w = 1;
						if (left) w = Math.min(w, edge(d));
						if (right) w = Math.min(w, edge(tile - 1 - d));
						raw[i][d] = w;
					}
				}
			}
			double[] sum = new double[length];
			for (int i = 0; i < k; i++)
				for (int d = 0; d < tile; d++) sum[starts[i] + d] += raw[i][d];
			float[][] out = new float[k][tile];
			for (int i = 0; i < k; i++)
				for (int d = 0; d < tile; d++) out[i][d] = (float) (raw[i][d] / sum[starts[i] + d]);
			return out;
		}
	}
}
