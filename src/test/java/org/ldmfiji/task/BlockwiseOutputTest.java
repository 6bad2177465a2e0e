package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.imglib2.Interval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.ByteAccess;
import net.imglib2.img.basictypeaccess.FloatAccess;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.tiling.Window;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.IntFunction;

/**
 * Outputs written into a caller's image block by block ({@link ImgSampling}, {@link BlockwiseSuperResolution}): every
 * pixel exactly once, targets of more than 2^31 pixels, and for super-resolution the blend of the blocks: seeded by
 * position, exact inside each block, consistent with the source everywhere. The model is replaced by stubs here (a
 * sampler that hands over constant blocks, a super-resolver that replicates pixels with a seeded, zero-mean texture);
 * {@link LatentDiffusionTest} runs the demo model through the same code.
 */
class BlockwiseOutputTest {

	/**
	 * Sampling into an 8-bit target of 49152 × 43691 = 2^31 + 16384 pixels in cells of 4096²: each pixel is written
	 * once, with its own block's values, and no cell stores more than a bit per pixel (the test's heap is 4 GB).
	 */
	@Test
	void samplingWritesEveryPixelOfATargetLargerThan2To31ExactlyOnce() {
		CellGrid grid = new CellGrid(new long[] {49152, 43691}, new int[] {4096, 4096});
		CountingBytes cells = new CountingBytes(grid);
		assertTrue(Intervals.numElements(cells.img) > 1L << 31);
		RandomAccessibleInterval<UnsignedByteType> target = Views.translate(cells.img, -5000, 1L << 32);
		SampleValues values = new SampleValues(new double[] {-1, 1}, 255, true);
		long cols = grid.getGridDimensions()[0];
		ImgSampling.write(target, ImgSampling.blocks(target), values, (w, h, blocks, sink) -> {
			assertEquals(49152, w);
			assertEquals(43691, h);
			for (Window b : blocks) {
				long cell = b.x / 4096 + b.y / 4096 * cols;
				float[] v = new float[b.width * b.height];
				Arrays.fill(v, modelValue(cell));
				sink.accept(b, new FloatPlanes(1, b.height, b.width, v));
			}
		});
		assertEquals(Intervals.numElements(grid.getGridDimensions()), cells.made.size(), "every cell is written");
		for (Map.Entry<Long, CountingBytes.Access> e : cells.made.entrySet()) {
			CountingBytes.Access a = e.getValue();
			assertEquals(a.size, a.written, "cell " + e.getKey() + ": pixels written");
			assertEquals(0, a.again, "cell " + e.getKey() + ": pixels written twice");
			assertEquals(0, a.wrong, "cell " + e.getKey() + ": pixels with another block's value");
			assertEquals((int) values.pixel(modelValue(e.getKey())), a.first & 0xff, "cell " + e.getKey() + "'s value");
		}
	}

	private static float modelValue(long cell) {
		return -1 + 2 * (cell % 200) / 255f;
	}

	/**
	 * Super-resolution in 16-pixel blocks with 4-pixel halos (5 × 4 blocks) into a cell image whose cells do not match
	 * the blocks: each output pixel written once, the whole output reproducing the source under the 4 × 4 area average
	 * (each window's result does, and the weights are constant on each source pixel's cell), each block's inner part
	 * exactly its own window's result with its own seed, and the halos a blend of both neighbours.
	 */
	@Test
	void superResolutionInBlocksWritesEachPixelOnceAndStaysConsistentWithTheSource() {
		int f = 4, w = 70, h = 50, block = 16, halo = 4;
		FloatPlanes src = FloatPlanes.zeros(1, h, w);
		for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) src.set(0, y, x, (float) Math.sin(x * 0.3) * 50 + y);
		BlockwiseSuperResolution bsr = new BlockwiseSuperResolution(block, halo, f);
		CountingFloats cells = new CountingFloats(new CellGrid(new long[] {w * f, h * f}, new int[] {37, 29}));
		Map<Long, Integer> windows = new HashMap<>();
		bsr.run(src, cells.img, (low, seed, done) -> {
			windows.merge(seed, 1, Integer::sum);
			return replicate(low, f, seed);
		}, x -> x, 7, 1, Progress.NONE);
		assertEquals(5 * 4, windows.size(), "one window and one seed per block");
		assertTrue(windows.containsKey(7L), "block (0, 0) keeps the run's seed");
		for (CountingFloats.Access a : cells.made.values())
			for (int n : a.writes) assertEquals(1, n, "every output pixel is written once");
		assertEquals((w * f / 37 + 1) * (h * f / 29 + 1), cells.made.size(), "every cell is written");

