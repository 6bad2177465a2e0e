package org.ldmfiji.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import ij.process.ImageProcessor;
import net.imglib2.Cursor;
import net.imglib2.Interval;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.img.basictypeaccess.array.ShortArray;
import net.imglib2.img.basictypeaccess.FloatAccess;
import net.imglib2.img.cell.Cell;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.img.cell.CellImgFactory;
import net.imglib2.img.cell.LazyCellImg;
import net.imglib2.type.NativeType;
import net.imglib2.type.logic.BitType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.type.numeric.integer.UnsignedShortType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.util.Intervals;
import net.imglib2.view.Views;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.ldmfiji.imagej.InpaintImage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The ImgLib2 task API ({@link LatentDiffusion}) on the demo bundle: intervals with a non-zero min, the source's type,
 * bit-identity outside the mask and the same pixels as the ImageJ jobs, which share its code.
 */
class LatentDiffusionTest {

	private static final int W = 80, H = 72;
	private static final long[] MIN = {-17, 23};

	private static LatentDiffusion ldm() {
		return new LatentDiffusion(DemoModel.get());
	}

	private static InpaintOptions inpaintOptions() {
		InpaintOptions o = new InpaintOptions();
		o.sampling = DemoModel.fast(1);
		o.grow = 2;
		o.feather = 3;
		o.context = 16;
		return o;
	}

	@TestFactory
	Stream<DynamicTest> inpaintingKeepsIntervalTypeAndOutsidePixelsAndEqualsTheImageJJob() {
		return Stream.of(8, 16, 32).map(bits -> DynamicTest.dynamicTest(bits + "-bit", () -> inpaint(bits)));
	}

	private static void inpaint(int bits) {
		ImagePlus imp = TestImages.image("src", bits, W, H, 1);
		boolean[] mask = TestImages.rect(W, H, 30, 28, 12, 9);
		InpaintOptions o = inpaintOptions();
		RandomAccessibleInterval<? extends RealType<?>> src = Views.translate(wrap(imp.getProcessor()), MIN);
		RandomAccessibleInterval<BitType> m = Views.translate(bitMask(mask, W, H), MIN);
		Img<? extends RealType<?>> out = inpaintRaw(src, m, o);

		assertEquals(Intervals.toString(src), Intervals.toString(out), "the result must have the source's interval");
		assertSame(src.getType().getClass(), out.firstElement().getClass(), "the result must have the source's type");
		float[] before = values(src), after = values(out);
		boolean[] grown = Masks.grow(mask, W, H, o.grow);
		int changedInside = 0;
		for (int i = 0; i < grown.length; i++) {
			if (!grown[i]) assertEquals(Float.floatToIntBits(before[i]), Float.floatToIntBits(after[i]),
				"pixel " + i % W + "," + i / W + " outside the mask changed");
			else if (after[i] != before[i]) changedInside++;
		}
		assertTrue(changedInside > Masks.count(mask) / 2, "the fill changed only " + changedInside + " of "
			+ Masks.count(mask) + " masked pixels");

		InpaintImage.Options io = new InpaintImage.Options();
		io.sampling = o.sampling;
		io.grow = o.grow;
		io.feather = o.feather;
		io.context = o.context;
		float[] ij = values(wrap(InpaintImage.run(DemoModel.get(), imp, mask, io, Progress.NONE).image.getProcessor()));
		assertArrayEquals(ij, after, "the ImgLib2 path must give the ImageJ job's pixels (same windows, maps, blend)");
	}

	@SuppressWarnings({"unchecked", "rawtypes"})
	private static Img<? extends RealType<?>> inpaintRaw(RandomAccessibleInterval src, RandomAccessibleInterval<BitType> m,
		InpaintOptions o)
	{
		return ldm().inpaint(src, m, o, Progress.NONE);
	}

