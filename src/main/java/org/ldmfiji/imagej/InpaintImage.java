package org.ldmfiji.imagej;

import org.ldmfiji.task.InpaintOptions;
import org.ldmfiji.task.InpaintWindows;
import org.ldmfiji.task.Inpainting;
import org.ldmfiji.task.Masks;
import org.ldmfiji.task.Progress;

import ij.CompositeImage;
import ij.ImagePlus;
import ij.ImageStack;
import ij.gui.Overlay;
import ij.gui.Roi;
import ij.plugin.filter.ThresholdToSelection;
import ij.process.ByteProcessor;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.model.ModelBundle;

import java.awt.Color;
import java.awt.Rectangle;
import java.util.List;
import java.util.Locale;

/**
 * Inpainting of an ImageJ image (8-, 16-, 32-bit or RGB; stacks and hyperstacks) with {@link Inpainting}: the mask
 * is grown, split into its connected regions, and each group of nearby regions is filled in its own window of the
 * model's size plus context, so the cost follows the mask, not the image. Values are normalised per window and
 * channel from the unmasked pixels ({@link Normalization#forBitDepth}), channels map to the model's with
 * {@link ChannelMapping} (channel by channel on a one-channel model). Pixels outside the grown mask are never
 * written: the result is a copy of the source whose masked pixels alone are replaced, blended with the source in the
 * feather band inside the grow margin (never on the selected pixels). Nothing is shown or written into the source
 * before the last step has run, so a failure or a cancellation leaves no output and the source untouched.
 */
public final class InpaintImage {

	/** What the user chooses ({@link InpaintOptions}, the name the entry points use). */
	public static final class Options extends InpaintOptions {
		@Override
		public Options seam(String choice) {
			super.seam(choice);
			return this;
		}
	}

	/** The outputs: the inpainted image (or the stack of samples) and, for several samples, their std map. */
	public static final class Result {
		public final ImagePlus image;
		public final ImagePlus std;
		/** The filled region (the grown mask) as a selection; also drawn as the image's overlay. */
		public final Roi region;

		Result(ImagePlus image, ImagePlus std, Roi region) {
			this.image = image;
			this.std = std;
			this.region = region;
		}
	}

	private InpaintImage() {}

	/** The fill mask of the image's selection (any area shape; a line selection by its width). */
	public static boolean[] maskOf(ImagePlus imp) {
		Roi roi = imp.getRoi();
		if (roi == null) throw new IllegalArgumentException("'" + imp.getTitle() + "' has no selection: draw one around "
			+ "the region to fill (any shape), or give a mask image whose non-zero pixels mark it");
		if (roi.isLine()) roi = Roi.convertLineToArea(roi);
		if (roi == null || !roi.isArea()) throw new IllegalArgumentException("the selection on '" + imp.getTitle()
			+ "' encloses no area (a point?): draw a rectangle, oval, polygon or freehand selection around the region");
		int w = imp.getWidth(), h = imp.getHeight();
		boolean[] mask = new boolean[w * h];
		ImageProcessor m = roi.getMask();
		Rectangle b = roi.getBounds();
		for (int y = Math.max(0, b.y); y < Math.min(h, b.y + b.height); y++)
			for (int x = Math.max(0, b.x); x < Math.min(w, b.x + b.width); x++)
				if (m == null || m.get(x - b.x, y - b.y) != 0) mask[y * w + x] = true;
		return mask;
	}

	/** The fill mask of a mask image: its non-zero pixels (first plane) mark the region to fill. */
	public static boolean[] maskOf(ImagePlus maskImage, ImagePlus imp) {
		if (maskImage.getWidth() != imp.getWidth() || maskImage.getHeight() != imp.getHeight())
			throw new IllegalArgumentException("mask '" + maskImage.getTitle() + "' is " + maskImage.getWidth() + "x"
				+ maskImage.getHeight() + " but image '" + imp.getTitle() + "' is " + imp.getWidth() + "x" + imp.getHeight()
				+ ": the mask must have the image's size");
		ImageProcessor ip = maskImage.getStack().getProcessor(1);
		int w = imp.getWidth(), h = imp.getHeight();
		boolean[] mask = new boolean[w * h];
		for (int y = 0; y < h; y++)
			for (int x = 0; x < w; x++) mask[y * w + x] = maskImage.getBitDepth() == 24 ? (ip.get(x, y) & 0xffffff) != 0
				: ip.getf(x, y) != 0;
		return mask;
	}

