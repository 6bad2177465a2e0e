package org.ldmfiji.task;

import net.imglib2.RandomAccess;
import net.imglib2.FinalInterval;
import net.imglib2.Interval;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.cell.AbstractCellImg;
import net.imglib2.img.cell.CellGrid;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Intervals;
import net.imglib2.util.Util;
import net.imglib2.view.Views;

import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;

/**
 * Large-image sampling ({@link LargeImageSampling}) into a caller's ImgLib2 image (X, Y, any min, any real type),
 * written block by block: a cell image's cells, otherwise blocks of {@link #BLOCK} pixels. Values are mapped into the
 * type's range as the ImageJ job does ({@link SampleValues}): the model's range onto 0…max for integer types, 0…1 for
 * float types.
 */
final class ImgSampling {

	/** The block side for targets that are not cell images. */
	static final int BLOCK = 1024;

	private ImgSampling() {}

	static <T extends RealType<T>> void run(ModelBundle bundle, RandomAccessibleInterval<T> target, SampleOptions o,
		Progress progress)
	{
		Manifest m = bundle.manifest();
		if (target.numDimensions() != 2) throw new IllegalArgumentException("sampling writes a 2D (X, Y) image, the "
			+ "target has " + target.numDimensions() + " dimensions: give one plane (Views.hyperSlice)");
		if (m.imageChannels != 1) throw new IllegalArgumentException("model '" + m.name + "' makes " + m.imageChannels
			+ "-channel images; sampling writes one-channel images");
		int w = ImgPixels.side(target.dimension(0), "the width"), h = ImgPixels.side(target.dimension(1), "the height");
		o.checkSampling();
		String label = o.label(m);
		T type = Util.getTypeFromInterval(target);
		boolean integer = type instanceof IntegerType;
		SampleValues values = new SampleValues(m.imageRange, integer ? type.getMaxValue() : 1, integer);
		List<Interval> blocks = blocks(target);
		progress.status(String.format(Locale.ROOT, "LDM sampling: %dx%d in %d block(s), label %s", w, h, blocks.size(),
			label));
		LargeImageSampling sampling = new LargeImageSampling(bundle, o.sampling, o.tiles(m));
		write(target, blocks, values, (width, height, windows, sink) -> sampling.run(width, height, label, o.guidance,
			windows, sink, progress.steps(0, o.sampling.stepsOn(m.schedule))));
		progress.status("LDM sampling: done");
	}

	/** What hands the image over block by block ({@link LargeImageSampling#run(int, int, String, double, List,
	 * BiConsumer, org.ldmfiji.diffusion.StepListener)}): each zero-min block once, as C × block in the model's range. */
	interface BlockSampler {
		void run(int width, int height, List<org.ldmfiji.tiling.Window> blocks,
			BiConsumer<org.ldmfiji.tiling.Window, FloatPlanes> sink);
	}

	/** Samples the target's blocks with {@code sampler} and writes each into its part of the target, once. */
	static <T extends RealType<T>> void write(RandomAccessibleInterval<T> target, List<Interval> blocks,
		SampleValues values, BlockSampler sampler)
	{
		int w = ImgPixels.side(target.dimension(0), "the width"), h = ImgPixels.side(target.dimension(1), "the height");
		long x0 = target.min(0), y0 = target.min(1);
		sampler.run(w, h, windows(relative(blocks, target)), (block, planes) -> write(target, x0 + block.x, y0 + block.y,
			planes, values));
	}

	/** Zero-min 2-D blocks as the core's windows (the core loads no ImgLib2, for plain ImageJ 1.x). */
	private static List<org.ldmfiji.tiling.Window> windows(List<? extends Interval> blocks) {
		List<org.ldmfiji.tiling.Window> out = new java.util.ArrayList<>(blocks.size());
		for (Interval b : blocks) out.add(new org.ldmfiji.tiling.Window((int) b.min(0), (int) b.min(1), (int) b.dimension(0),
			(int) b.dimension(1)));
		return out;
	}

	/**
	 * The blocks the target is written in, in its coordinates: each cell of a cell image (its grid shifted to the
	 * image's min), else a grid of {@link #BLOCK}-pixel squares (smaller at the far edges). They cover the target once.
	 */
	static List<Interval> blocks(RandomAccessibleInterval<?> target) {
		int n = target.numDimensions();
		long[] min = target.minAsLongArray();
		List<Interval> out = new ArrayList<>();
		if (target instanceof AbstractCellImg) {
			CellGrid grid = ((AbstractCellImg<?, ?, ?, ?>) target).getCellGrid();
			long cells = Intervals.numElements(grid.getGridDimensions());
			long[] cellMin = new long[n];
			int[] cellDims = new int[n];
			for (long i = 0; i < cells; i++) {
				grid.getCellDimensions(i, cellMin, cellDims);
				long[] lo = new long[n], hi = new long[n];
				for (int d = 0; d < n; d++) {
					lo[d] = min[d] + cellMin[d];
					hi[d] = lo[d] + cellDims[d] - 1;
				}
				out.add(new FinalInterval(lo, hi));
			}
			return out;
		}
		long[] counts = new long[n];
		for (int d = 0; d < n; d++) counts[d] = (target.dimension(d) + BLOCK - 1) / BLOCK;
		long total = Intervals.numElements(counts);
		long[] pos = new long[n];
		for (long i = 0; i < total; i++) {
			long rest = i;
			long[] lo = new long[n], hi = new long[n];
			for (int d = 0; d < n; d++) {
				pos[d] = rest % counts[d];
				rest /= counts[d];
				lo[d] = min[d] + pos[d] * BLOCK;
				hi[d] = Math.min(target.max(d), lo[d] + BLOCK - 1);
			}
			out.add(new FinalInterval(lo, hi));
		}
		return out;
	}

	private static List<Interval> relative(List<Interval> blocks, Interval target) {
		List<Interval> out = new ArrayList<>(blocks.size());
		long[] offset = target.minAsLongArray();
		for (int d = 0; d < offset.length; d++) offset[d] = -offset[d];
		for (Interval b : blocks) out.add(Intervals.translate(b, offset));
		return out;
	}

	/** One block's model values (1 × height × width) into the target's pixels from (x0, y0) on, row by row. */
	private static <T extends RealType<T>> void write(RandomAccessibleInterval<T> target, long x0, long y0,
		FloatPlanes planes, SampleValues values)
	{
		float[] d = planes.data();
		int bw = planes.width(), bh = planes.height();
		RandomAccess<T> ra = target.randomAccess(new FinalInterval(new long[] {x0, y0}, new long[] {x0 + bw - 1,
			y0 + bh - 1}));
		for (int y = 0, i = 0; y < bh; y++) {
			ra.setPosition(x0, 0);
			ra.setPosition(y0 + y, 1);
			for (int x = 0; x < bw; x++, ra.fwd(0)) ra.get().setReal(values.pixel(d[i++]));
		}
	}
}
