package org.ldmfiji.task;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.NoData;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.image.PeriodicFill;
import org.ldmfiji.image.ValueMap;
import org.ldmfiji.model.Manifest;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.tiling.Window;

import java.util.ArrayList;
import java.util.List;

/**
 * The plan of an image inpainting and the fill of each of its windows, whatever holds the pixels (an ImagePlus in
 * {@code imagej.InpaintImage}, an ImgLib2 image in {@link ImgInpainting}): the mask is grown, split into its connected
 * regions, and each group of nearby regions is filled in its own window of the model's size plus context, so the
 * cost follows the mask, not the image. Values are normalised per window and channel from the unmasked pixels; the
 * caller reads each window's pixels, and writes {@link #value} at each of the group's pixels.
 */
public final class InpaintWindows {

	/** A group of mask regions filled together in one window. */
	public static final class Group {
		public final List<Masks.Region> regions = new ArrayList<>();
		int x0, y0, x1, y1;
		public Window window;

		Group(Masks.Region r) {
			regions.add(r);
			x0 = r.x0;
			y0 = r.y0;
			x1 = r.x1;
			y1 = r.y1;
		}

		/** The pixels to read (see {@link #onImage}), set by {@link #plan}. */
		private int[] reads;

		/**
		 * [x0, y0, x1, y1) of the pixels to read on a W × H image: the window's part, and the box the first guess
		 * reads a periodic pattern in around it.
		 */
		public int[] onImage(int w, int h) {
			return reads.clone();
		}

		/** [x0, y0, x1, y1) of the window's part on a W × H image: the pixels the model sees. */
		int[] windowOnImage(int w, int h) {
			return new int[] {Math.max(0, window.x), Math.max(0, window.y), Math.min(w, window.x + window.width),
				Math.min(h, window.y + window.height)};
		}
	}

	/** One window's fill: per sample the fill in model values (C × window), and the per-channel value maps. */
	public static final class Fill {
		final List<FloatPlanes> samples;
		public final List<ValueMap> maps;
		public final Window window;

		Fill(List<FloatPlanes> samples, List<ValueMap> maps, Window window) {
			this.samples = samples;
			this.maps = maps;
			this.window = window;
		}
	}

	final Inpainting inpainting;
	public final int w, h;
	/** The grown mask, W·H row-major. */
	public final boolean[] grown;
	/** The fill's blend weight per pixel (1 on the selected pixels, the feather band in the grow margin). */
	final float[] alpha;
	public final List<Group> groups;
	private final Manifest manifest;

	private InpaintWindows(Inpainting inpainting, Manifest manifest, int w, int h, boolean[] grown, float[] alpha,
		List<Group> groups)
	{
		this.inpainting = inpainting;
		this.manifest = manifest;
		this.w = w;
		this.h = h;
		this.grown = grown;
		this.alpha = alpha;
		this.groups = groups;
	}

	/**
	 * Checks the options and the mask (W·H row-major, true = fill) and plans the windows.
	 *
	 * @param image how messages name the image ("image 'cells.tif'")
	 */
	public static InpaintWindows plan(ModelBundle bundle, boolean[] mask, int w, int h, InpaintOptions o, String image) {
		Manifest m = bundle.manifest();
		o.check();
		if (mask == null) throw new IllegalArgumentException("no mask: select the region to fill");
		if (mask.length != (long) w * h) throw new IllegalArgumentException("the mask has " + mask.length + " pixels but "
			+ image + " (" + w + "x" + h + ") has " + ((long) w * h) + ": the mask must have the image's size");
		Inpainting inpainting = new Inpainting(bundle, o.sampling, 0, o.strength, o.seam);
		int unit = inpainting.unit(), f = m.autoencoder.factor, nativeSize = inpainting.nativeSize();
		if (w < unit || h < unit) throw new IllegalArgumentException(image + " is " + w + "x" + h
			+ ", smaller than the smallest window of model '" + m.name + "' (" + unit + "x" + unit + " px: " + (unit / f)
			+ " latent cells of " + f + " px): use a larger image");

		boolean[] grown = Masks.grow(mask, w, h, o.grow);
		long count = Masks.count(grown);
		if (count == 0) throw new IllegalArgumentException("the mask is empty: select the region to fill (a selection, "
			+ "or a mask image whose non-zero pixels mark it)");
		if (count == grown.length) throw new IllegalArgumentException("the mask" + (o.grow > 0 ? " (grown by " + o.grow
			+ " px)" : "") + " covers the whole image: inpainting continues the surrounding pixels, so select only the "
			+ "region to fill" + (o.grow > 0 ? " or grow less" : ""));
		// the feather band lies in the grow margin: the selected pixels (a scratch, a dead column) are replaced in
		// full and never blended back in, so the band is at most grow pixels wide
		float[] alpha = Masks.featherWeights(grown, w, h, Math.min(o.feather, o.grow));
		for (int i = 0; i < mask.length; i++) if (mask[i]) alpha[i] = 1;
		// at least one latent cell of context: a window that is all hole has nothing to continue (a 256 px box on
		// the grid once filled white, its values normalised on no known pixel)
		int margin = Math.max(f, Window.roundUp(o.context, f));
		List<Group> groups = group(Masks.regions(grown, w, h), margin, nativeSize);
		for (Group g : groups) {
			g.window = inpainting.window(new int[] {g.x0, g.y0, g.x1, g.y1}, margin, w, h);
			g.reads = periodicBox(g.windowOnImage(w, h), grown, w, h);
		}
		return new InpaintWindows(inpainting, m, w, h, grown, alpha, groups);
	}