	@Test
	void inpaintingAThreeChannelImageFillsEachChannelAndKeepsTheRest() {
		int c = 3;
		Img<UnsignedByteType> rgb = ArrayImgs.unsignedBytes(W, H, c);
		for (int k = 0; k < c; k++) {
			ImageProcessor ip = TestImages.plane(8, W, H, 10 + k);
			Cursor<UnsignedByteType> cur = Views.flatIterable(Views.hyperSlice(rgb, 2, k)).cursor();
			for (int i = 0; i < W * H; i++) cur.next().set(ip.get(i));
		}
		long[] min = {5, -9, 2};
		RandomAccessibleInterval<UnsignedByteType> src = Views.translate(rgb, min);
		boolean[] mask = TestImages.rect(W, H, 20, 40, 15, 10);
		Img<UnsignedByteType> out = ldm().inpaint(src, Views.translate(bitMask(mask, W, H), 5, -9), inpaintOptions(),
			Progress.NONE);

		assertEquals(Intervals.toString(src), Intervals.toString(out));
		boolean[] grown = Masks.grow(mask, W, H, 2);
		RandomAccess<UnsignedByteType> a = src.randomAccess(), b = out.randomAccess();
		for (int k = 0; k < c; k++) {
			int changed = 0;
			for (int i = 0; i < grown.length; i++) {
				long[] pos = {min[0] + i % W, min[1] + i / W, min[2] + k};
				int before = a.setPositionAndGet(pos).get(), after = b.setPositionAndGet(pos).get();
				if (!grown[i]) assertEquals(before, after, "channel " + k + " pixel " + i % W + "," + i / W + " changed");
				else if (before != after) changed++;
			}
			assertTrue(changed > Masks.count(mask) / 2, "channel " + k + ": the fill changed only " + changed + " pixels");
		}
	}

	/**
	 * A mask far from most of a wide image: the ImgLib2 path plans only on the part the fill can reach (the mask's
	 * bounds grown by the context and twice the native window), and still gives the ImageJ job's pixels, which plans
	 * on the whole plane; everything else is the source's.
	 */
	@Test
	void inpaintingPlansOnThePartTheFillCanReachWithTheWholeImagesPixels() {
		int w = 800, h = 160;
		ImagePlus imp = TestImages.image("wide", 16, w, h, 1);
		boolean[] mask = TestImages.rect(w, h, 40, 60, 14, 12);
		InpaintOptions o = inpaintOptions();
		RandomAccessibleInterval<? extends RealType<?>> src = Views.translate(wrap(imp.getProcessor()), 3, -8);
		Img<? extends RealType<?>> out = inpaintRaw(src, Views.translate(bitMask(mask, w, h), 3, -8), o);
		assertEquals(Intervals.toString(src), Intervals.toString(out));
		InpaintImage.Options io = new InpaintImage.Options();
		io.sampling = o.sampling;
		io.grow = o.grow;
		io.feather = o.feather;
		io.context = o.context;
		float[] ij = values(wrap(InpaintImage.run(DemoModel.get(), imp, mask, io, Progress.NONE).image.getProcessor()));
		float[] before = values(src), after = values(out);
		assertArrayEquals(ij, after, "the ImgLib2 path must give the ImageJ job's pixels");
		int changed = 0;
		for (int i = 0; i < after.length; i++) if (after[i] != before[i]) changed++;
		assertTrue(changed > Masks.count(mask) / 2, "the fill changed " + changed + " pixels");
	}