		var ra = cells.img.randomAccess();
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) {
				double sum = 0;
				for (int j = 0; j < f; j++) for (int i = 0; i < f; i++) sum += ra.setPositionAndGet(x * f + i, y * f + j).get();
				assertEquals(src.get(0, y, x), sum / (f * f), 1e-3, "area average at source pixel " + x + ", " + y);
			}
		// block (1, 2): its window starts at source (2·16 − 4, 16 − 4); inside [36, 44) × [20, 28) only it counts
		FloatPlanes own = replicate(crop(src, 28, 12, 16 + 2 * halo, 16 + 2 * halo), f, BlockwiseSuperResolution.seed(7, 1, 2));
		for (int y = 20 * f; y < 28 * f; y++)
			for (int x = 36 * f; x < 44 * f; x++)
				assertEquals(own.get(0, y - 12 * f, x - 28 * f), ra.setPositionAndGet(x, y).get(), 1e-4, "pixel " + x + ", " + y
					+ " inside block (1, 2) is its window's");
		// at the border between blocks (1, 1) and (1, 2) (source x = 32) both count
		FloatPlanes left = replicate(crop(src, 12, 12, 16 + 2 * halo, 16 + 2 * halo), f, BlockwiseSuperResolution.seed(7, 1, 1));
		int y = 24 * f, x = 32 * f;
		float mine = ra.setPositionAndGet(x, y).get(), a = own.get(0, y - 12 * f, x - 28 * f), b = left.get(0, y - 12 * f,
			x - 12 * f);
		assertNotEquals(a, b, "the stub's neighbours differ here");
		double wRight = bsr.weight(2, 5, 32);
		assertEquals(wRight * a + (1 - wRight) * b, mine, 1e-3, "the border pixel is the ramp's blend");
		assertTrue(wRight > 0.4 && wRight < 0.6, "mid-ramp at the border: " + wRight);
	}

	/**
	 * The demo model in 16-pixel blocks with 4-pixel halos over a 28 × 24 float source at a non-zero min (2 × 2 blocks):
	 * the target's interval is the source's × 4, every pixel is written once, and the whole result reproduces the
	 * source under the 4 × 4 area average (the consistency step, exact per window, stays exact for the blend).
	 */
	@Test
	void superResolutionOfSeveralBlocksWithTheDemoModelIsWrittenOnceAndConsistent() {
		int w = 28, h = 24, f = 4;
		Img<FloatType> img = ArrayImgs.floats(w, h);
		long seed = 5;
		for (FloatType t : img) t.set(100 + (float) ((seed = seed * 6364136223846793005L + 1442695040888963407L) >>> 57));
		RandomAccessibleInterval<FloatType> src = Views.translate(img, -7, 11);
		CountingFloats cells = new CountingFloats(new CellGrid(new long[] {w * f, h * f}, new int[] {48, 40}));
		RandomAccessibleInterval<FloatType> target = Views.translate(cells.img, -28, 44);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(3);
		o.samples = 1;
		List<String> status = new java.util.ArrayList<>();
		Progress log = new Progress() {
			@Override
			public void status(String message) {
				status.add(message);
			}

			@Override
			public void progress(long done, long total) {}
		};
		ImgSuperResolution.into(DemoModel.get(), src, target, o, log, new BlockwiseSuperResolution(16, 4, f));
		assertTrue(status.get(0).contains(" 4 block(s)"), status.toString());
		assertEquals(3 * 3, cells.made.size(), "every cell is written");
		for (CountingFloats.Access a : cells.made.values())
			for (int n : a.writes) assertEquals(1, n, "every output pixel is written once");
		var in = src.randomAccess();
		var out = target.randomAccess();
		double worst = 0;
		for (long y = src.min(1); y <= src.max(1); y++)
			for (long x = src.min(0); x <= src.max(0); x++) {
				double sum = 0;
				for (int j = 0; j < f; j++) for (int i = 0; i < f; i++) sum += out.setPositionAndGet(x * f + i, y * f + j).get();
				worst = Math.max(worst, Math.abs(sum / (f * f) - in.setPositionAndGet(x, y).get()));
			}
		assertTrue(worst < 0.01, "the 4 x 4 area average reproduces the source (values 100…227), worst difference " + worst);
	}

	/** One block of the default size: a single window with the run's seed, its values written as they are. */
	@Test
	void aSourceThatFitsOneBlockIsOneWindowWithTheRunsSeed() {
		int f = 4;
		FloatPlanes src = FloatPlanes.zeros(2, 30, 40);
		for (int i = 0; i < src.data().length; i++) src.data()[i] = (i * 37 % 101) / 7f;
		Img<FloatType> out = ArrayImgs.floats(160, 120, 2);
		long[] seeds = new long[2];
		new BlockwiseSuperResolution(BlockwiseSuperResolution.BLOCK, BlockwiseSuperResolution.HALO, f).run(src, out,
			(low, seed, done) -> {
				seeds[0] = seed;
				seeds[1]++;
				assertEquals(40, low.width());
				return replicate(low, f, seed);
			}, x -> x, 123, 1, Progress.NONE);
		assertEquals(123, seeds[0]);
		assertEquals(1, seeds[1], "one window");
		float[] expected = replicate(src, f, 123).data();
		int i = 0;
		for (FloatType t : Views.flatIterable(out)) assertEquals(expected[i++], t.get(), 0, "value " + (i - 1));
	}

	/**
	 * The x4 result of a 11586² source holds 2^31 + 282688 values: once refused as more than one buffer, now accepted and
	 * started block by block (cancelled before the first block here, so no model runs).
	 */
	@Test
	void superResolutionIntoATargetLargerThan2To31IsAcceptedAndStarts() {
		int side = 11586;
		Img<UnsignedByteType> src = ArrayImgs.unsignedBytes(side, side);
		CellGrid grid = new CellGrid(new long[] {4L * side, 4L * side}, new int[] {2048, 2048});
		LazyCellImg<UnsignedByteType, ?> target = new CountingBytes(grid).img;
		assertTrue(Intervals.numElements(target) > 1L << 31);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(1);
		List<String> status = new java.util.ArrayList<>();
		Progress cancelAtOnce = new Progress() {
			@Override
			public void status(String message) {
				status.add(message);
			}

			@Override
			public void progress(long done, long total) {}

			@Override
			public void checkCancelled() {
				throw new CancellationException("stop");
			}
		};
		assertThrows(CancellationException.class, () -> new LatentDiffusion(DemoModel.get()).superResolve(src, target, o,
			cancelAtOnce));
		assertTrue(status.get(0).contains(" 529 block(s)"), status.toString());
	}

	// ---- stubs ----

	/** Each pixel replicated f × f with a seeded texture of zero mean on every f × f cell (so it stays consistent). */
	private static FloatPlanes replicate(FloatPlanes low, int f, long seed) {
		FloatPlanes out = FloatPlanes.zeros(low.channels(), low.height() * f, low.width() * f);
		double s = 1 + (seed % 1000) / 100.0;
		for (int c = 0; c < low.channels(); c++)
			for (int y = 0; y < out.height(); y++)
				for (int x = 0; x < out.width(); x++) {
					double texture = s * ((x % f) - (f - 1) / 2.0) * ((y % 2) * 2 - 1);
					out.set(c, y, x, (float) (low.get(c, y / f, x / f) + texture));
				}
		return out;
	}

	private static FloatPlanes crop(FloatPlanes s, int x, int y, int w, int h) {
		FloatPlanes out = FloatPlanes.zeros(s.channels(), h, w);
		for (int c = 0; c < s.channels(); c++)
			for (int j = 0; j < h; j++) for (int i = 0; i < w; i++) out.set(c, j, i, s.get(c, y + j, x + i));
		return out;
	}

	/** Cells made on first access, each with an access of its pixel count, kept in {@code made} by cell index. */
	private static <A> LazyCellImg.Get<Cell<A>> cellsOf(CellGrid grid, IntFunction<A> access, Map<Long, A> made) {
		Map<Long, Cell<A>> cells = new HashMap<>();
		return i -> cells.computeIfAbsent(i, index -> {
			long[] min = new long[2];
			int[] dims = new int[2];
			grid.getCellDimensions(index, min, dims);
			A a = access.apply(dims[0] * dims[1]);
			made.put(index, a);
			return new Cell<>(dims, min, a);
		});
	}

	/** A lazy float cell image whose cells count the writes to each of their pixels. */
	private static final class CountingFloats {
		final Map<Long, Access> made = new HashMap<>();
		final LazyCellImg<FloatType, Access> img;

		CountingFloats(CellGrid grid) {
			img = new LazyCellImg<>(grid, new FloatType(), cellsOf(grid, Access::new, made));
		}

		static final class Access implements FloatAccess {
			final float[] values;
			final int[] writes;

			Access(int n) {
				values = new float[n];
				writes = new int[n];
			}

			@Override
			public float getValue(int index) {
				return values[index];
			}

			@Override
			public void setValue(int index, float value) {
				writes[index]++;
				values[index] = value;
			}
		}
	}

	/**
	 * A lazy 8-bit cell image that stores one bit per pixel (written or not), the first value of each cell, and counts
	 * second writes and values that differ from the first: a target of billions of pixels in a few hundred MB.
	 */
	private static final class CountingBytes {
		final Map<Long, Access> made = new HashMap<>();
		final LazyCellImg<UnsignedByteType, Access> img;

		CountingBytes(CellGrid grid) {
			img = new LazyCellImg<>(grid, new UnsignedByteType(), cellsOf(grid, Access::new, made));
		}

		static final class Access implements ByteAccess {
			final int size;
			final long[] bits;
			long written, again, wrong;
			byte first;

			Access(int n) {
				size = n;
				bits = new long[(n + 63) / 64];
			}

			@Override
			public byte getValue(int index) {
				return first;
			}

			@Override
			public void setValue(int index, byte value) {
				long bit = 1L << index;
				if ((bits[index >>> 6] & bit) != 0) again++;
				bits[index >>> 6] |= bit;
				if (written++ == 0) first = value;
				else if (value != first) wrong++;
			}
		}
	}
}