	/**
	 * The window's part on the image, grown to hold {@link PeriodicFill#box} of the mask's pixels in it: a periodic
	 * pattern is read over up to {@link PeriodicFill#MAX_SIDE} px, more than the model's context (a 200 px hole in
	 * fringes had a 32 px ring, and its pattern went unseen).
	 */
	private static int[] periodicBox(int[] on, boolean[] grown, int w, int h) {
		int[] box = PeriodicFill.box(PeriodicFill.bounds(grown, w, on), w, h);
		if (box == null) return on;
		return new int[] {Math.min(on[0], box[0]), Math.min(on[1], box[1]), Math.max(on[2], box[2]),
			Math.max(on[3], box[3])};
	}

	/** Denoising steps of one window's fill of one model item. */
	public int steps() {
		return inpainting.steps();
	}

	/**
	 * Fills one group's window; values are normalised on the window's known pixels, NaN ones filled harmonically first
	 * ({@link NoData}).
	 *
	 * @param region the image's channels over {@link Group#onImage} (raw values)
	 * @param done steps already reported; the fill reports {@code mapping.batchSize(C)·steps()} more
	 */
	public Fill fill(Group g, FloatPlanes region, Normalization norm, int samples, Progress progress, long done, long total) {
		NoData noData = NoData.of(region); // NaN around the mask: no data, seen by the model as filled, never written
		if (noData != null) region = noData.filled(region);
		int c = region.channels();
		ChannelMapping mapping = ChannelMapping.of(c, manifest.imageChannels);
		Window win = g.window;
		int[] r = g.onImage(w, h);
		int lx = win.x - r[0], ly = win.y - r[1];
		Window local = new Window(lx, ly, win.width, win.height);
		boolean[] windowMask = win.extract(grown, w, h);
		List<ValueMap> maps = fitOutside(norm, region, r, g.windowOnImage(w, h));
		FloatPlanes around = region.copy();
		for (int k = 0; k < c; k++) forward(around, k, maps.get(k));
		List<FloatPlanes> items = mapping.toModel(local.extract(around), manifest.imageChannels);
		List<FloatPlanes> aroundItems = mapping.toModel(around, manifest.imageChannels);
		boolean[] unknown = new Window(r[0], r[1], r[2] - r[0], r[3] - r[1]).extract(grown, w, h);
		List<List<FloatPlanes>> fills = new ArrayList<>();
		for (int i = 0; i < items.size(); i++) {
			Inpainting.Surroundings s = new Inpainting.Surroundings(aroundItems.get(i), unknown, lx, ly);
			fills.add(inpainting.fillWindow(items.get(i), windowMask, s, samples, progress.steps(done, total)));
			done += steps();
		}
		List<FloatPlanes> out = new ArrayList<>(samples);
		for (int s = 0; s < samples; s++) {
			List<FloatPlanes> perItem = new ArrayList<>();
			for (List<FloatPlanes> fi : fills) perItem.add(fi.get(s));
			out.add(mapping.fromModel(perItem, c));
		}
		return new Fill(out, maps, win);
	}

	/**
	 * The value to write at pixel p = y·W + x of channel k for one sample: the fill mapped back to the source's
	 * values, blended by alpha with the source's value there.
	 */
	public double value(Fill fill, int sample, int k, int p, double source) {
		int x = p % w, y = p / w;
		double filled = fill.maps.get(k).inverse(fill.samples.get(sample).get(k, y - fill.window.y, x - fill.window.x));
		double a = alpha[p];
		return a == 1 || Double.isNaN(source) ? filled : a * filled + (1 - a) * source;
	}

