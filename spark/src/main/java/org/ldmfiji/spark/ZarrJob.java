package org.ldmfiji.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.task.Dequantisation;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.RoundedStorage;
import org.ldmfiji.task.SampleStatistics;
import org.ldmfiji.task.StorableRange;
import org.ldmfiji.task.SuperResolution;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * x f super-resolution of one large 2D image stored as Zarr, in blocks (Rombach et al. 2022 run the SR model
 * convolutionally; here the blocks are independent Spark tasks).
 * <p>
 * Stage 1: the image is cut into a fixed grid of blocks of {@code block} pixels; each block is super-resolved with a
 * halo of {@code halo} pixels on every side (clipped at the image's edges) through {@link SuperResolution} (the task
 * API behind {@code ./ldm superres}, itself tiled and fused at every step inside the window), with one global value
 * map into the model's range (not per block: blocks must agree on brightness) and a seed derived from the block's
 * grid position and the run's seed ({@link #blockSeed}), never from the order of execution. Stage 2: each output chunk
 * is the blend of the blocks' results that cover it with weights that ramp linearly across the 2·halo wide overlap
 * and sum to one (a partition of unity of position alone), mapped back to the source's values and stored in its type
 * as {@code ./ldm superres} stores a result, square by square of the block grid.
 * <p>
 * So the result is a function of the image, the model, the settings, block and halo only: not of the output
 * chunking, the number of partitions or executors, nor of which block ran first or was retried.
 */
final class ZarrJob {

	/**
	 * Input pixels of the blend around a block's square that the rounding's smoothing also sees (the smoothing is solved
	 * over the square and this margin, and the square kept). Without it each square was smoothed as an island and the
	 * steps along the squares' edges, which are block borders too, stood out (a dim ramp of 21 levels in 32 px blocks:
	 * mean step there 0.080 against 0.038 inside the 4-px blocks, grid ratio 1.050); with 8 px (eight 4-px blocks of
	 * the result) 0.037, 0.963, and 16 px gave the same (models/demo/EVALUATION.md, session 30).
	 */
	static final int MARGIN = 8;

	/** The block grid over the input (Y, X) image. */
	static final class Grid implements Serializable {
		private static final long serialVersionUID = 1L;
		final int height, width, block, halo, factor;

		Grid(int height, int width, int block, int halo, int factor) {
			if (block < 1 || halo < 0 || 2 * halo > block) throw new IllegalArgumentException("--block " + block + " and --halo "
				+ halo + ": the halo must be at most half the block (the blend ramps of two neighbours must not overlap)");
			this.height = height;
			this.width = width;
			this.block = block;
			this.halo = halo;
			this.factor = factor;
		}

		int rows() {
			return (height + block - 1) / block;
		}

		int cols() {
			return (width + block - 1) / block;
		}

		/** The input window of block (i along an axis of size n): [start, end) with the halo, clipped. */
		int start(int i) {
			return Math.max(0, i * block - halo);
		}

		int end(int i, int n) {
			return Math.min(n, (i + 1) * block + halo);
		}

		/**
		 * Weight of block i at output position p (pixel centre p + 0.5) along an axis of n output pixels: 1 inside the
		 * block, a linear ramp across [edge − halo·f, edge + halo·f] at each inner edge, whose neighbours' ramps sum to 1.
		 */
		double weight(int i, int count, double p) {
			double bo = (double) block * factor, ho = (double) halo * factor, c = p + 0.5, s = i * bo, e = (i + 1) * bo;
			double left = i == 0 ? 1 : ramp((c - (s - ho)), ho, c >= s);
			double right = i == count - 1 ? 1 : ramp(((e + ho) - c), ho, c < e);
			return left * right;
		}

		private static double ramp(double d, double ho, boolean inside) {
			if (ho == 0) return inside ? 1 : 0;
			return Math.max(0, Math.min(1, d / (2 * ho)));
		}
	}