	@Test
	void inpaintingRefusesAMaskWithAnotherInterval() {
		RandomAccessibleInterval<FloatType> src = Views.translate(ArrayImgs.floats(W, H), MIN);
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ldm().inpaint(src,
			bitMask(TestImages.rect(W, H, 30, 28, 12, 9), W, H), inpaintOptions(), Progress.NONE));
		assertTrue(e.getMessage().contains("Views.translate"), e.getMessage());
	}

	@TestFactory
	Stream<DynamicTest> superResolutionGivesTheSourceIntervalTimesFourInItsType() {
		return Stream.of(
			DynamicTest.dynamicTest("16-bit", () -> superResolve(ArrayImgs.unsignedShorts(20, 12), new long[] {-5, 7})),
			DynamicTest.dynamicTest("float, 2 channels", () -> superResolve(ArrayImgs.floats(16, 12, 2),
				new long[] {3, -4, 1})));
	}

	private static <T extends RealType<T> & NativeType<T>> void superResolve(ArrayImg<T, ?> img, long[] min) {
		long seed = 3;
		for (T t : img) t.setReal(100 + ((seed = seed * 6364136223846793005L + 1442695040888963407L) >>> 54));
		RandomAccessibleInterval<T> src = Views.translate(img, min);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(2);
		Img<T> out = ldm().superResolve(src, o, Progress.NONE);
		int f = DemoModel.get().manifest().autoencoder.factor;
		assertEquals(4, f, "the demo model's factor");
		for (int d = 0; d < 2; d++) {
			assertEquals(f * src.min(d), out.min(d), "min of dimension " + d);
			assertEquals(f * (src.max(d) + 1) - 1, out.max(d), "max of dimension " + d);
		}
		if (src.numDimensions() == 3) assertEquals(src.min(2) + ".." + src.max(2), out.min(2) + ".." + out.max(2),
			"the channel axis is kept");
		assertSame(img.firstElement().getClass(), out.firstElement().getClass());
		double sum = 0;
		for (T t : out) sum += t.getRealDouble();
		assertTrue(sum > 0, "the result is not empty");
	}

	/**
	 * Super-resolution into a caller's cell image at the source's interval x 4: the same pixels as the returned
	 * image, and a target with another interval refused before any work.
	 */
	@Test
	void superResolutionWritesIntoACallersCellImageAtFourTimesTheInterval() {
		Img<UnsignedShortType> img = ArrayImgs.unsignedShorts(20, 12);
		long seed = 9;
		for (UnsignedShortType t : img) t.setReal(300 + ((seed = seed * 6364136223846793005L + 1442695040888963407L) >>> 52));
		RandomAccessibleInterval<UnsignedShortType> src = Views.translate(img, -5, 7);
		SuperResolutionOptions o = new SuperResolutionOptions();
		o.sampling = DemoModel.fast(2);
		Img<UnsignedShortType> expected = ldm().superResolve(src, o, Progress.NONE);
		Img<UnsignedShortType> cells = new CellImgFactory<>(new UnsignedShortType(), 16).create(80, 48);
		RandomAccessibleInterval<UnsignedShortType> target = Views.translate(cells, -20, 28);
		assertSame(target, ldm().superResolve(src, target, o, Progress.NONE));
		assertEquals(Intervals.toString(expected), Intervals.toString(target), "the target is the source's interval x 4");
		Cursor<UnsignedShortType> a = Views.flatIterable(expected).cursor(), b = Views.flatIterable(target).cursor();
		while (a.hasNext()) assertEquals(a.next().get(), b.next().get(), "the cell image holds the returned image's pixels");
		IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ldm().superResolve(src, cells, o,
			Progress.NONE));
		assertTrue(e.getMessage().contains("x4 result"), e.getMessage());
	}

	/** Sampling into a lazy cell image whose cells count the writes to each pixel. */
	@Test
	void samplingWritesEveryCellOfACellImageExactlyOnce() {
		CountingCells cells = new CountingCells(new CellGrid(new long[] {100, 70}, new int[] {32, 32}));
		SampleOptions o = new SampleOptions();
		o.sampling = DemoModel.fast(4);
		assertSame(cells.img, ldm().sample(cells.img, o, Progress.NONE));
		assertEquals(4 * 3, cells.loaded.size(), "every cell is written");
		for (Map.Entry<Long, CountingAccess> e : cells.loaded.entrySet()) {
			int[] writes = e.getValue().writes;
			for (int i = 0; i < writes.length; i++)
				assertEquals(1, writes[i], "cell " + e.getKey() + " pixel " + i + " written " + writes[i] + " times");
		}
		double min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
		for (FloatType t : cells.img) {
			min = Math.min(min, t.get());
			max = Math.max(max, t.get());
		}
		assertTrue(max > min && min > -0.5 && max < 1.5, "float samples lie around 0…1, got " + min + "…" + max);
	}

	@Test
	void samplingIntoATranslatedImageUsesTheTypesRange() {
		Img<UnsignedByteType> img = ArrayImgs.unsignedBytes(64, 48);
		SampleOptions o = new SampleOptions();
		o.sampling = DemoModel.fast(5);
		ldm().sample(Views.translate(img, 1000, -3), o, Progress.NONE);
		int max = 0, distinct = 0;
		boolean[] seen = new boolean[256];
		for (UnsignedByteType t : img) {
			max = Math.max(max, t.get());
			if (!seen[t.get()]) distinct++;
			seen[t.get()] = true;
		}
		assertTrue(max > 50 && distinct > 20, "8-bit samples span 0…255, got max " + max + ", " + distinct + " values");
	}

	/** A target of more than 2^31 pixels is planned in blocks (its cells) without allocating anything. */
	@Test
	void aTargetLargerThan2To31PixelsIsWrittenInItsCellsWithoutAllocation() {
		CellGrid grid = new CellGrid(new long[] {70_000, 40_000}, new int[] {4096, 4096});
		LazyCellImg<UnsignedShortType, ShortArray> huge = new LazyCellImg<>(grid, new UnsignedShortType(), i -> {
			throw new AssertionError("cell " + i + " was allocated");
		});
		assertTrue(Intervals.numElements(huge) > 1L << 31);
		List<Interval> blocks = ImgSampling.blocks(huge);
		assertEquals(Intervals.numElements(grid.getGridDimensions()), blocks.size(), "one block per cell");
		assertCoversOnce(huge, blocks);
		RandomAccessibleInterval<UnsignedShortType> view = Views.translate(huge, -3, 1L << 33);
		assertCoversOnce(view, ImgSampling.blocks(view));
	}

	private static void assertCoversOnce(Interval target, List<Interval> blocks) {
		long sum = 0;
		for (Interval b : blocks) {
			assertTrue(Intervals.contains(target, b), Intervals.toString(b) + " lies outside " + Intervals.toString(target));
			assertTrue(Intervals.numElements(b) < 1L << 31, "a block must fit one array");
			sum += Intervals.numElements(b);
		}
		assertEquals(Intervals.numElements(target), sum, "the blocks' pixels add up to the target's");
		for (int i = 0; i < blocks.size(); i++)
			for (int j = i + 1; j < blocks.size(); j++)
				assertTrue(Intervals.isEmpty(Intervals.intersect(blocks.get(i), blocks.get(j))), "blocks " + i + " and " + j
					+ " overlap");
	}

	// ---- helpers ----

	/** A lazy FloatType cell image whose cells are made on first use and count the writes to each of their pixels. */
	private static final class CountingCells {
		final Map<Long, CountingAccess> loaded = new HashMap<>();
		final LazyCellImg<FloatType, CountingAccess> img;

		CountingCells(CellGrid grid) {
			Map<Long, Cell<CountingAccess>> made = new HashMap<>();
			img = new LazyCellImg<>(grid, new FloatType(), i -> made.computeIfAbsent(i, index -> {
				long[] min = new long[2];
				int[] dims = new int[2];
				grid.getCellDimensions(index, min, dims);
				CountingAccess a = new CountingAccess(dims[0] * dims[1]);
				loaded.put(index, a);
				return new Cell<>(dims, min, a);
			}));
		}
	}

	private static final class CountingAccess implements FloatAccess {
		final FloatArray values;
		final int[] writes;

		CountingAccess(int n) {
			values = new FloatArray(n);
			writes = new int[n];
		}

		@Override
		public float getValue(int index) {
			return values.getValue(index);
		}

		@Override
		public void setValue(int index, float value) {
			writes[index]++;
			values.setValue(index, value);
		}
	}

	private static RandomAccessibleInterval<? extends RealType<?>> wrap(ImageProcessor ip) {
		return org.ldmfiji.image.IjImgViews.wrap(ip);
	}

	private static Img<BitType> bitMask(boolean[] mask, int w, int h) {
		Img<BitType> m = ArrayImgs.bits(w, h);
		Cursor<BitType> c = m.cursor();
		for (boolean b : mask) c.next().set(b);
		return m;
	}

	private static float[] values(RandomAccessibleInterval<? extends RealType<?>> img) {
		List<Float> out = new ArrayList<>();
		for (RealType<?> t : Views.flatIterable(img)) out.add(t.getRealFloat());
		float[] v = new float[out.size()];
		for (int i = 0; i < v.length; i++) v[i] = out.get(i);
		assertFalse(out.isEmpty());
		return v;
	}
}