	/** Number of pixels in the group's regions. */
	public static int pixels(Group g) {
		int n = 0;
		for (Masks.Region r : g.regions) n += r.pixels.length;
		return n;
	}

	/**
	 * The first infinite value of the group's window outside the mask ({@code region} holds the pixels of
	 * {@link Group#onImage}), as "an infinite pixel at x=…, y=…", with the channel (0-based) in {@code channel[0]}, or
	 * null when there is none (NaN is no data, {@link #fill}). Beyond the window the first guess leaves a pattern with
	 * such a pixel to the smooth fill.
	 */
	public String infinite(Group g, FloatPlanes region, int[] channel) {
		return infinite(g, region, channel, 0, 0);
	}

	/** The same, the reported position shifted by (dx, dy) (a plan on a part of a larger image). */
	public String infinite(Group g, FloatPlanes region, int[] channel, long dx, long dy) {
		int[] r = g.onImage(w, h), on = g.windowOnImage(w, h);
		for (int k = 0; k < region.channels(); k++)
			for (int iy = on[1]; iy < on[3]; iy++)
				for (int ix = on[0]; ix < on[2]; ix++) {
					if (grown[iy * w + ix] || !Float.isInfinite(region.get(k, iy - r[1], ix - r[0]))) continue;
					channel[0] = k;
					return "an infinite pixel at x=" + (ix + dx) + ", y=" + (iy + dy);
				}
		return null;
	}

	/** Groups regions whose context windows overlap, as long as the group still fits the native size. */
	private static List<Group> group(List<Masks.Region> regions, int margin, int nativeSize) {
		List<Group> groups = new ArrayList<>();
		for (Masks.Region r : regions) {
			groups.add(new Group(r));
		}
		boolean merged = true;
		while (merged) {
			merged = false;
			outer:
			for (int i = 0; i < groups.size(); i++)
				for (int j = i + 1; j < groups.size(); j++) {
					Group a = groups.get(i), b = groups.get(j);
					boolean near = a.x0 - margin < b.x1 + margin && b.x0 - margin < a.x1 + margin
						&& a.y0 - margin < b.y1 + margin && b.y0 - margin < a.y1 + margin;
					int x0 = Math.min(a.x0, b.x0), y0 = Math.min(a.y0, b.y0);
					int x1 = Math.max(a.x1, b.x1), y1 = Math.max(a.y1, b.y1);
					if (!near || x1 - x0 > nativeSize || y1 - y0 > nativeSize) continue;
					a.regions.addAll(b.regions);
					a.x0 = x0;
					a.y0 = y0;
					a.x1 = x1;
					a.y1 = y1;
					groups.remove(j);
					merged = true;
					break outer;
				}
		}
		return groups;
	}

	/**
	 * Per channel, the normalisation fitted on the unmasked pixels of the rectangle {@code part} of the image, onto
	 * the model's range ({@code region} holds the pixels of the rectangle {@code r}).
	 */
	private List<ValueMap> fitOutside(Normalization norm, FloatPlanes region, int[] r, int[] part) {
		double[] range = manifest.imageRange;
		int n = 0;
		for (int y = part[1]; y < part[3]; y++)
			for (int x = part[0]; x < part[2]; x++) if (!grown[y * w + x]) n++;
		List<ValueMap> maps = new ArrayList<>();
		if (n == 0) { // no known pixel: the policy's fit of nothing
			for (int k = 0; k < region.channels(); k++) maps.add(norm.fit(new float[0]).onto(range[0], range[1]));
			return maps;
		}
		FloatPlanes outside = FloatPlanes.zeros(region.channels(), 1, n); // the known pixels, channel by channel
		for (int k = 0; k < region.channels(); k++) {
			int i = 0;
			for (int y = part[1]; y < part[3]; y++)
				for (int x = part[0]; x < part[2]; x++)
					if (!grown[y * w + x]) outside.set(k, 0, i++, region.get(k, y - r[1], x - r[0]));
		}
		for (ValueMap map : norm.fitChannels(outside)) maps.add(map.onto(range[0], range[1]));
		return maps;
	}

	private static void forward(FloatPlanes x, int k, ValueMap map) {
		float[] d = x.data();
		for (int i = k * x.planeSize(); i < (k + 1) * x.planeSize(); i++) d[i] = (float) map.forward(d[i]);
	}
}