	/** A block of the grid, or a chunk of the output (row, column). */
	static final class Cell implements Serializable {
		private static final long serialVersionUID = 1L;
		final int row, col;

		Cell(int row, int col) {
			this.row = row;
			this.col = col;
		}

		@Override
		public String toString() {
			return row + "." + col;
		}
	}

	/** What both stages need, shipped with the closures. */
	static final class Job implements Serializable {
		private static final long serialVersionUID = 1L;
		final String input, output, work;
		final Grid grid;
		final int chunk;
		final double lo, hi;
		final RunSettings settings;
		final Bundles.Ref bundle;

		Job(String input, String output, Grid grid, int chunk, double lo, double hi, RunSettings settings, Bundles.Ref bundle) {
			this.input = input;
			this.output = output;
			this.work = output + ".ldm-spark";
			this.grid = grid;
			this.chunk = chunk;
			this.lo = lo;
			this.hi = hi;
			this.settings = settings;
			this.bundle = bundle;
		}

		ValueMap map(Manifest m) {
			return ValueMap.unit(lo, hi).onto(m.imageRange[0], m.imageRange[1]);
		}

		Path blockFile(Cell b) {
			return Paths.get(work, "blocks", b + ".f32");
		}

		Path chunkFile(Cell c) {
			return Paths.get(output, c.row + "." + c.col);
		}

		Path marker(Path file) {
			return Paths.get(work, "done", file.getParent().getFileName() + "-" + file.getFileName() + ".sha256");
		}
	}

	private ZarrJob() {}

	/**
	 * The seed of block (row, col): SplitMix64 (Steele et al. 2014) of the run's seed and the position, folded into the
	 * seed option's range; the same block gets the same noise in every run and under every partitioning.
	 */
	static long blockSeed(long seed, int row, int col) {
		long z = seed * 0x9E3779B97F4A7C15L + row * 0xBF58476D1CE4E5B9L + col * 0x94D049BB133111EBL;
		z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
		z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
		z ^= z >>> 31;
		return z & ((1L << 52) - 1);
	}

	/**
	 * The value range mapped onto the model's, by the plugin's policy for the type ({@link Normalization#forBitDepth})
	 * fitted on a sample of blocks: 0…255 for u1 (a dim one: its percentiles), else the 0.1/99.9 percentiles.
	 */
	static double[] valueRange(ZarrArray2D a, Grid g) {
		int rows = g.rows(), cols = g.cols(), step = Math.max(1, (int) Math.ceil(Math.sqrt((double) rows * cols / 16)));
		List<float[]> parts = new ArrayList<>();
		int n = 0;
		for (int r = 0; r < rows; r += step)
			for (int c = 0; c < cols; c += step) {
				int y = r * g.block, x = c * g.block, h = Math.min(g.block, g.height - y), w = Math.min(g.block, g.width - x);
				float[] v = a.read(y, x, h, w);
				parts.add(v);
				n += v.length;
			}
		float[] all = new float[n];
		int k = 0;
		for (float[] p : parts) {
			System.arraycopy(p, 0, all, k, p.length);
			k += p.length;
		}
		ValueMap m = Normalization.forBitDepth(8 * a.type.bytes).fit(all);
		return new double[] {m.lo(), m.hi()};
	}