	/**
	 * Inpaints {@code imp} where {@code mask} (W·H, row-major, true = fill) is set.
	 *
	 * @return the new image {@code <title>-inpainted} (or the source itself, in place), not shown
	 */
	public static Result run(ModelBundle bundle, ImagePlus imp, boolean[] mask, InpaintOptions o, Progress progress) {
		int w = imp.getWidth(), h = imp.getHeight();
		o.check();
		List<int[]> positions = ImageJobs.positions(imp, o.allPlanes);
		if (o.samples > 1 && positions.size() > 1) throw new IllegalArgumentException("several samples ("
			+ o.samples + ") are made for the current plane only; untick 'all planes' or use samples=1");
		if (o.samples > 1 && o.inPlace) throw new IllegalArgumentException("in place writes one fill into the source: "
			+ "use samples=1, or leave 'in place' off to get the stack of " + o.samples + " samples");
		if (o.inPlace && imp.getStack().isVirtual()) throw new IllegalArgumentException("'" + imp.getTitle() + "' is a "
			+ "virtual stack, whose planes are re-read from disk: in place would lose the fill; leave 'in place' off");
		InpaintWindows plan = InpaintWindows.plan(bundle, mask, w, h, o, "image '" + imp.getTitle() + "'");
		boolean[] grown = plan.grown;
		List<InpaintWindows.Group> groups = plan.groups;

		int c = ImageJobs.imageChannels(imp);
		ChannelMapping mapping = ChannelMapping.of(c, bundle.manifest().imageChannels);
		if (imp.getBitDepth() == 32) requireFinite(imp, positions, plan, c);
		long planeBytes = (long) w * h * ImageJobs.bytesPerPixel(imp);
		ImageJobs.requireMemory(o.samples > 1 ? planeBytes * imp.getNChannels() * o.samples + 4L * w * h * c
			: planeBytes * imp.getStackSize(), "the inpainted image");

		ImagePlus out = o.samples == 1 ? ImageJobs.copy(imp, o.inPlace ? imp.getTitle() : ImageJobs.stem(imp) + "-inpainted")
			: samplesImage(imp, positions.get(0), o.samples);
		FloatProcessor[] std = o.samples > 1 ? new FloatProcessor[c] : null;
		if (std != null) for (int k = 0; k < c; k++) std[k] = new FloatProcessor(w, h);

		long perWindow = (long) mapping.batchSize(c) * plan.steps();
		long total = positions.size() * groups.size() * perWindow, done = 0;
		progress.status("LDM inpainting: " + groups.size() + " window(s) x " + positions.size() + " plane(s)");
		Normalization norm = Normalization.forBitDepth(imp.getBitDepth());
		for (int[] pos : positions) {
			for (InpaintWindows.Group g : groups) {
				progress.checkCancelled();
				int[] r = g.onImage(w, h);
				InpaintWindows.Fill fill = plan.fill(g, read(imp, pos, c, r[0], r[1], r[2], r[3]), norm, o.samples, progress,
					done, total);
				done += perWindow;
				float[][][] values = new float[o.samples][][];
				for (int s = 0; s < o.samples; s++) values[s] = paste(plan, imp, out, pos, s, fill, g, o.samples > 1);
				if (std != null) accumulateStd(std, values, g, w);
			}
		}
		progress.checkCancelled();

		Roi region = outline(grown, w, h);
		String info = provenance(bundle, imp, o, grown, groups, positions).toString();
		ImagePlus result = out;
		if (o.inPlace) {
			copyMaskedPixels(out, imp, positions, grown, c);
			Object previous = imp.getProperty("Info");
			imp.setProperty("Info", previous == null ? info : previous + "\n" + info);
			imp.updateAndDraw();
			result = imp;
		}
		else {
			result.setProperty("Info", info);
			result.setOverlay(overlay(region));
		}
		ImagePlus stdImage = null;
		if (std != null) {
			ImageStack s = new ImageStack(w, h);
			for (int k = 0; k < c; k++) s.addSlice("std " + (k + 1), std[k]);
			stdImage = new ImagePlus(ImageJobs.stem(imp) + "-inpainted-std", s);
			if (c > 1) stdImage.setDimensions(c, 1, 1);
			stdImage.setCalibration(imp.getCalibration().copy());
			stdImage.getCalibration().disableDensityCalibration();
			stdImage.resetDisplayRange();
			stdImage.setProperty("Info", info + "this image: per-pixel standard deviation over the " + o.samples
				+ " samples, in the source's units (0 outside the mask)\n");
			stdImage.setOverlay(overlay(region));
		}
		progress.status("LDM inpainting: done");
		return new Result(result, stdImage, region);
	}

