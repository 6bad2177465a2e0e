package org.ldmfiji.task;

import net.imglib2.Cursor;
import net.imglib2.FinalInterval;
import net.imglib2.Interval;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.type.BooleanType;
import net.imglib2.type.NativeType;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.util.Util;
import net.imglib2.view.Views;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.PeriodicFill;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.Window;

import java.util.ArrayList;
import java.util.List;

/**
 * Inpainting of an ImgLib2 image (X, Y and an optional channel axis, any min, any real type) with the windows,
 * normalisation and blending of the ImageJ job ({@link InpaintWindows}, shared with {@code imagej.InpaintImage}): the result
 * is a copy in the source's type and interval whose pixels outside the grown mask are the source's, bit for bit.
 * Values are normalised as the ImageJ job does for the same type (8-bit: fixed 0…255, or for a dim window the
 * percentiles of its unmasked pixels; others: those percentiles).
 */
final class ImgInpainting {

	private ImgInpainting() {}

	static <T extends RealType<T> & NativeType<T>> Img<T> run(ModelBundle bundle, RandomAccessibleInterval<T> image,
		RandomAccessibleInterval<? extends BooleanType<?>> mask, InpaintOptions o, Progress progress)
	{
		int c = ImgPixels.channels(image);
		int w = ImgPixels.side(image.dimension(0), "the width"), h = ImgPixels.side(image.dimension(1), "the height");
		if (o.samples != 1) throw new IllegalArgumentException("inpainting an ImgLib2 image makes one fill, not "
			+ o.samples + ": use samples=1 and call it once per seed for several fills");
		if (o.inPlace) throw new IllegalArgumentException("inpainting an ImgLib2 image returns a new image: leave "
			+ "'in place' off and copy the result's masked pixels back if needed");
		ImgPixels.checkMask(mask, image);
		// plan on the part of the image the fill can reach, not on the whole plane (see reach)
		Interval crop = reach(bundle, mask, image, o);
		long[] offset = {crop.min(0) - image.min(0), crop.min(1) - image.min(1)};
		RandomAccessibleInterval<T> full = image;
		image = Views.interval(image, crop);
		w = ImgPixels.side(image.dimension(0), "the width");
		h = ImgPixels.side(image.dimension(1), "the height");
		boolean[] m = ImgPixels.mask(Views.interval(mask, ImgPixels.sameXY(mask, crop)), image);
		InpaintWindows plan = InpaintWindows.plan(bundle, m, w, h, o, "the image");
		ChannelMapping mapping = ChannelMapping.of(c, bundle.manifest().imageChannels);
		T type = Util.getTypeFromInterval(image).createVariable();
		Normalization norm = ImgPixels.normalization(type);

		List<FloatPlanes> regions = new ArrayList<>();
		int[] channel = new int[1];
		for (InpaintWindows.Group g : plan.groups) {
			int[] r = g.onImage(w, h);
			FloatPlanes region = ImgPixels.read(image, ImgPixels.window(image, r));
			String bad = type instanceof IntegerType ? null : plan.infinite(g, region, channel, offset[0], offset[1]);
			if (bad != null) throw new IllegalArgumentException("the image has " + bad + " (relative to its min"
				+ (c > 1 ? ", channel " + (channel[0] + 1) : "") + ") in the context the model sees around the region to "
				+ "fill: replace it first (NaN is taken as no data) or include it in the mask");
			regions.add(region);
		}

		Img<T> out = ImgPixels.create(type, full.dimensionsAsLongArray());
		copy(Views.zeroMin(full), out);
		long[] zero = new long[image.numDimensions()];
		zero[0] = offset[0];
		zero[1] = offset[1];
		RandomAccess<T> ra = out.randomAccess();
		long perWindow = (long) mapping.batchSize(c) * plan.steps();
		long total = plan.groups.size() * perWindow, done = 0;
		progress.status("LDM inpainting: " + plan.groups.size() + " window(s)");
		for (int i = 0; i < plan.groups.size(); i++) {
			progress.checkCancelled();
			InpaintWindows.Group g = plan.groups.get(i);
			int[] r = g.onImage(w, h);
			FloatPlanes region = regions.get(i);
			InpaintWindows.Fill fill = plan.fill(g, region, norm, 1, progress, done, total);
			done += perWindow;
			for (int k = 0; k < c; k++)
				for (Masks.Region reg : g.regions)
					for (int p : reg.pixels) {
						int x = p % w, y = p / w;
						ImgPixels.position(ra, zero, x, y, k);
						ImgPixels.put(ra.get(), plan.value(fill, 0, k, p, region.get(k, y - r[1], x - r[0])));
					}
		}
		progress.checkCancelled();
		progress.status("LDM inpainting: done");
		return ImgPixels.at(out, full.minAsLongArray());
	}

	/**
	 * The part of the image a fill can reach: the mask's true pixels' bounds grown by the grow margin, the context and
	 * twice the native window size plus one unit (more than any window of {@link InpaintWindows} extends beyond its
	 * regions: a window is centred on its group, at most the group grown by the context and rounded up to the unit, or
	 * the native size), and the largest box the first guess reads a periodic pattern in ({@link PeriodicFill#MAX_SIDE}
	 * px around a window's hole), clipped to the image. Windows, normalisation and blend depend only on the pixels within it
	 * (windows are shifted only at the image's edges, which the part keeps), so planning on it gives the whole
	 * image's pixels, with memory for the planner's masks that follows the mask, not the plane. The whole image
	 * when the mask is empty (the planner says so).
	 */
	private static Interval reach(ModelBundle bundle, RandomAccessibleInterval<? extends BooleanType<?>> mask,
		Interval image, InpaintOptions o)
	{
		long[] b = trueBounds(mask);
		if (b == null) return image;
		Inpainting in = new Inpainting(bundle, o.sampling, 0, o.strength, o.seam);
		long margin = o.grow + Window.roundUp(o.context, bundle.manifest().autoencoder.factor)
			+ 2L * (in.nativeSize() + in.unit()) + PeriodicFill.MAX_SIDE;
		long[] min = image.minAsLongArray(), max = image.maxAsLongArray();
		for (int d = 0; d < 2; d++) {
			min[d] = Math.max(image.min(d), b[d] - margin);
			max[d] = Math.min(image.max(d), b[d + 2] + margin);
		}
		return new FinalInterval(min, max);
	}

	/** [xmin, ymin, xmax, ymax] (inclusive, the mask's coordinates) of the true pixels of the mask's X, Y, or null. */
	private static long[] trueBounds(RandomAccessibleInterval<? extends BooleanType<?>> mask) {
		long[] b = null;
		Cursor<? extends BooleanType<?>> c = Views.iterable(mask).localizingCursor();
		while (c.hasNext()) {
			if (!c.next().get()) continue;
			long x = c.getLongPosition(0), y = c.getLongPosition(1);
			if (b == null) b = new long[] {x, y, x, y};
			b[0] = Math.min(b[0], x);
			b[1] = Math.min(b[1], y);
			b[2] = Math.max(b[2], x);
			b[3] = Math.max(b[3], y);
		}
		return b;
	}

	/** Copies every pixel of a zero-min source into a target of its size. */
	private static <T extends RealType<T>> void copy(RandomAccessibleInterval<T> from, RandomAccessibleInterval<T> to) {
		var a = Views.flatIterable(from).cursor();
		var b = Views.flatIterable(to).cursor();
		while (a.hasNext()) b.next().set(a.next());
	}
}