	/** Stage 1: one block, super-resolved with its halo into a float file in the model's range. */
	static boolean processBlock(Job job, Cell b, LongAccumulator opens) {
		Path file = job.blockFile(b);
		if (DoneMarkers.finished(job.marker(file), file)) return false;
		Grid g = job.grid;
		int y0 = g.start(b.row), y1 = g.end(b.row, g.height), x0 = g.start(b.col), x1 = g.end(b.col, g.width);
		ZarrArray2D in = ZarrArray2D.open(job.input);
		float[] raw = in.read(y0, x0, y1 - y0, x1 - x0);
		LatentDiffusion ld = SparkUnits.bundle(job.bundle, opens);
		Manifest m = ld.bundle().manifest();
		ValueMap map = job.map(m);
		FloatPlanes low = new FloatPlanes(1, y1 - y0, x1 - x0, raw);
		float[] d = low.data();
		for (int i = 0; i < d.length; i++) d[i] = (float) map.forward(d[i]);
		FloatPlanes smooth = in.type.range() == null ? null
			: Dequantisation.ofType(low, Collections.singletonList(map), in.type.range(), m.imageRange);
		FloatPlanes high;
		synchronized (ld) { // one bundle runs one task at a time (LatentDiffusion's contract)
			SuperResolution sr = new SuperResolution(ld.bundle(), job.settings.sampling(blockSeed(job.settings.seed, b.row, b.col)));
			StorableRange storable = StorableRange.of(in.type.range(), Collections.singletonList(map));
			high = SampleStatistics.mean(sr.run(low, job.settings.samples, job.settings.tile, job.settings.consistency, storable,
				smooth, (done, steps) -> {}));
		}
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 + high.data().length * 4);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeInt(high.height());
			out.writeInt(high.width());
			for (float v : high.data()) out.writeFloat(v);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		DoneMarkers.writeAtomically(file, bytes.toByteArray());
		DoneMarkers.mark(job.marker(file), file);
		return true;
	}

	private static FloatPlanes readBlock(Job job, Cell b) {
		Path file = job.blockFile(b);
		if (!DoneMarkers.finished(job.marker(file), file)) throw new IllegalStateException("block " + b + " is not finished: "
			+ "run again");
		try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
			int h = data.readInt(), w = data.readInt();
			float[] v = new float[h * w];
			for (int i = 0; i < v.length; i++) v[i] = data.readFloat();
			return new FloatPlanes(1, h, w, v);
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
		}
	}

	/**
	 * Stage 2: one output chunk, the weighted blend of the blocks that cover it, in the source's values and type. An
	 * integer result is stored as {@link RoundedStorage} stores it (rounded, its f-px block borders smoothed first where
	 * the rounding alone would leave a grid: a dim sky's contours), decided on the fixed grid of the blocks (each block's
	 * output square of the blend, with {@link #MARGIN} around it) rather than on the chunk, so the result does not
	 * depend on the chunking. With the default chunk (the block) a chunk is one such square.
	 */
	static boolean writeChunk(Job job, Cell c) {
		Grid g = job.grid;
		int f = g.factor, oh = g.height * f, ow = g.width * f, co = job.chunk * f;
		int y0 = c.row * co, x0 = c.col * co, y1 = Math.min(oh, y0 + co), x1 = Math.min(ow, x0 + co);
		Path file = job.chunkFile(c);
		if (DoneMarkers.finished(job.marker(file), file)) return false;
		ZarrArray2D in = ZarrArray2D.open(job.input), out = ZarrArray2D.open(job.output);
		RoundedStorage rounding = RoundedStorage.of(in.type.range(), f);
		float[] v;
		if (rounding == null) {
			v = blend(job, y0, y1, x0, x1).data();
			for (int i = 0; i < v.length; i++) v[i] = in.type.clamp(v[i]);
		}
		else {
			v = new float[(y1 - y0) * (x1 - x0)];
			int bo = g.block * f;
			for (int ty0 = y0 / bo * bo; ty0 < y1; ty0 += bo)
				for (int tx0 = x0 / bo * bo; tx0 < x1; tx0 += bo) {
					int ty1 = Math.min(oh, ty0 + bo), tx1 = Math.min(ow, tx0 + bo);
					int m = MARGIN * f, ey0 = Math.max(0, ty0 - m), ex0 = Math.max(0, tx0 - m);
					FloatPlanes stored = rounding.apply(blend(job, ey0, Math.min(oh, ty1 + m), ex0, Math.min(ow, tx1 + m)));
					for (int y = Math.max(y0, ty0); y < Math.min(y1, ty1); y++)
						for (int x = Math.max(x0, tx0); x < Math.min(x1, tx1); x++)
							v[(y - y0) * (x1 - x0) + (x - x0)] = stored.get(0, y - ey0, x - ex0);
				}
		}
		out.writeChunk(c.row, c.col, v);
		DoneMarkers.mark(job.marker(file), file);
		return true;
	}

	/** Output pixels [y0, y1) × [x0, x1): the weighted blend of the blocks that cover them, in the source's values. */
	private static FloatPlanes blend(Job job, int y0, int y1, int x0, int x1) {
		Grid g = job.grid;
		int f = g.factor;
		double[] acc = new double[(y1 - y0) * (x1 - x0)];
		int rows = g.rows(), cols = g.cols();
		for (int r = 0; r < rows; r++) {
			int wy0 = g.start(r) * f, wy1 = g.end(r, g.height) * f;
			if (wy1 <= y0 || wy0 >= y1) continue;
			for (int k = 0; k < cols; k++) {
				int wx0 = g.start(k) * f, wx1 = g.end(k, g.width) * f;
				if (wx1 <= x0 || wx0 >= x1) continue;
				FloatPlanes blk = null;
				for (int y = Math.max(y0, wy0); y < Math.min(y1, wy1); y++) {
					double wy = g.weight(r, rows, y);
					if (wy == 0) continue;
					for (int x = Math.max(x0, wx0); x < Math.min(x1, wx1); x++) {
						double w = wy * g.weight(k, cols, x);
						if (w == 0) continue;
						if (blk == null) blk = readBlock(job, new Cell(r, k));
						acc[(y - y0) * (x1 - x0) + (x - x0)] += w * blk.get(0, y - wy0, x - wx0);
					}
				}
			}
		}
		ValueMap map = job.map(Bundles.manifest(job.bundle));
		float[] v = new float[acc.length];
		for (int i = 0; i < v.length; i++) v[i] = (float) map.inverse(acc[i]);
		return new FloatPlanes(1, y1 - y0, x1 - x0, v);
	}

	static List<Cell> blocks(Grid g) {
		List<Cell> out = new ArrayList<>();
		for (int r = 0; r < g.rows(); r++) for (int c = 0; c < g.cols(); c++) out.add(new Cell(r, c));
		return out;
	}

	static List<Cell> chunks(Grid g, int chunk) {
		List<Cell> out = new ArrayList<>();
		for (int r = 0; r < (g.height + chunk - 1) / chunk; r++)
			for (int c = 0; c < (g.width + chunk - 1) / chunk; c++) out.add(new Cell(r, c));
		return out;
	}

	/** Runs both stages; returns [blocks computed, blocks skipped]. */
	static long[] run(JavaSparkContext jsc, ProgressListener progress, Job job, LongAccumulator opens) {
		ZarrArray2D in = ZarrArray2D.open(job.input);
		Grid g = job.grid;
		ZarrArray2D.create(job.output, g.height * g.factor, g.width * g.factor, job.chunk * g.factor, job.chunk * g.factor,
			in.type);
		List<Cell> blocks = blocks(g), chunks = chunks(g, job.chunk);
		progress.begin("super-resolution blocks", blocks.size());
		List<Boolean> computed = jsc.parallelize(blocks, blocks.size()).map(b -> processBlock(job, b, opens)).collect();
		progress.begin("output chunks", chunks.size());
		jsc.parallelize(chunks, chunks.size()).map(c -> writeChunk(job, c)).collect();
		long n = computed.stream().filter(x -> x).count();
		return new long[] {n, computed.size() - n};
	}

	static String describe(Job job) {
		Grid g = job.grid;
		return String.format(Locale.ROOT, "%dx%d input in %d blocks of %d px (halo %d px, windows up to %d px), x%d output "
			+ "%dx%d in %d chunks of %d px; values %.6g..%.6g onto the model's range", g.width, g.height, blocks(g).size(),
			g.block, g.halo, g.block + 2 * g.halo, g.factor, g.width * g.factor, g.height * g.factor, chunks(g, job.chunk).size(),
			job.chunk * g.factor, job.lo, job.hi);
	}
}