	private static void requireFinite(ImagePlus imp, List<int[]> positions, InpaintWindows plan, int c) {
		int[] channel = new int[1];
		for (int[] pos : positions)
			for (InpaintWindows.Group g : plan.groups) {
				int[] r = g.onImage(plan.w, plan.h);
				String bad = plan.nonFinite(read(imp, pos, c, r[0], r[1], r[2], r[3]), r, channel);
				if (bad != null) throw new IllegalArgumentException("image '" + imp.getTitle() + "' has a " + bad
					+ (positions.size() > 1 || c > 1 ? " (channel " + (channel[0] + 1) + ", slice " + pos[0] + ", frame " + pos[1]
						+ ")" : "") + " next to the region to fill: replace NaNs first (Process > Noise > Remove NaNs...) or "
					+ "include them in the selection");
			}
	}

	/** The image's channels at a position over [x0, x1) × [y0, y1), raw values. */
	private static FloatPlanes read(ImagePlus imp, int[] pos, int c, int x0, int y0, int x1, int y1) {
		FloatPlanes out = FloatPlanes.zeros(c, y1 - y0, x1 - x0);
		for (int k = 0; k < c; k++) {
			ImageProcessor ip = ImageJobs.processor(imp, k, pos);
			int rgb = ImageJobs.rgbComponent(imp, k);
			for (int y = y0; y < y1; y++)
				for (int x = x0; x < x1; x++) out.set(k, y - y0, x - x0, ImageJobs.get(ip, rgb, x, y));
		}
		return out;
	}

	/**
	 * Writes one sample's fill into the output at the group's pixels, blended by alpha with the source, and returns
	 * the written values before rounding ([channel][pixel of the group], for the std map).
	 */
	private static float[][] paste(InpaintWindows plan, ImagePlus src, ImagePlus out, int[] pos, int sample,
		InpaintWindows.Fill fill, InpaintWindows.Group g, boolean samplesStack)
	{
		int w = src.getWidth(), c = fill.maps.size();
		float[][] values = new float[c][InpaintWindows.pixels(g)];
		for (int k = 0; k < c; k++) {
			ImageProcessor in = ImageJobs.processor(src, k, pos);
			ImageProcessor target = samplesStack ? samplePlane(out, src, k, sample) : ImageJobs.processor(out, k, pos);
			int rgb = ImageJobs.rgbComponent(src, k);
			int i = 0;
			for (Masks.Region r : g.regions)
				for (int p : r.pixels) {
					int x = p % w, y = p / w;
					double v = plan.value(fill, sample, k, p, ImageJobs.get(in, rgb, x, y));
					ImageJobs.put(target, rgb, x, y, v);
					values[k][i++] = (float) v;
				}
		}
		return values;
	}

	/** The stack of samples: the current position's channels, one frame per sample. */
	private static ImagePlus samplesImage(ImagePlus imp, int[] pos, int samples) {
		ImageStack s = new ImageStack(imp.getWidth(), imp.getHeight());
		for (int t = 0; t < samples; t++)
			for (int ch = 1; ch <= imp.getNChannels(); ch++) {
				ImageProcessor ip = imp.getStackSize() == 1 ? imp.getProcessor()
					: imp.getStack().getProcessor(imp.getStackIndex(ch, pos[0], pos[1]));
				s.addSlice("sample " + (t + 1), ip.duplicate());
			}
		ImagePlus out = new ImagePlus(ImageJobs.stem(imp) + "-inpainted", s);
		out.setDimensions(imp.getNChannels(), 1, samples);
		out.setOpenAsHyperStack(imp.getNChannels() > 1);
		out.setCalibration(imp.getCalibration().copy());
		if (imp.isComposite()) {
			CompositeImage ci = new CompositeImage(out, ((CompositeImage) imp).getMode());
			ci.setLuts(((CompositeImage) imp).getLuts());
			return ci;
		}
		if (imp.getBitDepth() != 24) out.setDisplayRange(imp.getDisplayRangeMin(), imp.getDisplayRangeMax());
		return out;
	}

