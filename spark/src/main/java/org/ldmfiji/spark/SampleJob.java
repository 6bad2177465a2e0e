package org.ldmfiji.spark;

import ij.ImagePlus;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;
import ij.process.ShortProcessor;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;

import org.ldmfiji.imagej.InpaintImage;
import org.ldmfiji.imagej.SampleImage;
import org.ldmfiji.task.LatentDiffusion;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.SamplingSettings;

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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One large image sampled from noise into a Zarr store, in cells of {@code cell} pixels on a checkerboard.
 * <p>
 * Independently sampled neighbouring blocks do not agree at their common border, and sampling the whole latent at
 * once (as {@code ./ldm sample} does) needs every block at every step. So the image is made in two phases, each of
 * independent Spark tasks:
 * <ol>
 * <li>the "black" cells (row + column even) are sampled on their own by the task {@code ./ldm sample} runs ({@link
 * SampleImage}), each with the seed derived from its position ({@link ZarrJob#blockSeed}) and with {@code pad}
 * pixels more on every side, cropped away (a sampled image's edges show the networks' zero padding); they touch
 * each other only at corners;</li>
 * <li>each "white" cell (row + column odd) is inpainted by the task {@code ./ldm inpaint} runs ({@link
 * InpaintImage}), in a neighbourhood of {@code context} pixels around it: its four edge neighbours are black cells,
 * all written in phase 1, so every block border of the image lies between a sampled cell and a fill conditioned on
 * it (the fill's seam correction makes it meet the known pixels, Pérez et al. 2003). The corners of the neighbourhood
 * belong to other white cells, unknown in phase 2: they are masked too (filled and thrown away), so what a white cell
 * sees never depends on another white cell, nor on the order of the tasks. The fill's mask is grown by {@code band}
 * pixels into the black neighbours, with a feather of the same width ({@code ./ldm inpaint}'s grow and feather): the
 * fill blends into them instead of meeting them at a line.</li>
 * </ol>
 * A third stage writes each output chunk from the cells that cover it: a black pixel within a white neighbour's band
 * takes that neighbour's blended value (the mean of the two at a black cell's corner, where two bands cross). The result is a function of the size, the
 * cell, the context, the model, the settings and the seed only: not of the output chunking, the partitioning, the
 * number of executors or the order in which cells ran. (A Markov-random-field view: the white cells are conditionally
 * independent given the black ones, which is what lets one phase run them all at once.)
 */
final class SampleJob {

	/** Everything the tasks need, shipped with the closures. */
	static final class Job implements Serializable {
		private static final long serialVersionUID = 1L;
		final String output, work;
		final int width, height, cell, chunk, context, bitDepth;
		/** Pixels a white cell's fill reaches into its black neighbours, blended with them (grow = feather). */
		final int band;
		/**
		 * Pixels sampled around a black cell and cropped away: a sampled image's edge is an edge of the U-Net's and
		 * decoder's zero padding, which must not lie on a cell border (f × latent_multiple of the sampling denoiser).
		 */
		final int pad;
		final String label;
		final double guidance;
		final boolean fillGaps;
		/** Sampling of the black cells (the seed is the run's; each cell's is derived from it). */
		final String sampler;
		final int steps;
		final long seed;
		final double eta;
		/** Inpainting of the white cells (grow 0, feather 0, context as above). */
		final InpaintSettings fill;
		final Bundles.Ref bundle;

		Job(String output, int width, int height, int cell, int chunk, int context, int band, int pad, int bitDepth, String label,
			double guidance, boolean fillGaps, String sampler, int steps, long seed, double eta, double strength, String seam,
			Bundles.Ref bundle)
		{
			if (band < 0 || 2 * band > cell) throw new IllegalArgumentException("--band " + band + " must be from 0 to half the "
				+ "--block (" + cell + "): a fill reaches at most halfway into its neighbours");
			if (cell < 16) throw new IllegalArgumentException("--block " + cell + " is too small: give at least 16 px (cells "
				+ "are sampled and inpainted whole)");
			this.output = output;
			this.work = output + ".ldm-spark";
			this.width = width;
			this.height = height;
			this.cell = cell;
			this.chunk = chunk;
			this.context = context;
			this.band = band;
			this.pad = pad;
			this.bitDepth = bitDepth;
			this.label = label;
			this.guidance = guidance;
			this.fillGaps = fillGaps;
			this.sampler = sampler;
			this.steps = steps;
			this.seed = seed;
			this.eta = eta;
			this.fill = new InpaintSettings(sampler, steps, seed, eta, band, band, context, strength, seam);
			this.bundle = bundle;
			options(0, 0); // checks the options on the driver
		}

		int rows() {
			return (height + cell - 1) / cell;
		}

		int cols() {
			return (width + cell - 1) / cell;
		}

		/** Black cells are sampled (phase 1), white ones inpainted (phase 2), unless the gaps are not filled. */
		boolean sampled(int row, int col) {
			return !fillGaps || (row + col) % 2 == 0;
		}

		ZarrArray2D.Type type() {
			return bitDepth == 8 ? ZarrArray2D.Type.U1 : bitDepth == 16 ? ZarrArray2D.Type.U2 : ZarrArray2D.Type.F4;
		}

		/** [x0, y0, x1, y1) of what a cell's file holds: a black cell's box, a white cell's grown by the band. */
		int[] grownBox(int row, int col) {
			int[] b = box(row, col);
			if (sampled(row, col)) return b;
			return new int[] {Math.max(0, b[0] - band), Math.max(0, b[1] - band), Math.min(width, b[2] + band),
				Math.min(height, b[3] + band)};
		}

		/** [x0, y0, x1, y1) of a cell. */
		int[] box(int row, int col) {
			return new int[] {col * cell, row * cell, Math.min(width, (col + 1) * cell), Math.min(height, (row + 1) * cell)};
		}

		SampleImage.Options options(int row, int col) {
			SampleImage.Options o = new SampleImage.Options();
			int[] b = box(row, col);
			o.width = b[2] - b[0] + 2 * pad;
			o.height = b[3] - b[1] + 2 * pad;
			o.bitDepth = bitDepth;
			o.label = label;
			o.guidance = guidance;
			o.sampling = new SamplingSettings(SamplingSettings.SamplerKind.parse(sampler), steps, ZarrJob.blockSeed(seed, row,
				col), eta);
			o.checkSampling();
			return o;
		}

		Path cellFile(ZarrJob.Cell c) {
			return Paths.get(work, "cells", c + ".f32");
		}

		Path chunkFile(ZarrJob.Cell c) {
			return Paths.get(output, c.row + "." + c.col);
		}

		Path marker(Path file) {
			return Paths.get(work, "done", file.getParent().getFileName() + "-" + file.getFileName() + ".sha256");
		}
	}

	private SampleJob() {}

	/** Phase 1: one black cell sampled as {@code ./ldm sample} samples an image of the cell's size, with the cell's seed. */
	static boolean sampleCell(Job job, ZarrJob.Cell c, LongAccumulator opens) {
		Path file = job.cellFile(c);
		if (DoneMarkers.finished(job.marker(file), file)) return false;
		LatentDiffusion ld = SparkUnits.bundle(job.bundle, opens);
		ImagePlus imp;
		synchronized (ld) { // one bundle runs one task at a time (LatentDiffusion's contract)
			imp = SampleImage.run(ld.bundle(), job.options(c.row, c.col), Progress.NONE);
		}
		ImageProcessor ip = imp.getProcessor();
		int w = ip.getWidth() - 2 * job.pad, h = ip.getHeight() - 2 * job.pad;
		float[] v = new float[w * h];
		for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) v[y * w + x] = ip.getf(x + job.pad, y + job.pad);
		write(job, c, h, w, v);
		return true;
	}

	/**
	 * Phase 2: one white cell inpainted as {@code ./ldm inpaint} fills a mask, in the neighbourhood of {@code context}
	 * pixels around it (clipped to the image); the cell and the neighbourhood's parts in other white cells are the mask,
	 * grown by the band. The cell's file holds the cell and its band.
	 */
	static boolean fillCell(Job job, ZarrJob.Cell c, LongAccumulator opens) {
		Path file = job.cellFile(c);
		if (DoneMarkers.finished(job.marker(file), file)) return false;
		int[] b = job.box(c.row, c.col);
		int m = job.context, x0 = Math.max(0, b[0] - m), y0 = Math.max(0, b[1] - m), x1 = Math.min(job.width, b[2] + m),
			y1 = Math.min(job.height, b[3] + m), w = x1 - x0, h = y1 - y0;
		ImageProcessor ip = job.bitDepth == 8 ? new ByteProcessor(w, h) : job.bitDepth == 16 ? new ShortProcessor(w, h)
			: new FloatProcessor(w, h);
		boolean[] mask = new boolean[w * h];
		Map<String, float[]> cells = new HashMap<>();
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++) {
				int row = y / job.cell, col = x / job.cell, i = (y - y0) * w + (x - x0);
				if (!job.sampled(row, col)) {
					mask[i] = true;
					continue;
				}
				ZarrJob.Cell k = new ZarrJob.Cell(row, col);
				float[] v = cells.computeIfAbsent(k.toString(), s -> read(job, k));
				int[] kb = job.box(row, col);
				ip.setf(i, v[(y - kb[1]) * (kb[2] - kb[0]) + (x - kb[0])]);
			}
		LatentDiffusion ld = SparkUnits.bundle(job.bundle, opens);
		ImagePlus filled;
		synchronized (ld) {
			InpaintImage.Options o = job.fill.with(job.steps, ZarrJob.blockSeed(job.seed, c.row, c.col)).options();
			filled = InpaintImage.run(ld.bundle(), new ImagePlus("cell " + c, ip), mask, o, Progress.NONE).image;
		}
		ImageProcessor out = filled.getProcessor();
		int[] g = job.grownBox(c.row, c.col);
		int cw = g[2] - g[0], ch = g[3] - g[1];
		float[] v = new float[cw * ch];
		for (int y = 0; y < ch; y++) for (int x = 0; x < cw; x++) v[y * cw + x] = out.getf(g[0] - x0 + x, g[1] - y0 + y);
		write(job, c, ch, cw, v);
		return true;
	}

	private static void write(Job job, ZarrJob.Cell c, int h, int w, float[] v) {
		Path file = job.cellFile(c);
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + v.length * 4);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeInt(h);
			out.writeInt(w);
			for (float x : v) out.writeFloat(x);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		DoneMarkers.writeAtomically(file, bytes.toByteArray());
		DoneMarkers.mark(job.marker(file), file);
	}

	/** A finished cell's pixel values, row-major over its box. */
	static float[] read(Job job, ZarrJob.Cell c) {
		Path file = job.cellFile(c);
		if (!DoneMarkers.finished(job.marker(file), file)) throw new IllegalStateException("cell " + c + " is not finished: "
			+ "run again");
		try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
			int h = data.readInt(), w = data.readInt();
			float[] v = new float[h * w];
			for (int i = 0; i < v.length; i++) v[i] = data.readFloat();
			return v;
		}
		catch (IOException e) {
			throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
		}
	}

	/** Stage 3: one output chunk from the cells that cover it. */
	static boolean writeChunk(Job job, ZarrJob.Cell c) {
		Path file = job.chunkFile(c);
		if (DoneMarkers.finished(job.marker(file), file)) return false;
		int y0 = c.row * job.chunk, x0 = c.col * job.chunk, y1 = Math.min(job.height, y0 + job.chunk),
			x1 = Math.min(job.width, x0 + job.chunk), w = x1 - x0;
		float[] v = new float[(y1 - y0) * w];
		Map<String, float[]> cells = new HashMap<>();
		for (int y = y0; y < y1; y++)
			for (int x = x0; x < x1; x++) {
				int row = y / job.cell, col = x / job.cell;
				double sum = 0;
				int n = 0;
				if (job.sampled(row, col) && job.band > 0) // the bands of the white neighbours that reach here, averaged
					for (int[] d : new int[][] {{-1, 0}, {1, 0}, {0, -1}, {0, 1}}) {
						int r = row + d[0], k = col + d[1];
						if (r < 0 || k < 0 || r >= job.rows() || k >= job.cols() || job.sampled(r, k)) continue;
						int[] g = job.grownBox(r, k);
						if (x < g[0] || x >= g[2] || y < g[1] || y >= g[3]) continue;
						sum += value(job, cells, r, k, x, y);
						n++;
					}
				v[(y - y0) * w + (x - x0)] = n > 0 ? job.type().clamp(sum / n) : value(job, cells, row, col, x, y);
			}
		ZarrArray2D.open(job.output).writeChunk(c.row, c.col, v);
		DoneMarkers.mark(job.marker(file), file);
		return true;
	}

	/** The value cell (row, col)'s file holds at image pixel (x, y). */
	private static float value(Job job, Map<String, float[]> cells, int row, int col, int x, int y) {
		ZarrJob.Cell k = new ZarrJob.Cell(row, col);
		float[] cv = cells.computeIfAbsent(k.toString(), s -> read(job, k));
		int[] g = job.grownBox(row, col);
		return cv[(y - g[1]) * (g[2] - g[0]) + (x - g[0])];
	}

	static List<ZarrJob.Cell> cells(Job job, boolean sampled) {
		List<ZarrJob.Cell> out = new ArrayList<>();
		for (int r = 0; r < job.rows(); r++)
			for (int c = 0; c < job.cols(); c++) if (job.sampled(r, c) == sampled) out.add(new ZarrJob.Cell(r, c));
		return out;
	}

	static List<ZarrJob.Cell> chunks(Job job) {
		List<ZarrJob.Cell> out = new ArrayList<>();
		for (int r = 0; r * job.chunk < job.height; r++)
			for (int c = 0; c * job.chunk < job.width; c++) out.add(new ZarrJob.Cell(r, c));
		return out;
	}

	/** Runs the three stages; returns [cells computed, cells skipped]. */
	static long[] run(JavaSparkContext jsc, ProgressListener progress, Job job, LongAccumulator opens, int partitions) {
		ZarrArray2D.create(job.output, job.height, job.width, job.chunk, job.chunk, job.type());
		List<ZarrJob.Cell> black = cells(job, true), white = cells(job, false), chunks = chunks(job);
		List<Boolean> computed = new ArrayList<>();
		progress.begin("sampled cells", black.size());
		computed.addAll(jsc.parallelize(black, parts(partitions, black.size())).map(c -> sampleCell(job, c, opens)).collect());
		if (!white.isEmpty()) {
			progress.begin("inpainted cells", white.size());
			computed.addAll(jsc.parallelize(white, parts(partitions, white.size())).map(c -> fillCell(job, c, opens)).collect());
		}
		progress.begin("output chunks", chunks.size());
		jsc.parallelize(chunks, parts(partitions, chunks.size())).map(c -> writeChunk(job, c)).collect();
		long n = computed.stream().filter(x -> x).count();
		return new long[] {n, computed.size() - n};
	}

	private static int parts(int partitions, int n) {
		return Math.max(1, partitions > 0 ? Math.min(partitions, n) : n);
	}

	static String describe(Job job) {
		return String.format(Locale.ROOT, "%dx%d %d-bit image in %d x %d cells of %d px: %d sampled%s, output chunks of %d px"
			+ " (%d)", job.width, job.height, job.bitDepth, job.cols(), job.rows(), job.cell, cells(job, true).size(),
			job.fillGaps ? ", then " + cells(job, false).size() + " inpainted with " + job.context + " px of context and a "
				+ job.band + " px band" : " (gaps "
				+ "not filled: every cell sampled on its own)", job.chunk, chunks(job).size());
	}
	/**
	 * [seconds to sample a full cell, seconds to fill one], each timed on its second run (the first warms TorchScript
	 * up): the fill in a neighbourhood made of the sampled cell repeated, masked as a white cell's.
	 */
	static double[] calibrate(Job job) {
		LatentDiffusion ld = Bundles.get(job.bundle);
		double[] t = new double[2];
		synchronized (ld) {
			ImagePlus cell = null;
			for (int run = 0; run < 2; run++) {
				long a = System.nanoTime();
				cell = SampleImage.run(ld.bundle(), job.options(0, 0), Progress.NONE);
				t[0] = (System.nanoTime() - a) / 1e9;
			}
			ImageProcessor c = cell.getProcessor();
			int cw = c.getWidth(), ch = c.getHeight(), m = job.context, w = cw + 2 * m, h = ch + 2 * m;
			ImageProcessor ip = c.createProcessor(w, h);
			boolean[] mask = new boolean[w * h];
			for (int y = 0; y < h; y++)
				for (int x = 0; x < w; x++) {
					boolean inX = x >= m && x < m + cw, inY = y >= m && y < m + ch;
					mask[y * w + x] = inX == inY; // the cell and the corners
					ip.setf(x, y, c.getf(Math.floorMod(x - m, cw), Math.floorMod(y - m, ch)));
				}
			for (int run = 0; run < 2; run++) {
				long a = System.nanoTime();
				InpaintImage.run(ld.bundle(), new ImagePlus("calibration", ip), mask, job.fill.options(), Progress.NONE);
				t[1] = (System.nanoTime() - a) / 1e9;
			}
		}
		return t;
	}

	static void printPlan(java.io.PrintStream out, JavaSparkContext jsc, Job job, Path folder) {
		int slots = jsc.defaultParallelism(), black = cells(job, true).size(), white = cells(job, false).size();
		long bundle = SparkMain.folderBytes(folder);
		int side = job.cell + 2 * job.context, window = Math.max(side, 2 * org.ldmfiji.model.Manifest.read(folder).denoiser(
			org.ldmfiji.task.Inpainting.TASK).nativeSize);
		long working = (long) window * window * 4L * 16;
		out.println(String.format(Locale.ROOT, "plan: %d sampled cell(s), then %d inpainted cell(s), then %d output chunk(s), "
			+ "on %d task slot(s)", black, white, chunks(job).size(), slots));
		out.println(String.format(Locale.ROOT, "memory per executor: about %d MiB = bundle %d MiB (held once per JVM) + %d MiB "
			+ "per concurrent task (windows up to %d px) + JVM overhead; give spark.executor.memory at least %d MiB per core",
			(2 * bundle + working) >> 20, bundle >> 20, working >> 20, window, Math.max(1024, ((2 * bundle + working) >> 20)
				+ 512)));
		double[] c = jsc.parallelize(List.of(1), 1).map(x -> calibrate(job)).collect().get(0);
		out.println(String.format(Locale.ROOT, "calibration on an executor: a %d px cell sampled in %.2f s, filled in %.2f s at "
			+ "%d steps", job.cell, c[0], c[1], job.steps));
		double total = (Math.ceil((double) black / slots) * c[0] + Math.ceil((double) white / slots) * c[1]);
		out.println(String.format(Locale.ROOT, "estimated time: %s (%d x %.2f s + %d x %.2f s on %d slot(s), the phases one "
			+ "after the other, plus the bundle's opening)", ProgressListener.format(total), black, c[0], white, c[1], slots));
	}
}
