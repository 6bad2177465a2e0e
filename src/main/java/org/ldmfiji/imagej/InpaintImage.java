package org.ldmfiji.imagej;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.process.FloatProcessor;
import ij.process.ImageProcessor;

import org.ldmfiji.image.ChannelMapping;
import org.ldmfiji.image.FloatPlanes;
import org.ldmfiji.image.Normalization;
import org.ldmfiji.model.ModelBundle;
import org.ldmfiji.task.HeapCheck;
import org.ldmfiji.task.InpaintOptions;
import org.ldmfiji.task.InpaintWindows;
import org.ldmfiji.task.Inpainting;
import org.ldmfiji.task.Masks;
import org.ldmfiji.task.Progress;
import org.ldmfiji.task.Provenance;
import org.ldmfiji.task.SampleStatistics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Inpainting of an ImageJ image (8-, 16-, 32-bit or RGB; an 8-bit image with a palette as the image it shows, in a
 * new image, {@link PaletteImages}; stacks and hyperstacks) with {@link Inpainting}: the mask
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

	/**
	 * Inpaints {@code imp} where {@code mask} (W·H, row-major, true = fill) is set.
	 *
	 * @return the new image {@code <title>-inpainted} (or the source itself, in place), not shown
	 */
	public static Result run(ModelBundle bundle, ImagePlus source, boolean[] mask, InpaintOptions o, Progress progress) {
		o.check();
		if (o.inPlace && PaletteImages.of(source) != PaletteImages.Palette.NONE) throw new IllegalArgumentException("'"
			+ source.getTitle() + "' is an 8-bit image whose values index a palette, which cannot hold the fill's new "
			+ "values: leave 'in place' off (the result is a new image), or convert it first (Image > Type > RGB Color)");
		ImagePlus imp = PaletteImages.asShown(source);
		int w = imp.getWidth(), h = imp.getHeight();
		List<int[]> positions = ImagePlanes.positions(imp, o.allPlanes);
		if (o.samples > 1 && positions.size() > 1) throw new IllegalArgumentException("several samples ("
			+ o.samples + ") are made for the current plane only; untick 'all planes' or use samples=1");
		if (o.samples > 1 && o.inPlace) throw new IllegalArgumentException("in place writes one fill into the source: "
			+ "use samples=1, or leave 'in place' off to get the stack of " + o.samples + " samples");
		if (o.inPlace && imp.getStack().isVirtual()) throw new IllegalArgumentException("'" + imp.getTitle() + "' is a "
			+ "virtual stack, whose planes are re-read from disk: in place would lose the fill; leave 'in place' off");
		InpaintWindows plan = InpaintWindows.plan(bundle, mask, w, h, o, "image '" + imp.getTitle() + "'");
		boolean[] grown = plan.grown;
		List<InpaintWindows.Group> groups = plan.groups;

		int c = ImagePlanes.imageChannels(imp);
		ChannelMapping mapping = ChannelMapping.of(c, bundle.manifest().imageChannels);
		if (imp.getBitDepth() == 32) requireNoInfinity(imp, positions, plan, c);
		long planeBytes = (long) w * h * ImagePlanes.bytesPerPixel(imp);
		HeapCheck.require(o.samples > 1 ? planeBytes * imp.getNChannels() * o.samples + 4L * w * h * c
			: planeBytes * imp.getStackSize(), "the inpainted image");

		ImagePlus out = o.samples == 1 ? ResultImages.copy(imp, o.inPlace ? imp.getTitle() : ImagePlanes.stem(imp) + "-inpainted")
			: ResultImages.samples(imp, positions.get(0), o.samples, ImagePlanes.stem(imp) + "-inpainted");
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
				InpaintWindows.Fill fill = plan.fill(g, ImagePlanes.read(imp, pos, c, r[0], r[1], r[2], r[3]), norm, o.samples, progress,
					done, total);
				done += perWindow;
				List<FloatPlanes> values = new ArrayList<>(o.samples);
				for (int s = 0; s < o.samples; s++) values.add(paste(plan, imp, out, pos, s, fill, g, o.samples > 1));
				if (std != null) writeAt(SampleStatistics.std(values, SampleStatistics.mean(values)), g, std, w);
			}
		}
		progress.checkCancelled();

		Roi region = Selections.outline(grown, w, h);
		String info = provenance(bundle, source, o, grown, groups, positions).toString();
		ImagePlus result = out;
		if (o.inPlace) {
			ImagePlanes.copyMasked(out, imp, positions, grown, c);
			Object previous = imp.getProperty("Info");
			imp.setProperty("Info", previous == null ? info : previous + "\n" + info);
			imp.updateAndDraw();
			result = imp;
		}
		else {
			result.setProperty("Info", info);
			result.setOverlay(Selections.overlay(region));
		}
		ImagePlus stdImage = null;
		if (std != null) {
			stdImage = ResultImages.std(Arrays.asList(std), c, 1, 1, ImagePlanes.stem(imp) + "-inpainted-std",
				imp.getCalibration(), info, o.samples + " samples, in the source's units (0 outside the mask)");
			stdImage.setOverlay(Selections.overlay(region));
		}
		progress.status("LDM inpainting: done");
		return new Result(result, stdImage, region);
	}

	private static void requireNoInfinity(ImagePlus imp, List<int[]> positions, InpaintWindows plan, int c) {
		int[] channel = new int[1];
		for (int[] pos : positions)
			for (InpaintWindows.Group g : plan.groups) {
				int[] r = g.onImage(plan.w, plan.h);
				String bad = plan.infinite(g, ImagePlanes.read(imp, pos, c, r[0], r[1], r[2], r[3]), channel);
				if (bad != null) throw new IllegalArgumentException("image '" + imp.getTitle() + "' has " + bad
					+ (positions.size() > 1 || c > 1 ? " (channel " + (channel[0] + 1) + ", slice " + pos[0] + ", frame "
						+ pos[1] + ")" : "") + " in the context the model sees around the region to fill: replace it first "
					+ "(Process > Math > Set...; NaN is taken as no data) or include it in the selection");
			}
	}

	/**
	 * Writes one sample's fill into the output at the group's pixels, blended by alpha with the source, and returns
	 * the written values before rounding (channel × 1 × the group's pixels in region order, for the std map).
	 */
	private static FloatPlanes paste(InpaintWindows plan, ImagePlus src, ImagePlus out, int[] pos, int sample,
		InpaintWindows.Fill fill, InpaintWindows.Group g, boolean samplesStack)
	{
		int w = src.getWidth(), c = fill.maps.size();
		FloatPlanes values = FloatPlanes.zeros(c, 1, InpaintWindows.pixels(g));
		for (int k = 0; k < c; k++) {
			ImageProcessor in = ImagePlanes.processor(src, k, pos);
			ImageProcessor target = samplesStack ? ResultImages.samplePlane(out, src, k, sample) : ImagePlanes.processor(out, k, pos);
			int rgb = ImagePlanes.rgbComponent(src, k);
			int i = 0;
			for (Masks.Region r : g.regions)
				for (int p : r.pixels) {
					int x = p % w, y = p / w;
					double v = plan.value(fill, sample, k, p, ImagePlanes.get(in, rgb, x, y));
					ImagePlanes.put(target, rgb, x, y, v);
					values.set(k, 0, i++, (float) v);
				}
		}
		return values;
	}

	/** Values of the group's pixels (channel × 1 × pixels in region order) into per-channel W-wide planes. */
	private static void writeAt(FloatPlanes values, InpaintWindows.Group g, FloatProcessor[] planes, int w) {
		for (int k = 0; k < planes.length; k++) {
			int i = 0;
			for (Masks.Region r : g.regions)
				for (int p : r.pixels) planes[k].setf(p % w, p / w, values.get(k, 0, i++));
		}
	}

	private static StringBuilder provenance(ModelBundle bundle, ImagePlus imp, InpaintOptions o, boolean[] grown,
		List<InpaintWindows.Group> groups, List<int[]> positions)
	{
		int[] b = Masks.bounds(grown, imp.getWidth(), imp.getHeight());
		StringBuilder s = Provenance.of("inpainting", ImagePlanes.describe(imp), bundle, Inpainting.TASK, o.sampling);
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