	private static ImageProcessor samplePlane(ImagePlus out, ImagePlus src, int k, int sample) {
		int per = src.getBitDepth() == 24 ? 3 : 1;
		return out.getStack().getProcessor(out.getStackIndex(k / per + 1, 1, sample + 1));
	}

	/** Population standard deviation over the samples at each of the group's pixels. */
	private static void accumulateStd(FloatProcessor[] std, float[][][] values, InpaintWindows.Group g, int w) {
		int n = values.length;
		for (int k = 0; k < std.length; k++) {
			int i = 0;
			for (Masks.Region r : g.regions)
				for (int p : r.pixels) {
					double sum = 0, sq = 0;
					for (float[][] sample : values) sum += sample[k][i];
					double mean = sum / n;
					for (float[][] sample : values) sq += (sample[k][i] - mean) * (sample[k][i] - mean);
					std[k].setf(p % w, p / w, (float) Math.sqrt(sq / n));
					i++;
				}
		}
	}

	/** Copies the mask's pixels of the processed positions from the work copy into the source. */
	private static void copyMaskedPixels(ImagePlus from, ImagePlus to, List<int[]> positions, boolean[] mask, int c) {
		int w = to.getWidth();
		for (int[] pos : positions)
			for (int k = 0; k < c; k++) {
				ImageProcessor a = ImageJobs.processor(from, k, pos), b = ImageJobs.processor(to, k, pos);
				int rgb = ImageJobs.rgbComponent(to, k);
				for (int p = 0; p < mask.length; p++)
					if (mask[p]) ImageJobs.put(b, rgb, p % w, p / w, ImageJobs.get(a, rgb, p % w, p / w));
			}
	}

	/** The mask's outline as a selection (ImageJ's threshold-to-selection on a binary image). */
	static Roi outline(boolean[] mask, int w, int h) {
		ByteProcessor bp = new ByteProcessor(w, h);
		byte[] px = (byte[]) bp.getPixels();
		for (int i = 0; i < mask.length; i++) if (mask[i]) px[i] = (byte) 255;
		bp.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
		Roi roi = new ThresholdToSelection().convert(bp);
		if (roi != null) roi.setName("LDM inpainted region");
		return roi;
	}

	private static Overlay overlay(Roi region) {
		Overlay overlay = new Overlay();
		if (region != null) {
			Roi r = (Roi) region.clone();
			r.setStrokeColor(Color.YELLOW);
			overlay.add(r);
		}
		return overlay;
	}

	private static StringBuilder provenance(ModelBundle bundle, ImagePlus imp, InpaintOptions o, boolean[] grown,
		List<InpaintWindows.Group> groups, List<int[]> positions)
	{
		int[] b = Masks.bounds(grown, imp.getWidth(), imp.getHeight());
		StringBuilder s = ImageJobs.provenance("inpainting", imp, bundle, Inpainting.TASK, o.sampling);
		s.append(String.format(Locale.ROOT, "samples: %d, grow: %d px, feather: %d px, context: %d px, strength: %s, "
			+ "seam: %s%n", o.samples, o.grow, o.feather, o.context, o.strength, o.seam.label()));
		s.append(String.format(Locale.ROOT, "mask bounds (after grow): x=%d y=%d width=%d height=%d, %d pixels%n", b[0], b[1],
			b[2] - b[0], b[3] - b[1], Masks.count(grown)));
		s.append("windows:");
		for (InpaintWindows.Group g : groups) s.append(' ').append(g.window);
		s.append('\n');
		s.append("planes: ").append(positions.size() == 1 ? "slice " + positions.get(0)[0] + ", frame " + positions.get(0)[1]
			: "all " + positions.size() + " (slice, frame) positions").append('\n');
		s.append("normalisation: ").append(Normalization.forBitDepth(imp.getBitDepth()))
			.append(" per window and channel, fitted on the unmasked pixels\n");
		return s;
	}
}
